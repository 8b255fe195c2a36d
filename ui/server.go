// Package ui is mastomigrate's face in the browser: a small web app on
// this machine's loopback address that reads the exports, shows the plan,
// logs in, runs and reports a migration through the same engine (package
// migrate) as the commands. It implements migrate.Person for the page and
// holds no planning, replay or outcome logic of its own.
package ui

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
)

//go:embed assets
var assets embed.FS

// Config is what the page needs from the program that starts it.
type Config struct {
	// Env is the engine's: StateDir, Clock and HTTP; its Accounts is
	// replaced by each run's from Accounts.
	Env migrate.Env
	// Accounts opens accounts from the stored logins, telling rate-limit
	// waits to waiting (shown on the page).
	Accounts func(waiting func(api.Wait)) migrate.Accounts
	// Tokens loads the CLI's token store, where a login made here is kept
	// too, so `mastomigrate resume` can continue a run started here.
	Tokens func() (*api.Tokens, error)
	// Transport reaches the instances (tests: the fake); nil: the default.
	Transport http.RoundTripper
}

// Server is one launch of the page: its address, its secret and the
// migration it drives.
type Server struct {
	cfg    Config
	addr   string // host:port the browser must name (Host header)
	secret string
	mux    *http.ServeMux
	pages  map[string]*template.Template
	live   *live
	ctx    context.Context // ends with Close: a run in flight is paused
	cancel context.CancelFunc

	mu       sync.Mutex
	exports  []export
	bad      []fileProblem // the last additions that could not be read
	to       string        // the new account (a stored login's handle)
	from     string        // the old account, read-only; "" for none
	include  []string      // the opt-in extras (migrate.Includable) chosen
	logins   map[string]*pendingLogin
	loginErr string
	run      *activeRun
	ended    int // runs and moves ended: the target may have changed

	planMu  sync.Mutex // one plan made at a time
	planned *keptPlan
	plans   int // plans made, for the tests
}

// cookieName is the cookie that carries the launch's secret once the
// printed address was opened. Cookies are kept by host, not by port: each
// launch's name has its port, so two pages open at once keep theirs.
func (s *Server) cookieName() string {
	_, port, _ := net.SplitHostPort(s.addr)
	return "mastomigrate_ui_" + port
}

// secretParam is the printed address's query parameter with the secret.
const secretParam = "key"

// Listen opens the page's listener: on addr when given, which must be a
// loopback address (the page drives your accounts: no other machine may
// reach it), else on a free port of 127.0.0.1.
func Listen(addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %w", addr, err)
	}
	if host == "localhost" {
		// Resolving it could give another address; the literal cannot.
		addr = strings.Replace(addr, "localhost", "127.0.0.1", 1)
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return nil, fmt.Errorf("--listen %s: not a loopback address; the page listens on this machine only (e.g. 127.0.0.1:8080)", addr)
	}
	return net.Listen("tcp", addr)
}

// New prepares the page for a listener's address (Listen's Addr()).
func New(cfg Config, addr string) (*Server, error) {
	if cfg.Env.StateDir == "" || cfg.Accounts == nil || cfg.Tokens == nil {
		return nil, errors.New("ui: the state folder, accounts and token store are needed")
	}
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, addr: addr, secret: base64.RawURLEncoding.EncodeToString(b), mux: http.NewServeMux(),
		live: newLive(cfg.Env.Clock), ctx: ctx, cancel: cancel, logins: map[string]*pendingLogin{}}
	if err := s.parsePages(); err != nil {
		return nil, err
	}
	s.routes()
	return s, nil
}

// URL is the address to open: it carries the launch's secret.
func (s *Server) URL() string {
	return "http://" + s.addr + "/?" + secretParam + "=" + s.secret
}

// Close pauses a run in flight and waits until it has journaled what
// was in flight.
func (s *Server) Close() {
	s.cancel()
	s.mu.Lock()
	r := s.run
	s.mu.Unlock()
	if r != nil {
		<-r.done
	}
}

func (s *Server) routes() {
	static, _ := fs.Sub(assets, "assets/static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /{$}", s.home)
	s.mux.HandleFunc("GET /exports", s.exportsPage)
	s.mux.HandleFunc("POST /exports/path", s.addPath)
	s.mux.HandleFunc("POST /exports/upload", s.upload)
	s.mux.HandleFunc("POST /exports/remove", s.removeExport)
	s.mux.HandleFunc("GET /plan", s.planPage)
	s.mux.HandleFunc("GET /plan.json", s.planJSON)
	s.mux.HandleFunc("POST /plan/include", s.setInclude)
	s.mux.HandleFunc("GET /accounts", s.accountsPage)
	s.mux.HandleFunc("POST /accounts/use", s.useAccount)
	s.mux.HandleFunc("POST /accounts/login", s.startLogin)
	s.mux.HandleFunc("GET /oauth/callback", s.callback)
	s.mux.HandleFunc("GET /run", s.runPage)
	s.mux.HandleFunc("GET /run/events", s.events)
	s.mux.HandleFunc("POST /run/start", s.startRun)
	s.mux.HandleFunc("POST /run/pause", s.pauseRun)
	s.mux.HandleFunc("POST /run/continue", s.continueRun)
	s.mux.HandleFunc("POST /run/answer", s.answer)
	s.mux.HandleFunc("GET /report", s.reportPage)
	s.mux.HandleFunc("GET /report/csv/{name}", s.reportCSV)
	s.mux.HandleFunc("POST /move/start", s.startMove)
}

// csp allows only the page's own script and style: no inline script, no
// other origin. Forms post to the page itself, and the login's redirect
// goes on to the instance (https, or plain http on this machine, as
// api.ParseInstance allows), which form-action also governs.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self' https: http://127.0.0.1:* http://localhost:* http://[::1]:*; base-uri 'none'; frame-ancestors 'none'"

// ServeHTTP refuses what did not come from the page opened at the printed
// address, then serves it:
//   - a Host other than the address listened on (a DNS-rebinding page
//     reaching 127.0.0.1 under its own name);
//   - no secret: the printed address's key, or the cookie it set (another
//     local user, or a web page guessing the port);
//   - a state-changing request from another origin (a page posting a
//     form here with the cookie).
//
// The login's callback comes back from the instance, a navigation from
// another site that carries no SameSite=Strict cookie: the state value
// of the login started here stands in for the secret.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	// Not no-referrer: with it, a browser sends "Origin: null" on the
	// page's own posts. The address with the key is never a referrer:
	// its visit is redirected before anything loads.
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.Host != s.addr {
		http.Error(w, "refused: this page answers only at http://"+s.addr, http.StatusMisdirectedRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead && r.Header.Get("Origin") != "http://"+s.addr {
		http.Error(w, "refused: a change asked from another page", http.StatusForbidden)
		return
	}
	if key := r.URL.Query().Get(secretParam); key != "" && s.isSecret(key) {
		http.SetCookie(w, &http.Cookie{Name: s.cookieName(), Value: s.secret, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
		q := r.URL.Query()
		q.Del(secretParam)
		u := url.URL{Path: r.URL.Path, RawQuery: q.Encode()}
		http.Redirect(w, r, u.String(), http.StatusSeeOther)
		return
	}
	c, err := r.Cookie(s.cookieName())
	if (err != nil || !s.isSecret(c.Value)) && r.URL.Path != "/oauth/callback" {
		http.Error(w, "refused: open the address `mastomigrate ui` printed (it carries this launch's key)", http.StatusForbidden)
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) isSecret(v string) bool {
	return subtle.ConstantTimeCompare([]byte(v), []byte(s.secret)) == 1
}

// home opens on the migration's status when one is unfinished (or runs),
// else on the first step: a finished migration is history, and the
// person who comes back has a new one in mind.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if _, err := migrate.LatestUnfinished(s.cfg.Env.StateDir); err == nil || s.Running() {
		http.Redirect(w, r, "/run", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
}
