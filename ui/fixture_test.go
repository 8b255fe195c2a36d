package ui_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
	"github.com/mastomigrate/mastomigrate/ui"
	"github.com/mastomigrate/mastomigrate/ui/uitest"
)

// sample is the bundled sample export: the archive and the CSVs.
var sample = []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/csv"}

// storeAccounts opens accounts from the token store, as the terminal's
// factory does (cmd/mastomigrate wires its own in).
type storeAccounts struct {
	tokens  func() (*api.Tokens, error)
	clock   api.Clock
	waiting func(api.Wait)
	rt      http.RoundTripper // nil: the network (the fakes on loopback)
}

func (a storeAccounts) Open(_ context.Context, account string, _ bool) (*api.Client, *api.Account, error) {
	tokens, err := a.tokens()
	if err != nil {
		return nil, nil, err
	}
	l, ok := tokens.Find(account)
	if !ok {
		return nil, nil, errors.New("not logged in as " + account)
	}
	c, err := api.New(l.App.Instance, api.Options{Token: l.Token, Clock: a.clock, Waiting: a.waiting, Transport: a.rt})
	return c, &api.Account{Acct: l.Account}, err
}

// page is one launch of the page against a fake server seeded with the
// sample's accounts, and a browser on it.
type page struct {
	*uitest.Browser
	t          *testing.T
	fake       *mastotest.Server
	clock      *mastotest.ManualClock
	srv        *ui.Server
	stateDir   string
	tokensPath string
}

func newPage(t *testing.T, opts ...mastotest.Option) *page {
	t.Helper()
	// A clock that moves when the code sleeps or the test says, as in the
	// engine's tests: no assertion depends on the machine's speed.
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	fake := mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithClock(clock)}, opts...)...)
	migratetest.SeedSample(fake)
	return startPage(t, fake, clock, nil)
}

// startPage serves the page for fake (the new account's server), its
// accounts reached through rt (nil: on loopback).
func startPage(t *testing.T, fake *mastotest.Server, clock *mastotest.ManualClock, rt http.RoundTripper) *page {
	t.Helper()
	dir := t.TempDir()
	p := &page{t: t, fake: fake, clock: clock, stateDir: filepath.Join(dir, "state"), tokensPath: filepath.Join(dir, "tokens.json")}
	ln, err := ui.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	env := migrate.Env{StateDir: p.stateDir, Clock: clock}
	if rt != nil {
		env.HTTP = &http.Client{Transport: rt}
	}
	p.srv, err = ui.New(ui.Config{
		Env: env,
		Accounts: func(waiting func(api.Wait)) migrate.Accounts {
			return storeAccounts{tokens: p.tokens, clock: clock, waiting: waiting, rt: rt}
		},
		Tokens:    p.tokens,
		Transport: rt,
	}, ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: p.srv}
	go hs.Serve(ln)
	t.Cleanup(func() {
		p.srv.Close()
		hs.Close()
	})
	p.Browser = uitest.Open(t, p.srv.URL())
	return p
}

// storeLogin keeps a login for the fake's "me" in the token store, as
// `mastomigrate login` would have.
func (p *page) storeLogin() string {
	tokens, err := api.LoadTokens(p.tokensPath)
	if err != nil {
		p.t.Fatal(err)
	}
	tokens.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: p.fake.URL, ClientID: "cid"}, Token: p.fake.Token})
	if err := tokens.Save(); err != nil {
		p.t.Fatal(err)
	}
	return "me@new.example"
}

// setUp adds the sample and chooses the stored login.
func (p *page) setUp() {
	p.t.Helper()
	for _, in := range sample {
		abs, _ := filepath.Abs(in)
		if code, body := p.Post("/exports/path", url.Values{"path": {abs}}); code != http.StatusOK {
			p.t.Fatalf("adding %s: %d %s", in, code, body)
		}
	}
	if code, body := p.Post("/accounts/use", url.Values{"role": {"to"}, "account": {p.storeLogin()}}); code != http.StatusOK {
		p.t.Fatalf("choosing the login: %d %s", code, body)
	}
}

func (p *page) tokens() (*api.Tokens, error) { return api.LoadTokens(p.tokensPath) }

// quietPerson is whoever runs the engine outside the page here: it is
// asked nothing (Yes) and shows nothing.
type quietPerson struct{}

func (quietPerson) Confirm(context.Context, migrate.Confirmation) (bool, error) { return true, nil }
func (quietPerson) Secret(context.Context, migrate.SecretRequest) (string, error) {
	return "", errors.New("no secrets here")
}
func (quietPerson) Notify(migrate.Event) {}

// noTokens fails when a token, or an app's secret, of the token store
// was in anything the page sent: pages, events, headers.
func (p *page) noTokens() {
	p.t.Helper()
	tokens, err := p.tokens()
	if err != nil {
		p.t.Fatal(err)
	}
	secrets := []string{p.fake.Token}
	for _, a := range tokens.Accounts() {
		l, _ := tokens.Find(a)
		secrets = append(secrets, l.Token, l.App.ClientSecret)
	}
	all := p.Seen()
	if len(all) == 0 {
		p.t.Fatal("nothing was read from the page")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(all, s) {
			p.t.Errorf("a secret of the token store reached the page: %.8s…", s)
		}
	}
}
