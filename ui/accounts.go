package ui

import (
	"context"
	"net/http"

	"github.com/mastomigrate/mastomigrate/api"
)

// pendingLogin is a login sent to the instance's approval page, until
// its redirect comes back.
type pendingLogin struct {
	app      *api.App
	verifier string
	role     string // "to" or "from"
}

type accountsData struct {
	pageError
	To, From string
	Stored   []string // the CLI's logins: handles only, never tokens
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) {
	d := accountsData{}
	if tokens, err := s.cfg.Tokens(); err != nil {
		d.pageError = failed(err.Error())
	} else {
		d.Stored = tokens.Accounts()
	}
	s.mu.Lock()
	d.To, d.From = s.to, s.from
	if d.Msg == "" {
		d.pageError, s.loginErr = failed(s.loginErr), ""
	}
	s.mu.Unlock()
	s.render(w, r, "accounts", d)
}

// useAccount chooses a stored login (or none, for the old account).
func (s *Server) useAccount(w http.ResponseWriter, r *http.Request) {
	account, role := r.PostFormValue("account"), r.PostFormValue("role")
	if account != "" {
		tokens, err := s.cfg.Tokens()
		if err != nil {
			s.render(w, r, "accounts", accountsData{pageError: failed(err.Error())})
			return
		}
		if _, ok := tokens.Find(account); !ok {
			s.render(w, r, "accounts", accountsData{pageError: failed("no stored login for " + account)})
			return
		}
	}
	s.mu.Lock()
	switch role {
	case "from":
		s.from = account
	default:
		if account != "" {
			s.to = account
		}
	}
	s.mu.Unlock()
	http.Redirect(w, r, "/accounts", http.StatusSeeOther)
}

// startLogin registers the app on the instance with this page's
// callback, then sends the browser to the instance's approval page: the
// same OAuth + PKCE flow as `mastomigrate login`, read-only for the old
// account.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request) {
	role := "to"
	if r.PostFormValue("role") == "from" {
		role = "from"
	}
	base, err := api.ParseInstance(r.PostFormValue("instance"))
	if err != nil {
		s.render(w, r, "accounts", s.accountsError(err, role+"-instance"))
		return
	}
	var scopes []string
	if role == "from" {
		scopes = api.ReadScopes
	}
	hc := s.httpClient()
	app, err := api.RegisterAppScopes(r.Context(), base.String(), "http://"+s.addr+"/oauth/callback", hc, scopes, s.cfg.Env.Clock)
	if err != nil {
		s.render(w, r, "accounts", s.accountsError(err, role+"-instance"))
		return
	}
	state, verifier := api.NewAuthRequest()
	s.mu.Lock()
	s.logins[state] = &pendingLogin{app: app, verifier: verifier, role: role}
	s.mu.Unlock()
	http.Redirect(w, r, app.AuthURL(state, verifier), http.StatusSeeOther)
}

// accountsError is the accounts screen with err, caused by field.
func (s *Server) accountsError(err error, field string) accountsData {
	d := accountsData{pageError: pageError{err.Error(), field}}
	if tokens, err := s.cfg.Tokens(); err == nil {
		d.Stored = tokens.Accounts()
	}
	s.mu.Lock()
	d.To, d.From = s.to, s.from
	s.mu.Unlock()
	return d
}

func (s *Server) httpClient() *http.Client {
	if s.cfg.Transport == nil {
		return http.DefaultClient
	}
	return &http.Client{Transport: s.cfg.Transport}
}

// callback is where the instance sends the browser back. Only a state
// value this launch made is taken (it stands in for the cookie, which
// a navigation from another site does not carry), once.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	s.mu.Lock()
	pl, ok := s.logins[state]
	delete(s.logins, state)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "refused: no login was started here with that state; start again from the Accounts screen", http.StatusForbidden)
		return
	}
	account, err := s.finishLogin(r.Context(), pl, r.URL.Query(), state)
	s.mu.Lock()
	if err != nil {
		s.loginErr = err.Error()
	} else if pl.role == "from" {
		s.from = account
	} else {
		s.to = account
	}
	s.mu.Unlock()
	// A page of ours, not a redirect: the navigation that came from the
	// instance carries no cookie, the next one (from this page) does.
	s.render(w, r, "callback", accountsData{To: account})
}

func (s *Server) finishLogin(ctx context.Context, pl *pendingLogin, q map[string][]string, state string) (string, error) {
	code, err := api.CallbackCode(q, state)
	if err != nil {
		return "", err
	}
	tokens, err := s.cfg.Tokens()
	if err != nil {
		return "", err
	}
	return pl.app.Finish(ctx, code, pl.verifier, api.Options{Transport: s.cfg.Transport, Clock: s.cfg.Env.Clock}, tokens)
}
