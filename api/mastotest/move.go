package mastotest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// The account move, as each flavour does it:
//
//   - WebFinger (GET /.well-known/webfinger) and the actor document (GET
//     /users/:name with an ActivityPub Accept header) are public, on both.
//   - GoToSocial sets the alias and makes the move by API (POST
//     /api/v1/accounts/alias, POST /api/v1/accounts/move); Mastodon has no
//     such endpoints (404) and does both on the web, which tests play with
//     SetAliasesWeb and MoveWeb.
//   - After a move the old account's token is refused in part: GoToSocial
//     403s lookup, search and every write; Mastodon 403s everything but
//     reading an account by id.
//
// Two fake servers federate when Federate is called with both: each then
// finds the other's accounts by URI, as GoToSocial's dereferencing does.

// moveState is one server's move-related state, all under s.mu.
type moveState struct {
	aliases         []string // alsoKnownAs URIs of "me"
	password        string
	peers           map[string]*Server // by Domain
	authorizedFetch bool
	delay           time.Duration // between an accepted GoToSocial move and `moved`
	pending         string        // account id "me" will have moved to
	dueAt           time.Time
	movedAt         time.Time
	lastTarget      string // URI of the last move's target
	moves           int    // accepted move requests
}

func (s *Server) mv() *moveState {
	if s.move == nil {
		s.move = &moveState{password: DefaultPassword, peers: map[string]*Server{}, delay: time.Minute}
	}
	return s.move
}

// DefaultPassword is "me"'s password unless WithPassword says otherwise.
const DefaultPassword = "correct horse battery staple"

// WithPassword sets "me"'s password, which a GoToSocial move needs.
func WithPassword(p string) Option { return func(s *Server) { s.mv().password = p } }

// WithAuthorizedFetch plays Mastodon's AUTHORIZED_FETCH mode: an unsigned
// request for an actor gets the reduced actor, without alsoKnownAs
// (app/controllers/accounts_controller.rb restrict_fields_to).
func WithAuthorizedFetch() Option { return func(s *Server) { s.mv().authorizedFetch = true } }

// WithMoveDelay sets how long (on the server's clock) GoToSocial takes to
// show `moved` after accepting a move: the move is processed by a worker
// (internal/processing/account/move.go enqueues it). One minute by default.
func WithMoveDelay(d time.Duration) Option { return func(s *Server) { s.mv().delay = d } }

// Federate lets the servers find each other's accounts by URI.
func Federate(servers ...*Server) {
	for _, a := range servers {
		for _, b := range servers {
			if a != b {
				a.mu.Lock()
				a.mv().peers[b.Domain] = b
				a.mu.Unlock()
			}
		}
	}
}

// MeURI is the ActivityPub URI of "me".
func (s *Server) MeURI() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uri(s.accounts[s.MeID])
}

// Aliases returns "me"'s alsoKnownAs URIs.
func (s *Server) Aliases() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.mv().aliases)
}

// SetAliasesWeb sets "me"'s aliases as a person does on Mastodon's
// /settings/aliases page (app/controllers/settings/aliases_controller.rb).
func (s *Server) SetAliasesWeb(uris ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mv().aliases = slices.Clone(uris)
}

// SetFollowersCount sets "me"'s followers count.
func (s *Server) SetFollowersCount(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.accounts[s.MeID].FollowersCount = n
}

// MoveRequests is how many GoToSocial move requests were accepted.
func (s *Server) MoveRequests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mv().moves
}

// MoveWeb moves "me" to the account at targetURI as a person does on
// Mastodon's /settings/migration page (app/models/account_migration.rb):
// the target must list "me" in its alsoKnownAs (validate_target_account),
// not be where "me" has already moved, and no move may have been made in
// the last 30 days (COOLDOWN_PERIOD). The move shows at once
// (moved_to_account is set on save; MoveWorker moves the followers later).
func (s *Server) MoveWeb(targetURI string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	me := s.accounts[s.MeID]
	aka, _, found := s.peerActor(targetURI)
	switch {
	case !found:
		return fmt.Errorf("%s not found", targetURI)
	case !slices.Contains(aka, s.uri(me)):
		return errors.New("the target does not list this account as an alias")
	case me.MovedTo != "" && s.mv().lastTarget == targetURI:
		return errors.New("already moved to this account")
	case !s.mv().movedAt.IsZero() && s.clock.Now().Sub(s.mv().movedAt) < 30*24*time.Hour:
		return errors.New("on cooldown: one move every 30 days")
	}
	me.MovedTo = s.remoteFor(targetURI)
	s.mv().movedAt = s.clock.Now()
	s.mv().lastTarget = targetURI
	return nil
}

func init() {
	handle("GET", "/.well-known/webfinger", (*Server).webfinger).public = true
	handle("GET", "/users/:name", (*Server).actor).public = true
	handle("POST", "/api/v1/accounts/alias", (*Server).alias)
	handle("POST", "/api/v1/accounts/move", (*Server).moveAccount)
}

// serveMove runs a handler with what a move changes around it: a
// GoToSocial move becomes visible when due, a moved account's token is
// refused where the flavour refuses it, and GoToSocial's
// verify_credentials carries the aliases. s.mu is held.
func (s *Server) serveMove(rt *route, c *call) (int, any) {
	m := s.mv()
	if m.pending != "" && !s.clock.Now().Before(m.dueAt) {
		s.accounts[s.MeID].MovedTo, m.pending = m.pending, ""
		m.movedAt = s.clock.Now()
	}
	if c.me != "" && c.me == s.MeID && s.accounts[s.MeID].MovedTo != "" {
		if s.flavour.GoToSocial() {
			// Observed on GoToSocial 0.20: after the move the old token still
			// reads (verify_credentials, accounts/:id, following, lists) but
			// lookup, search and every write are refused. The move itself
			// stays open: moving again to the same target reprocesses it
			// (internal/processing/account/move.go).
			write := rt.method != http.MethodGet && rt.pattern != "/api/v1/accounts/move"
			if write || rt.pattern == "/api/v1/accounts/lookup" || rt.pattern == "/api/v2/search" {
				return http.StatusForbidden, apiError("Forbidden: your account has Moved")
			}
		} else if !(rt.method == http.MethodGet && rt.pattern == "/api/v1/accounts/:id") {
			// Mastodon: a moved account's user is not functional
			// (app/models/user.rb functional?), so require_user! refuses it
			// (app/controllers/api/base_controller.rb); reading an account by
			// id only checks the token's scope (authorize_if_got_token!).
			return http.StatusForbidden, apiError("Your login is currently disabled")
		}
	}
	status, body := rt.h(s, c)
	if s.flavour.GoToSocial() && rt.pattern == "/api/v1/accounts/verify_credentials" && status == http.StatusOK {
		if j, ok := body.(map[string]any); ok {
			j["source"] = s.source()
		}
	}
	return status, body
}

// source is GoToSocial's Source of "me": also_known_as_uris is omitted
// when empty (internal/api/model/source.go).
func (s *Server) source() map[string]any {
	src := s.profileSource() // extras.go
	if a := s.mv().aliases; len(a) > 0 {
		src["also_known_as_uris"] = slices.Clone(a)
	}
	return src
}

// notRoute is the 404 of a route the flavour lacks, as for unknown routes.
func notRoute(c *call) (int, any) {
	return http.StatusNotFound, apiError("Not found: " + c.r.Method + " " + c.r.URL.Path)
}

// webfinger answers acct: resources of local accounts
// (Mastodon app/controllers/well_known/webfinger_controller.rb; GoToSocial
// internal/api/wellknown/webfinger).
func (s *Server) webfinger(c *call) (int, any) {
	res := c.get("resource")
	if res == "" {
		return http.StatusBadRequest, apiError("resource parameter missing")
	}
	user, domain, _ := strings.Cut(strings.TrimPrefix(strings.ToLower(res), "acct:"), "@")
	if domain != s.Domain {
		return notFound()
	}
	a := s.findAcct(user)
	if a == nil || a.Domain != "" {
		return notFound()
	}
	return http.StatusOK, map[string]any{
		"subject": "acct:" + a.Username + "@" + s.Domain,
		"aliases": []string{s.uri(a), "https://" + s.Domain + "/@" + a.Username},
		"links": []map[string]string{
			{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": "https://" + s.Domain + "/@" + a.Username},
			{"rel": "self", "type": "application/activity+json", "href": s.uri(a)},
		},
	}
}

// actor is the ActivityPub actor of a local account (Mastodon
// app/serializers/activitypub/actor_serializer.rb: alsoKnownAs only when
// set, movedTo when moved). GoToSocial answers unsigned fetches 401 (it
// always requires HTTP signatures, docs/federation/federating_with_gotosocial.md);
// Mastodon in authorized-fetch mode gives unsigned ones the reduced actor.
func (s *Server) actor(c *call) (int, any) {
	accept := c.r.Header.Get("Accept")
	if !strings.Contains(accept, "activity+json") && !strings.Contains(accept, "ld+json") {
		return http.StatusOK, rawHTML("<!DOCTYPE html><html><body>profile page</body></html>")
	}
	a := s.findAcct(c.ids[0])
	if a == nil || a.Domain != "" {
		return notFound()
	}
	signed := c.r.Header.Get("Signature") != ""
	if s.flavour.GoToSocial() && !signed {
		return http.StatusUnauthorized, apiError("Unauthorized: not authorized")
	}
	uri := s.uri(a)
	j := map[string]any{
		"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                uri,
		"type":              "Person",
		"preferredUsername": a.Username,
		"inbox":             uri + "/inbox",
		"publicKey":         map[string]string{"id": uri + "#main-key", "owner": uri, "publicKeyPem": "-----BEGIN PUBLIC KEY-----\n…"},
		"endpoints":         map[string]string{"sharedInbox": "https://" + s.Domain + "/inbox"},
	}
	if s.mv().authorizedFetch && !signed {
		return http.StatusOK, j
	}
	j["outbox"] = uri + "/outbox"
	j["followers"] = uri + "/followers"
	j["following"] = uri + "/following"
	j["name"] = a.Username
	j["url"] = "https://" + s.Domain + "/@" + a.Username
	if a.ID == s.MeID {
		if aka := s.mv().aliases; len(aka) > 0 {
			j["alsoKnownAs"] = slices.Clone(aka)
		}
	}
	if t, ok := s.accounts[a.MovedTo]; ok {
		j["movedTo"] = s.uri(t)
	}
	return http.StatusOK, j
}

// alias is GoToSocial's POST /api/v1/accounts/alias
// (internal/api/client/accounts/accountalias.go,
// internal/processing/account/alias.go): the list replaces the aliases;
// it is bound from a JSON array or repeated `also_known_as_uris` form
// keys, so the `also_known_as_uris[]` form is not seen and the list is
// empty, which clears every alias. Each URI must be http(s) (400) and
// resolve to an account that is not suspended (422); the account's own
// URI is skipped.
func (s *Server) alias(c *call) (int, any) {
	if !s.flavour.GoToSocial() {
		return notRoute(c)
	}
	var uris []string
	if strings.HasPrefix(c.r.Header.Get("Content-Type"), "application/json") {
		var v struct {
			URIs []string `json:"also_known_as_uris"`
		}
		data, _ := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
		if err := json.Unmarshal(data, &v); err != nil {
			return http.StatusBadRequest, apiError("Bad Request: " + err.Error())
		}
		uris = v.URIs
	} else {
		uris = c.form["also_known_as_uris"]
	}
	me := s.accounts[c.me]
	var out []string
	for _, raw := range uris {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			return http.StatusBadRequest, apiError(fmt.Sprintf("Bad Request: invalid also_known_as_uri (%s) provided in account alias request", raw))
		}
		norm := u.String()
		if slices.Contains(out, norm) || norm == s.uri(me) {
			continue
		}
		if _, _, found := s.peerActor(norm); !found {
			return http.StatusUnprocessableEntity, apiError(fmt.Sprintf("Unprocessable Entity: error dereferencing also_known_as_uri (%s) account", raw))
		}
		out = append(out, norm)
	}
	s.mv().aliases = out
	j := s.accountJSON(me)
	j["source"] = s.source()
	return http.StatusOK, j
}

// moveAccount is GoToSocial's POST /api/v1/accounts/move
// (internal/api/client/accounts/accountmove.go,
// internal/processing/account/move.go), checked in that order: a
// missing or non-http(s) moved_to_uri or a missing or wrong password
// → 400; already moved elsewhere → 422 (the same target again is
// accepted: "reprocessing Move side effects"); a target that cannot be
// dereferenced, has moved, or does not list this account in alsoKnownAs
// → 422; a move within 7 days of the last one → 422
// (docs/user_guide/migration.md). Accepted → 202, and `moved` shows once
// the worker has run (WithMoveDelay).
func (s *Server) moveAccount(c *call) (int, any) {
	if !s.flavour.GoToSocial() {
		return notRoute(c)
	}
	m := s.mv()
	target := c.get("moved_to_uri")
	if target == "" {
		return http.StatusBadRequest, apiError("Bad Request: no moved_to_uri provided in account Move request")
	}
	if u, err := url.Parse(target); err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return http.StatusBadRequest, apiError("Bad Request: invalid moved_to_uri provided in account Move request")
	}
	if c.get("password") == "" {
		return http.StatusBadRequest, apiError("Bad Request: no password provided in account Move request")
	}
	if c.get("password") != m.password {
		return http.StatusBadRequest, apiError("Bad Request: invalid password provided in account Move request")
	}
	me := s.accounts[c.me]
	already := m.lastTarget != "" && (me.MovedTo != "" || m.pending != "")
	if already && m.lastTarget != target {
		return http.StatusUnprocessableEntity, apiError(fmt.Sprintf("Unprocessable Entity: account %s is already Moved to %s, cannot also Move to %s", s.uri(me), m.lastTarget, target))
	}
	aka, moved, found := s.peerActor(target)
	switch {
	case !found:
		return http.StatusUnprocessableEntity, apiError("Unprocessable Entity: error dereferencing moved_to_uri account")
	case !slices.Contains(aka, s.uri(me)):
		return http.StatusUnprocessableEntity, apiError(fmt.Sprintf("Unprocessable Entity: target account %s is not aliased to this account via alsoKnownAs; "+
			"to Move to the target account from this one, you must log in to the target account and set alsoKnownAs to %s; "+
			"if you only just changed it, please wait five minutes and try this action again", target, s.uri(me)))
	case moved != "":
		return http.StatusUnprocessableEntity, apiError(fmt.Sprintf("Unprocessable Entity: target account %s has already Moved somewhere else (%s)", target, moved))
	case !already && !m.movedAt.IsZero() && s.clock.Now().Sub(m.movedAt) < 7*24*time.Hour:
		return http.StatusUnprocessableEntity, apiError("Unprocessable Entity: your account has moved within the last 7 days; try again later")
	}
	m.moves++
	m.lastTarget = target
	if me.MovedTo == "" {
		m.pending, m.dueAt = s.remoteFor(target), s.clock.Now().Add(m.delay)
	}
	return http.StatusAccepted, map[string]string{"message": "accepted"}
}

// SeedMovedAt records a move made at t (for the 7-day cooldown) without
// moving the account now, as after a move that was later undone.
func (s *Server) SeedMovedAt(t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mv().movedAt = t
}

// peerActor finds the account at uri on this server or a federated one,
// with its aliases and where it moved. s.mu is held; the peer's lock is
// taken (the tests never have two servers dereference each other at the
// same moment).
func (s *Server) peerActor(uri string) (aka []string, movedTo string, found bool) {
	u, err := url.Parse(uri)
	if err != nil {
		return nil, "", false
	}
	name, ok := strings.CutPrefix(u.Path, "/users/")
	if !ok {
		return nil, "", false
	}
	look := func(p *Server) {
		a := p.findAcct(name)
		if a == nil || a.Domain != "" {
			return
		}
		found = true
		if a.ID == p.MeID {
			aka = slices.Clone(p.mv().aliases)
		}
		if t, ok := p.accounts[a.MovedTo]; ok {
			movedTo = p.uri(t)
		}
	}
	host := strings.ToLower(u.Host)
	if host == s.Domain {
		look(s)
		return
	}
	if p, ok := s.mv().peers[host]; ok {
		p.mu.Lock()
		look(p)
		p.mu.Unlock()
	}
	return
}

// remoteFor returns the id of the (remote) account at uri, adding it.
func (s *Server) remoteFor(uri string) string {
	u, _ := url.Parse(uri)
	name := strings.TrimPrefix(u.Path, "/users/")
	domain := strings.ToLower(u.Host)
	if domain == s.Domain {
		domain = ""
	}
	for _, a := range s.accounts {
		if a.Username == name && a.Domain == domain {
			return a.ID
		}
	}
	a := &Account{ID: s.id(), Username: name, Domain: domain}
	s.accounts[a.ID] = a
	return a.ID
}

// Transport sends requests for each server's domain (https://old.example/…)
// to that server on loopback, so tests use the addresses people use; other
// hosts go to base (nil: http.DefaultTransport).
func Transport(base http.RoundTripper, servers ...*Server) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	hosts := map[string]*url.URL{}
	for _, s := range servers {
		u, _ := url.Parse(s.URL)
		hosts[s.Domain] = u
	}
	return roundTripper(func(r *http.Request) (*http.Response, error) {
		if u, ok := hosts[strings.ToLower(r.URL.Host)]; ok {
			r = r.Clone(r.Context())
			r.URL.Scheme, r.URL.Host = u.Scheme, u.Host
		}
		return base.RoundTrip(r)
	})
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// AddToken makes tok another valid token for "me": two fake servers start
// with the same token, and tests of where tokens go need them apart.
func (s *Server) AddToken(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tokens[tok] = s.MeID
}
