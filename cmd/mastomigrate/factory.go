package main

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
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

// defaultStateDir is $XDG_STATE_HOME/mastomigrate, or ~/.local/state/mastomigrate.
func defaultStateDir() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" {
		return d + "/mastomigrate", nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the state folder: %w", err)
	}
	return home + "/.local/state/mastomigrate", nil
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
	return migrate.Journals(dir)
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
	opts := api.Options{Transport: f.Transport, Clock: f.Clock}
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
