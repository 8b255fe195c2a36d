package mastotest

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// The OAuth side follows config/initializers/doorkeeper.rb and
// app/controllers/api/v1/apps_controller.rb: authorization code grant,
// PKCE by flavour (Flavour.pkce: none on 4.2, plain or S256 on 4.3, S256
// from 4.4), tokens that never expire, loopback
// redirect URIs matched on any port, and the out-of-band page.

type app struct {
	clientID, secret string
	redirects        []string
	scopes           []string
}

type grant struct {
	app, redirect, challenge, method, scope, account string
}

const oob = "urn:ietf:wg:oauth:2.0:oob"

func init() {
	handle("POST", "/api/v1/apps", (*Server).createApp).public = true
	handle("GET", "/oauth/authorize", (*Server).authorize).public = true
	handle("POST", "/oauth/token", (*Server).token).public = true
	handle("POST", "/oauth/revoke", (*Server).revoke).public = true
}

func (s *Server) createApp(c *call) (int, any) {
	// Rack-attack counts the request before the app sees it: a refused
	// registration counts too (config/initializers/rack_attack.rb, the
	// epoch-aligned window and throttled_responder's 429 as for every
	// throttle).
	if l := s.limits; l.Apps > 0 {
		if n, reset := s.window("apps:"+remoteIP(c.r), l.AppsPeriod, s.clock.Now()); n > l.Apps {
			status, body, _ := s.tooMany(c.header, l.Apps, reset)
			return status, body
		}
	}
	name := c.get("client_name")
	if name == "" || len(name) > 60 {
		return invalid("Application name is too long (maximum is 60 characters)")
	}
	redirects := strings.Fields(c.get("redirect_uris"))
	redirects = append(redirects, c.form["redirect_uris[]"]...)
	if len(redirects) == 0 {
		return invalid("Redirect URI can't be blank")
	}
	a := &app{clientID: "cid-" + s.id(), secret: "secret-" + strconv.FormatUint(s.rng.Uint64(), 36),
		redirects: redirects, scopes: strings.Fields(c.get("scopes"))}
	if len(a.scopes) == 0 {
		a.scopes = []string{"read"}
	}
	s.apps[a.clientID] = a
	return http.StatusOK, map[string]any{"id": s.id(), "name": name, "client_id": a.clientID,
		"client_secret": a.secret, "redirect_uri": strings.Join(redirects, "\n"), "redirect_uris": redirects}
}

// redirectOK matches Doorkeeper's rule: exact, except that a loopback IP
// literal matches on any port (RFC 8252).
func redirectOK(registered []string, got string) bool {
	gu, err := url.Parse(got)
	if err != nil {
		return false
	}
	for _, r := range registered {
		if r == got {
			return true
		}
		ru, err := url.Parse(r)
		if err != nil || gu.Scheme != "http" || ru.Scheme != "http" {
			continue
		}
		if ip := net.ParseIP(gu.Hostname()); ip != nil && ip.IsLoopback() && ru.Hostname() == gu.Hostname() && ru.Path == gu.Path {
			return true
		}
	}
	return false
}

// authorize stands in for the browser: "me" is signed in and approves at
// once, so a test drives the browser step with a plain GET.
func (s *Server) authorize(c *call) (int, any) {
	a, ok := s.apps[c.get("client_id")]
	if !ok {
		return http.StatusUnauthorized, map[string]string{"error": "invalid_client"}
	}
	redirect := c.get("redirect_uri")
	if !redirectOK(a.redirects, redirect) {
		return http.StatusBadRequest, map[string]string{"error": "invalid_redirect_uri"}
	}
	for _, sc := range strings.Fields(c.get("scope")) {
		if !contains(a.scopes, sc) {
			return http.StatusBadRequest, map[string]string{"error": "invalid_scope"}
		}
	}
	g := &grant{app: a.clientID, redirect: redirect, scope: c.get("scope"), account: s.MeID}
	mode := s.flavour.pkce()
	if s.noPKCE {
		mode = pkceNone
	}
	if mode != pkceNone && c.get("code_challenge") != "" {
		method := c.get("code_challenge_method")
		if method == "" {
			method = "plain" // RFC 7636 4.3: plain when absent
		}
		if method != "S256" && (mode != pkcePlainOrS256 || method != "plain") {
			return http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "code_challenge_method must be S256"}
		}
		g.challenge, g.method = c.get("code_challenge"), method
	}
	code := "code-" + strconv.FormatUint(s.rng.Uint64(), 36)
	s.codes[code] = g
	if redirect == oob {
		page := fmt.Sprintf(`<html><body><p>Copy this authorization code and paste it to the application.</p><input class="oauth-code" readonly type="text" value="%s"></body></html>`, html.EscapeString(code))
		return http.StatusOK, rawHTML(page)
	}
	u, _ := url.Parse(redirect)
	q := u.Query()
	q.Set("code", code)
	if st := c.get("state"); st != "" {
		q.Set("state", st)
	}
	u.RawQuery = q.Encode()
	c.header.Set("Location", u.String())
	return http.StatusFound, rawHTML("")
}

// rawHTML is a body written as is, not as JSON.
type rawHTML string

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) clientCreds(c *call) (string, string) {
	if id, secret, ok := c.r.BasicAuth(); ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		return id, secret
	}
	return c.get("client_id"), c.get("client_secret")
}

func oauthError(code, desc string) (int, any) {
	return http.StatusBadRequest, map[string]string{"error": code, "error_description": desc}
}

func (s *Server) token(c *call) (int, any) {
	id, secret := s.clientCreds(c)
	a, ok := s.apps[id]
	if !ok || a.secret != secret {
		return http.StatusUnauthorized, map[string]string{"error": "invalid_client", "error_description": "Client authentication failed"}
	}
	if c.get("grant_type") != "authorization_code" {
		return oauthError("unsupported_grant_type", "The authorization grant type is not supported")
	}
	g, ok := s.codes[c.get("code")]
	if !ok || g.app != a.clientID || g.redirect != c.get("redirect_uri") {
		return oauthError("invalid_grant", "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.")
	}
	if g.challenge != "" {
		sum := sha256.Sum256([]byte(c.get("code_verifier")))
		got := base64.RawURLEncoding.EncodeToString(sum[:])
		if g.method == "plain" {
			got = c.get("code_verifier")
		}
		if got != g.challenge {
			return oauthError("invalid_grant", "The provided authorization grant is invalid")
		}
	}
	delete(s.codes, c.get("code"))
	tok := "token-" + strconv.FormatUint(s.rng.Uint64(), 36)
	s.tokens[tok] = g.account
	return http.StatusOK, map[string]any{"access_token": tok, "token_type": "Bearer", "scope": g.scope, "created_at": s.clock.Now().Unix()}
}

func (s *Server) revoke(c *call) (int, any) {
	id, secret := s.clientCreds(c)
	if a, ok := s.apps[id]; !ok || a.secret != secret {
		return http.StatusForbidden, map[string]string{"error": "unauthorized_client"}
	}
	delete(s.tokens, c.get("token"))
	return http.StatusOK, map[string]any{}
}

// RevokeToken revokes a token, as the user does from the server's
// settings (Authorized apps): later requests with it answer 401.
func (s *Server) RevokeToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.tokens, tok)
}

// TokenValid reports whether the server still accepts a token.
func (s *Server) TokenValid(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.tokens[tok]
	return ok
}
