package api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattn/go-mastodon"
	"golang.org/x/oauth2"
)

// Scopes are the only ones mastomigrate asks for: reading and writing the
// categories it migrates, reading the account and searching.
var Scopes = []string{
	"read:accounts", "read:search",
	"read:follows", "write:follows", "read:blocks", "write:blocks", "read:mutes", "write:mutes",
	"read:lists", "write:lists", "read:bookmarks", "write:bookmarks", "read:favourites", "write:favourites",
	"write:accounts",                                 // only used by --include profile
	"read:statuses", "write:statuses", "write:media", // only used by --include posts
	"read:filters", "write:filters", // filters, carried from a live old account
}

// ReadScopes are what reading an old account (--from) needs: nothing there
// is ever written (login --read-only).
var ReadScopes = []string{
	"read:accounts", "read:search", "read:follows", "read:blocks", "read:mutes", "read:lists",
	"read:bookmarks", "read:favourites", "read:filters",
}

// OOB is the redirect for copying the code by hand.
const OOB = "urn:ietf:wg:oauth:2.0:oob"

// App is an OAuth application registered on an instance.
type App struct {
	Instance     string `json:"instance"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	RedirectURI  string `json:"redirect_uri"`
	// Scopes are what the app asks for: nil means Scopes, the full set.
	Scopes []string `json:"scopes,omitempty"`
}

// RegisterAppScopes registers mastomigrate with the instance for one
// redirect URI, asking for scopes only (nil: Scopes), e.g. ReadScopes for
// an account that is only read. clock (nil: the system's) places a
// refusal's reset on our time.
func RegisterAppScopes(ctx context.Context, instance string, redirect string, hc *http.Client, scopes []string, clock Clock) (*App, error) {
	want := scopes
	if want == nil {
		want = Scopes
	}
	base, err := ParseInstance(instance)
	if err != nil {
		return nil, err
	}
	if clock == nil {
		clock = SystemClock
	}
	a, err := registerApp(ctx, base, redirect, hc, want, clock.Now())
	if err != nil {
		return nil, fmt.Errorf("registering the app on %s: %w", base.Host, err)
	}
	return &App{Instance: base.String(), ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURI: redirect, Scopes: scopes}, nil
}

// registerApp is POST /api/v1/apps (app/controllers/api/v1/
// apps_controller.rb). Sent here rather than by go-mastodon, whose error
// drops the headers: Mastodon (4.2.9+, 4.3+) allows 5 registrations per
// 10 minutes from one address (config/initializers/rack_attack.rb), and
// its 429 says until when only in X-RateLimit-Reset, which
// *RateLimitError carries.
func registerApp(ctx context.Context, base *url.URL, redirect string, hc *http.Client, scopes []string, now time.Time) (*mastodon.Application, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	form := url.Values{"client_name": {"mastomigrate"}, "redirect_uris": {redirect}, "scopes": {strings.Join(scopes, " ")},
		"website": {"https://github.com/mastomigrate/mastomigrate"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base.JoinPath("/api/v1/apps").String(), strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		rate, _ := parseRate(resp.Header, now)
		rate.Remaining = 0
		return nil, &RateLimitError{Method: req.Method, Path: req.URL.Path, Rate: rate}
	case resp.StatusCode != http.StatusOK:
		return nil, describe(req, resp.StatusCode, body)
	}
	var a mastodon.Application
	if err := json.Unmarshal(body, &a); err != nil || a.ClientID == "" {
		return nil, fmt.Errorf("POST %s: the answer has no client_id", req.URL.Path)
	}
	return &a, nil
}

func (a *App) oauth() *oauth2.Config {
	scopes := a.Scopes
	if scopes == nil {
		scopes = Scopes
	}
	return &oauth2.Config{
		ClientID: a.ClientID, ClientSecret: a.ClientSecret, RedirectURL: a.RedirectURI, Scopes: scopes,
		Endpoint: oauth2.Endpoint{AuthURL: a.Instance + "/oauth/authorize", TokenURL: a.Instance + "/oauth/token"},
	}
}

// AuthURL is the page where the person approves the app. It carries a
// PKCE S256 challenge for verifier and the state value; servers before
// Mastodon 4.3 ignore the challenge, and the flow still works there.
func (a *App) AuthURL(state, verifier string) string {
	return a.oauth().AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))
}

// Exchange trades the code for an access token.
func (a *App) Exchange(ctx context.Context, code, verifier string, hc *http.Client) (string, error) {
	if hc != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
	}
	tok, err := a.oauth().Exchange(ctx, strings.TrimSpace(code), oauth2.VerifierOption(verifier))
	if err != nil {
		var re *oauth2.RetrieveError
		if ok := asRetrieve(err, &re); ok {
			msg := re.ErrorCode
			if re.ErrorDescription != "" {
				msg += ": " + re.ErrorDescription
			}
			return "", fmt.Errorf("the instance refused the code (%s)", msg)
		}
		return "", fmt.Errorf("exchanging the code: %w", err)
	}
	return tok.AccessToken, nil
}

// NewAuthRequest makes what one approval round trip carries: the state
// value the redirect must bring back, and the PKCE verifier.
func NewAuthRequest() (state, verifier string) {
	b := make([]byte, 18)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b), oauth2.GenerateVerifier()
}

// CallbackCode reads the code from the query the instance's redirect
// brought back, refusing one without the state value we sent: the
// terminal's loopback listener and the web page's callback both read it.
func CallbackCode(q url.Values, state string) (string, error) {
	switch {
	case q.Get("state") != state:
		return "", errors.New("the browser came back with the wrong state value; try logging in again")
	case q.Get("error") != "":
		return "", fmt.Errorf("the instance refused: %s %s", q.Get("error"), q.Get("error_description"))
	case q.Get("code") == "":
		return "", errors.New("the browser came back without a code")
	}
	return q.Get("code"), nil
}

// Finish ends a login: it trades the code for a token, checks the token
// by reading the account, and keeps the login in tokens (saved). It
// returns the account's full handle; the token stays in the store.
func (a *App) Finish(ctx context.Context, code, verifier string, opts Options, tokens *Tokens) (string, error) {
	var hc *http.Client
	if opts.Transport != nil {
		hc = &http.Client{Transport: opts.Transport}
	}
	token, err := a.Exchange(ctx, code, verifier, hc)
	if err != nil {
		return "", err
	}
	opts.Token = token
	c, err := New(a.Instance, opts)
	if err != nil {
		return "", err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return "", fmt.Errorf("checking the new token: %w", err)
	}
	account := me.Acct + "@" + c.Domain(ctx)
	tokens.Put(&Login{Account: account, App: *a, Token: token})
	if err := tokens.Save(); err != nil {
		return "", fmt.Errorf("saving the token: %w", err)
	}
	return account, nil
}

// Revoke tells the instance to forget a token.
func (a *App) Revoke(ctx context.Context, token string, hc *http.Client) error {
	if hc == nil {
		hc = http.DefaultClient
	}
	form := url.Values{"client_id": {a.ClientID}, "client_secret": {a.ClientSecret}, "token": {token}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, a.Instance+"/oauth/revoke", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := hc.Do(req)
	if err != nil {
		return unwrapURLError(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return &Error{Status: resp.StatusCode, Method: http.MethodPost, Path: "/oauth/revoke"}
	}
	return nil
}

func asRetrieve(err error, re **oauth2.RetrieveError) bool {
	r, ok := err.(*oauth2.RetrieveError)
	if ok {
		*re = r
	}
	return ok
}
