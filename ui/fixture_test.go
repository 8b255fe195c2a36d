package ui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
	"github.com/mastomigrate/mastomigrate/ui"
)

// sample is the bundled sample export: the archive and the CSVs.
var sample = []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/csv"}

// testClock moves only when the code sleeps or the test advances it, so
// no assertion depends on the machine's speed (as in cmd/mastomigrate).
type testClock struct{ *mastotest.ManualClock }

func (c testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	time.Sleep(min(d, time.Millisecond))
	return ctx.Err()
}

// storeAccounts opens accounts from the token store, as the terminal's
// factory does (cmd/mastomigrate wires its own in).
type storeAccounts struct {
	tokens  func() (*api.Tokens, error)
	clock   api.Clock
	waiting func(api.Wait)
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
	c, err := api.New(l.App.Instance, api.Options{Token: l.Token, Clock: a.clock, Waiting: a.waiting})
	return c, &api.Account{Acct: l.Account}, err
}

// page is one launch of the page against a fake server seeded with the
// sample's accounts, and a browser-like client: cookies kept, Origin set
// on its posts, every body it read kept (to look for tokens in).
type page struct {
	t          *testing.T
	fake       *mastotest.Server
	clock      testClock
	srv        *ui.Server
	base       string // http://127.0.0.1:port
	c          *http.Client
	stateDir   string
	tokensPath string

	mu     sync.Mutex
	bodies strings.Builder
}

func newPage(t *testing.T, opts ...mastotest.Option) *page {
	t.Helper()
	clock := testClock{mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))}
	fake := mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithClock(clock)}, opts...)...)
	migratetest.SeedSample(fake)
	dir := t.TempDir()
	p := &page{t: t, fake: fake, clock: clock, stateDir: filepath.Join(dir, "state"), tokensPath: filepath.Join(dir, "tokens.json")}
	tokens := func() (*api.Tokens, error) { return api.LoadTokens(p.tokensPath) }
	ln, err := ui.Listen("")
	if err != nil {
		t.Fatal(err)
	}
	p.srv, err = ui.New(ui.Config{
		Env: migrate.Env{StateDir: p.stateDir, Clock: clock},
		Accounts: func(waiting func(api.Wait)) migrate.Accounts {
			return storeAccounts{tokens: tokens, clock: clock, waiting: waiting}
		},
		Tokens: tokens,
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
	p.base = "http://" + ln.Addr().String()
	jar, _ := cookiejar.New(nil)
	p.c = &http.Client{Jar: jar, Timeout: 20 * time.Second}
	p.open(p.srv.URL())
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

func (p *page) keep(resp *http.Response) string {
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	p.mu.Lock()
	p.bodies.Write(b)
	for k, v := range resp.Header {
		p.bodies.WriteString(k + ": " + strings.Join(v, " ") + "\n")
	}
	p.mu.Unlock()
	return string(b)
}

// open GETs a path (or a full address) and returns the status and body.
func (p *page) open(path string) (int, string) {
	p.t.Helper()
	u := path
	if strings.HasPrefix(path, "/") {
		u = p.base + path
	}
	resp, err := p.c.Get(u)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, p.keep(resp)
}

// post submits a form from the page itself (Origin: the page's).
func (p *page) post(path string, form url.Values) (int, string) {
	p.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, p.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.base)
	return p.do(req)
}

func (p *page) do(req *http.Request) (int, string) {
	p.t.Helper()
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	return resp.StatusCode, p.keep(resp)
}

// waitFor reads the run's server-sent events until one satisfies ok.
func (p *page) waitFor(what string, ok func(ui.Snapshot) bool) ui.Snapshot {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.base+"/run/events", nil)
	resp, err := p.c.Do(req)
	if err != nil {
		p.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		p.t.Fatalf("events: %s %s", resp.Status, ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	var last ui.Snapshot
	for sc.Scan() {
		data, found := strings.CutPrefix(sc.Text(), "data: ")
		if !found {
			continue
		}
		p.mu.Lock()
		p.bodies.WriteString(data)
		p.mu.Unlock()
		if err := json.Unmarshal([]byte(data), &last); err != nil {
			p.t.Fatal(err)
		}
		if ok(last) {
			return last
		}
	}
	p.t.Fatalf("waiting for %s: the events ended (%v) at %+v", what, sc.Err(), last)
	return last
}

// setUp adds the sample and chooses the stored login.
func (p *page) setUp() {
	p.t.Helper()
	for _, in := range sample {
		abs, _ := filepath.Abs(in)
		if code, body := p.post("/exports/path", url.Values{"path": {abs}}); code != http.StatusOK {
			p.t.Fatalf("adding %s: %d %s", in, code, body)
		}
	}
	if code, body := p.post("/accounts/use", url.Values{"role": {"to"}, "account": {p.storeLogin()}}); code != http.StatusOK {
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
	p.mu.Lock()
	all := p.bodies.String()
	p.mu.Unlock()
	if len(all) == 0 {
		p.t.Fatal("nothing was read from the page")
	}
	for _, s := range secrets {
		if s != "" && strings.Contains(all, s) {
			p.t.Errorf("a secret of the token store reached the page: %.8s…", s)
		}
	}
}
