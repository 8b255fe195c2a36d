package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
	"github.com/mastomigrate/mastomigrate/ui/uitest"
)

// uiFactory is migrateFactory with the accounts in a token store (as a
// person who logged in has them), not in the environment.
func uiFactory(t *testing.T, s *mastotest.Server) (*factory, *strings.Builder, *strings.Builder) {
	f, out, errOut := migrateFactory(t, s)
	f.Getenv = func(string) string { return "" }
	path := filepath.Join(t.TempDir(), "tokens.json")
	f.TokensPath = func() (string, error) { return path, nil }
	return f, out, errOut
}

// startUI runs `mastomigrate ui --no-browser` until the test ends (or
// stop, its Ctrl-C, which returns its exit code), and opens the address
// it printed first on stdout.
func startUI(t *testing.T, f *factory) (b *uitest.Browser, stop func() int) {
	t.Helper()
	pr, pw := io.Pipe()
	out := f.IO.Out
	f.IO.Out = pw
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"ui", "--no-browser"}, f) }()
	first, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	f.IO.Out = out // nothing more is printed there
	var once sync.Once
	code := 0
	stop = func() int {
		once.Do(func() {
			cancel()
			code = <-done
		})
		return code
	}
	t.Cleanup(func() {
		if code := stop(); code != 0 {
			t.Errorf("ui: exit %d", code)
		}
	})
	if !strings.HasPrefix(first, "http://127.0.0.1:") || !strings.Contains(first, "?key=") {
		t.Fatalf("the first line is not the address: %q", first)
	}
	return uitest.Open(t, strings.TrimSpace(first)), stop
}

// wantWithoutLikes is the sample migrated without --include likes.
func wantWithoutLikes(fl mastotest.Flavour) mastotest.State {
	want := wantSample(fl)
	want.Favourites = []string{}
	return want
}

// TestUIAcrossFaces: one journal, two faces. A migration started in the
// page (logged in through the instance's OAuth pages) and paused there
// is finished by `mastomigrate resume`; one started by `migrate` and
// stopped is finished from the page, which opens on its status.
func TestUIAcrossFaces(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		t.Run("page, then resume", func(t *testing.T) {
			s, _ := newFake(t, fl)
			migratetest.SeedSample(s)
			f, _, errOut := uiFactory(t, s)
			b, _ := startUI(t, f)
			for _, in := range []string{"../../testdata/sample/mastodon-archive.zip", "../../testdata/sample/csv"} {
				abs, _ := filepath.Abs(in)
				b.Post("/exports/path", url.Values{"path": {abs}})
			}
			code, body := b.Post("/accounts/login", url.Values{"role": {"to"}, "instance": {s.URL}})
			m := regexp.MustCompile(`Logged in as <strong>(me@[^<]+)</strong>`).FindStringSubmatch(body)
			if code != http.StatusOK || m == nil {
				t.Fatalf("login: %d %s", code, body)
			}
			account := m[1]
			b.StartAndPause(s.Hold, s.InFlight)

			if code := run(context.Background(), []string{"resume", "--yes"}, f); code != 0 {
				t.Fatalf("resume: exit %d\n%s", code, errOut)
			}
			if !strings.Contains(errOut.String(), "✓ Migration to "+account+" complete") {
				t.Errorf("resume said:\n%s", errOut)
			}
			if got, want := s.State(), wantWithoutLikes(fl); !reflect.DeepEqual(got, want) {
				t.Errorf("after the page and resume:\n got %+v\nwant %+v", got, want)
			}
			tokens, _ := f.tokens()
			l, _ := tokens.Find(account)
			if l == nil || strings.Contains(b.Seen(), l.Token) || strings.Contains(errOut.String(), l.Token) {
				t.Error("the login's token was shown (or there is no login)")
			}
		})

		t.Run("page stopped by Ctrl-C, then resume", func(t *testing.T) {
			s, _ := newFake(t, fl)
			migratetest.SeedSample(s)
			f, _, errOut := uiFactory(t, s)
			tokens, _ := f.tokens()
			tokens.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: s.URL}, Token: s.Token})
			if err := tokens.Save(); err != nil {
				t.Fatal(err)
			}
			b, stop := startUI(t, f)
			for _, in := range []string{"../../testdata/sample/mastodon-archive.zip", "../../testdata/sample/csv"} {
				abs, _ := filepath.Abs(in)
				b.Post("/exports/path", url.Values{"path": {abs}})
			}
			b.Post("/accounts/use", url.Values{"role": {"to"}, "account": {"me@new.example"}})
			b.Post("/run/start", nil)
			// Ctrl-C with requests in flight: the page's run pauses and
			// journals them before the program ends.
			release := func() {}
			b.Confirm(true, func() { release = s.Hold() })
			uitest.InFlight(t, s.InFlight)
			stopped := make(chan int, 1)
			go func() { stopped <- stop() }()
			select {
			case code := <-stopped:
				t.Fatalf("ui ended (exit %d) with requests in flight", code)
			case <-time.After(100 * time.Millisecond):
			}
			release()
			if code := <-stopped; code != 0 {
				t.Fatalf("ui: exit %d\n%s", code, errOut)
			}
			if !strings.Contains(errOut.String(), "Pausing the migration") {
				t.Errorf("stderr:\n%s", errOut)
			}
			dir, _ := f.StateDir()
			// (On GoToSocial what was in flight is its import's upload.)
			if runs, _ := migrate.Statuses(dir); len(runs) != 1 || runs[0].Finished || runs[0].Damaged != "" {
				t.Fatalf("after Ctrl-C: %+v", runs)
			}
			if code := run(context.Background(), []string{"resume", "--yes"}, f); code != 0 {
				t.Fatalf("resume: exit %d\n%s", code, errOut)
			}
			if got, want := s.State(), wantWithoutLikes(fl); !reflect.DeepEqual(got, want) {
				t.Errorf("after Ctrl-C and resume:\n got %+v\nwant %+v", got, want)
			}
		})

		t.Run("migrate, then the page", func(t *testing.T) {
			s, _ := newFake(t, fl)
			migratetest.SeedSample(s)
			f, out, errOut := uiFactory(t, s)
			tokens, _ := f.tokens()
			tokens.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: s.URL}, Token: s.Token})
			if err := tokens.Save(); err != nil {
				t.Fatal(err)
			}
			// migrate, stopped as Ctrl-C stops it, with requests in flight.
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan int, 1)
			go func() { done <- run(ctx, sampleArgs("--to", "me@new.example", "--yes"), f) }()
			for deadline := time.Now().Add(10 * time.Second); s.Writes() == 0 && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			release := s.Hold()
			uitest.InFlight(t, s.InFlight)
			cancel()
			release()
			if code := <-done; code != exitCancelled {
				t.Fatalf("migrate: exit %d, want %d\n%s", code, exitCancelled, errOut)
			}
			dir, _ := f.StateDir()
			if runs, _ := migrate.Statuses(dir); len(runs) != 1 || runs[0].Finished {
				t.Fatalf("after migrate: %+v", runs)
			}

			b, _ := startUI(t, f)
			_, body := b.Get("/")
			if !strings.Contains(body, `id="status"`) || !strings.Contains(body, `id="continue"`) {
				t.Fatalf("the page did not open on the migration's status:\n%s", body)
			}
			b.Post("/run/continue", nil)
			if st := b.WaitFor("the end", uitest.Ended); st.State != "finished" {
				t.Fatalf("state %q: %s", st.State, st.Message)
			}
			if got, want := s.State(), wantWithoutLikes(fl); !reflect.DeepEqual(got, want) {
				t.Errorf("after migrate and the page:\n got %+v\nwant %+v", got, want)
			}
			out.Reset()
			if code := run(context.Background(), []string{"status"}, f); code != 0 || !strings.Contains(out.String(), "finished") || strings.Contains(out.String(), "unfinished") {
				t.Errorf("status: exit %d\n%s", code, out)
			}
		})
	})
}

// TestUIListenRefused: --listen takes loopback addresses only.
func TestUIListenRefused(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:8080", "192.0.2.1:8080", "[::]:8080"} {
		t.Run(addr, func(t *testing.T) {
			s, _ := newFake(t, mastotest.Mastodon45)
			f, out, errOut := uiFactory(t, s)
			if code := run(context.Background(), []string{"ui", "--no-browser", "--listen", addr}, f); code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			if out.Len() > 0 || !strings.Contains(errOut.String(), "not a loopback address") {
				t.Errorf("stdout %q, stderr %q", out, errOut)
			}
		})
	}
}
