package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// factory holds what commands share, built once in main and replaced
// piece by piece in tests: streams, where tokens live, how to reach the
// network, how to open a browser. Nothing here touches the network until
// a command asks.
type factory struct {
	IO          *streams
	TokensPath  func() (string, error)
	Transport   http.RoundTripper // nil: the default transport
	OpenBrowser func(url string) error
	Getenv      func(string) string
	Clock       api.Clock
	// StateDir is where journals live (issue: replay and resume).
	StateDir func() (string, error)
	// sending is set while a command that has requests in flight runs,
	// for the note main prints on Ctrl-C.
	sending atomic.Bool
}

func newFactory(s *streams) *factory {
	return &factory{
		IO:          s,
		TokensPath:  api.DefaultTokensPath,
		OpenBrowser: openBrowser,
		Getenv:      os.Getenv,
		Clock:       api.SystemClock,
		StateDir:    defaultStateDir,
	}
}

func (f *factory) httpClient() *http.Client {
	if f.Transport == nil {
		return http.DefaultClient
	}
	return &http.Client{Transport: f.Transport}
}

func openBrowser(url string) error {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	return cmd.Start()
}

// defaultStateDir is where journals live: see stateDir. The platform's
// own place is %LocalAppData% on Windows (os.UserCacheDir there: kept on
// this machine, not roamed to others) and ~/Library/Application Support
// on macOS (os.UserConfigDir, beside the tokens).
func defaultStateDir() (string, error) {
	var native func() (string, error)
	switch runtime.GOOS {
	case "windows":
		native = os.UserCacheDir
	case "darwin":
		native = os.UserConfigDir
	}
	return stateDir(os.Getenv("XDG_STATE_HOME"), os.UserHomeDir, native)
}

// stateDir is $XDG_STATE_HOME/mastomigrate where that is set. Otherwise it
// is ~/.local/state/mastomigrate, where earlier versions kept journals on
// every system, when that folder exists or the system has no place of its
// own (native nil); else the mastomigrate folder in native's.
func stateDir(xdg string, home, native func() (string, error)) (string, error) {
	if xdg != "" {
		return filepath.Join(xdg, "mastomigrate"), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("finding the state folder: %w", err)
	}
	legacy := filepath.Join(h, ".local", "state", "mastomigrate")
	if st, err := os.Stat(legacy); native == nil || err == nil && st.IsDir() {
		return legacy, nil
	}
	dir, err := native()
	if err != nil {
		return "", fmt.Errorf("finding the state folder: %w", err)
	}
	return filepath.Join(dir, "mastomigrate"), nil
}

// tokens loads the token file.
func (f *factory) tokens() (*api.Tokens, error) {
	path, err := f.TokensPath()
	if err != nil {
		return nil, err
	}
	return api.LoadTokens(path)
}

// journals lists the migrations' journals, newest first.
func (f *factory) journals() ([]string, error) {
	dir, err := f.StateDir()
	if err != nil {
		return nil, err
	}
	return journal.List(dir)
}

// tokenEnv lets scripts pass a token without a flag: flags show in ps.
const tokenEnv = "MASTOMIGRATE_TOKEN"

// errNotLoggedIn says how to fix it.
var errNotLoggedIn = errors.New("not logged in")

// client returns an API client for --to: a stored login for an account,
// or MASTOMIGRATE_TOKEN with an instance address or handle.
func (f *factory) client(to string) (*api.Client, string, error) { return f.clientEnv(tokenEnv, to) }

// clientEnv is client with the token taken from the variable env, when
// set: `move` reads the old account's from its own variable.
func (f *factory) clientEnv(env, to string) (*api.Client, string, error) {
	return f.clientWaiting(env, to, nil)
}

// clientWaiting is clientEnv telling rate-limit waits to waiting (nil: a
// line on stderr).
func (f *factory) clientWaiting(env, to string, waiting func(api.Wait)) (*api.Client, string, error) {
	if waiting == nil {
		waiting = f.rateLimited()
	}
	opts := api.Options{Transport: f.Transport, Clock: f.Clock, Waiting: waiting}
	if tok := f.Getenv(env); tok != "" {
		instance := to
		if user, domain, ok := strings.Cut(strings.TrimPrefix(to, "@"), "@"); ok && user != "" && !strings.Contains(to, "://") {
			instance = domain
		}
		opts.Token = tok
		c, err := api.New(instance, opts)
		return c, to, err
	}
	tokens, err := f.tokens()
	if err != nil {
		return nil, "", err
	}
	login, ok := tokens.Find(to)
	if !ok {
		// --to may name the instance: take its only login.
		if base, err := api.ParseInstance(to); err == nil {
			var found []*api.Login
			for _, a := range tokens.Accounts() {
				if l, _ := tokens.Find(a); l.App.Instance == base.String() {
					found = append(found, l)
				}
			}
			if len(found) == 1 {
				login, ok = found[0], true
			}
		}
	}
	if !ok {
		return nil, "", fmt.Errorf("%w as %s: run `mastomigrate login <instance>` first, or set %s", errNotLoggedIn, to, env)
	}
	opts.Token = login.Token
	c, err := api.New(login.App.Instance, opts)
	return c, login.Account, err
}

// reachError says, in words, why an instance could not be reached, in
// place of Go's "dial tcp: lookup new.example on 10.0.0.53:53: no such host".
type reachError struct {
	host   string
	reason string
	err    error
}

func (e *reachError) Error() string { return "could not reach " + e.host + ": " + e.reason }
func (e *reachError) Unwrap() error { return e.err }

// unreachable turns a network failure into a reachError naming host (or,
// when host is empty, what the error itself names); other errors give nil.
func unreachable(host string, err error) error {
	var re *reachError
	if err == nil || errors.As(err, &re) || errors.Is(err, api.ErrUnreachable) {
		return nil // said already, naming the host
	}
	var (
		dns  *net.DNSError
		op   *net.OpError
		ue   *url.Error
		cert *tls.CertificateVerificationError
		ua   x509.UnknownAuthorityError
		hn   x509.HostnameError
		ci   x509.CertificateInvalidError
	)
	if host == "" && errors.As(err, &ue) {
		if u, perr := url.Parse(ue.URL); perr == nil {
			host = u.Host
		}
	}
	reason := ""
	switch {
	case errors.As(err, &dns):
		if host == "" {
			host = dns.Name
		}
		switch {
		case dns.IsNotFound:
			reason = "name not found"
		case dns.IsTimeout:
			reason = "timed out looking up its name"
		default:
			reason = "its name could not be looked up (" + dns.Err + ")"
		}
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.Is(err, syscall.ECONNRESET):
		reason = "the connection was reset"
	case errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH):
		reason = "no route to it (are you online?)"
	case errors.As(err, &cert) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci):
		reason = "its TLS certificate is not valid"
	case errors.As(err, &op) && op.Timeout(), ue != nil && ue.Timeout():
		reason = "timed out"
	case errors.As(err, &op):
		reason = "the connection failed"
	default:
		return nil
	}
	if host == "" && op != nil && op.Addr != nil {
		host = op.Addr.String()
	}
	if host == "" {
		host = "the instance"
	}
	return &reachError{host: host, reason: reason, err: err}
}

// rateLimited tells a person, once per reset, that requests wait for the
// server's rate limit (spent perhaps by an earlier run): a line on stderr
// with the time it ends, so a quiet run is not taken for a hung one.
func (f *factory) rateLimited() func(api.Wait) {
	var mu sync.Mutex
	var last time.Time
	return func(w api.Wait) {
		mu.Lock()
		defer mu.Unlock()
		if !w.Until.After(last) {
			return
		}
		last = w.Until
		fmt.Fprintf(f.IO.ErrOut, "Waiting for %s until %s (in %s); Ctrl-C stops, and the journal keeps what is done.\n",
			w.Reason, w.Until.Local().Format("15:04:05"), migrate.HumanDuration(w.Until.Sub(f.Clock.Now())))
	}
}

// target opens the new account of --to: its client, the account as the
// instance shows it, and its full handle (user@domain).
func (f *factory) target(ctx context.Context, to string) (*api.Client, *api.Account, string, error) {
	c, _, err := f.client(to)
	if err != nil {
		return nil, nil, "", err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return nil, nil, "", fmt.Errorf("reading the new account: %w", err)
	}
	return c, me, me.Acct + "@" + c.Domain(ctx), nil
}
