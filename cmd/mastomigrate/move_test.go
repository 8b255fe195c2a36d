package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/move"
)

const testPassword = "s3cret-Tr0ub4dor&3"

// moveEnv is an old and a new instance, federated, reached at their
// domains (old.example, new.example) through a transport that logs every
// request, with stored logins for both and a clock the test controls.
type moveEnv struct {
	t          *testing.T
	oldS, newS *mastotest.Server
	clock      *sleepClock
	state      string
	tokens     string
	oldTok     string
	newTok     string
	log        *requestLog
}

// newMoveEnv starts the pair; newOpts configure the new instance.
func newMoveEnv(t *testing.T, oldF, newF mastotest.Flavour, newOpts ...mastotest.Option) *moveEnv {
	t.Helper()
	clock := &sleepClock{ManualClock: mastotest.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))}
	e := &moveEnv{t: t, clock: clock, state: t.TempDir()}
	e.oldS = mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithFlavour(oldF), mastotest.WithClock(clock),
		mastotest.WithPassword(testPassword))
	e.newS = mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithDomain("new.example"), mastotest.WithFlavour(newF), mastotest.WithClock(clock)}, newOpts...)...)
	mastotest.Federate(e.oldS, e.newS)
	e.oldS.SetFollowersCount(40)
	e.log = &requestLog{base: mastotest.Transport(nil, e.oldS, e.newS)}

	e.oldTok, e.newTok = "old-token-0f3a", "new-token-9c1d"
	e.oldS.AddToken(e.oldTok)
	e.newS.AddToken(e.newTok)
	e.tokens = filepath.Join(t.TempDir(), "tokens.json")
	tk, _ := api.LoadTokens(e.tokens)
	tk.Put(&api.Login{Account: "me@old.example", App: api.App{Instance: "https://old.example"}, Token: e.oldTok})
	tk.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: "https://new.example"}, Token: e.newTok})
	if err := tk.Save(); err != nil {
		t.Fatal(err)
	}
	return e
}

// finishedMigration journals a finished migration to the new account.
func (e *moveEnv) finishedMigration(finished bool) {
	j, err := journal.Open(filepath.Join(e.state, "me@new.example-0123.journal"),
		journal.Header{Account: "me@new.example", Options: journal.RunConfig{To: "me@new.example"}})
	if err != nil {
		e.t.Fatal(err)
	}
	defer j.Close()
	if !finished {
		until := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
		j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: journal.StatusDeferred, Until: &until})
		return
	}
	j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: journal.StatusDone})
	j.Finish()
}

// moveRun is one run of the command: what it printed, and its error.
type moveRun struct {
	out, errOut string
	err         error
}

// run runs `move` with args; stdin holds what the person types, and the
// password prompt answers password.
func (e *moveEnv) run(tty bool, stdin string, hook func(step string) error, args ...string) moveRun {
	e.t.Helper()
	f, out, errOut := testStreams()
	f.IO.In, f.IO.InTTY = strings.NewReader(stdin), tty
	f.StateDir = func() (string, error) { return e.state, nil }
	f.TokensPath = func() (string, error) { return e.tokens, nil }
	f.Transport = e.log
	f.Clock = e.clock
	cmd := newMoveCmd(f, func(o *moveOptions) error {
		o.ReadPassword = func(_ context.Context, prompt string) (string, error) {
			io.WriteString(f.IO.ErrOut, prompt+"\n") // as term.ReadPassword: nothing echoed
			return testPassword, nil
		}
		o.afterStep = hook
		return runMove(context.Background(), o)
	})
	cmd.SetArgs(append([]string{"--from", "me@old.example", "--to", "me@new.example"}, args...))
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	err := cmd.Execute()
	return moveRun{out.String(), errOut.String(), err}
}

// sleepClock is the servers' manual clock; a sleep moves it on, and
// onSleep plays what happens meanwhile.
type sleepClock struct {
	*mastotest.ManualClock
	mu      sync.Mutex
	sleeps  int
	onSleep func(n int)
}

func (c *sleepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.Advance(d)
	c.mu.Lock()
	c.sleeps++
	n, f := c.sleeps, c.onSleep
	c.mu.Unlock()
	if f != nil {
		f(n)
	}
	return ctx.Err()
}

// requestLog records every request: method, URL, headers and body.
type requestLog struct {
	base http.RoundTripper
	// fail, when it returns an error, loses the answer to a request the
	// server has handled, as when the program dies waiting for it.
	fail func(r *http.Request) error
	mu   sync.Mutex
	reqs []loggedRequest
}

type loggedRequest struct {
	method, url, headers, body string
}

func (l *requestLog) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	var h strings.Builder
	r.Header.Write(&h)
	l.mu.Lock()
	l.reqs = append(l.reqs, loggedRequest{r.Method, r.URL.String(), h.String(), string(body)})
	fail := l.fail
	l.mu.Unlock()
	resp, err := l.base.RoundTrip(r)
	if err == nil && fail != nil {
		if ferr := fail(r); ferr != nil {
			resp.Body.Close()
			return nil, ferr
		}
	}
	return resp, err
}

func (l *requestLog) all() []loggedRequest {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]loggedRequest(nil), l.reqs...)
}

// writesTo lists the requests other than GET sent to host.
func (l *requestLog) writesTo(host string) []string {
	var out []string
	for _, r := range l.all() {
		if r.method != http.MethodGet && strings.Contains(r.url, "://"+host+"/") {
			out = append(out, r.method+" "+r.url)
		}
	}
	return out
}

// TestMoveGoToSocial is the whole flow between two GoToSocial servers:
// the alias set and read back, the move made after the handle and the
// password are typed, `moved` observed, the followers counted; and the
// password is nowhere but in the move request's body.
func TestMoveGoToSocial(t *testing.T) {
	gts := mastotest.GoToSocial020
	e := newMoveEnv(t, gts, gts)
	e.finishedMigration(true)
	oldURI, newURI := e.oldS.MeURI(), e.newS.MeURI()
	e.clock.onSleep = func(n int) {
		if e.clock.Now().Sub(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)) >= time.Minute {
			e.newS.SetFollowersCount(25) // the first followers arrive
		}
	}

	r := e.run(true, "y\nme@old.example\n", nil)
	if r.err != nil {
		t.Fatalf("move: %v\nstdout:\n%s\nstderr:\n%s", r.err, r.out, r.errOut)
	}
	t.Logf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	for _, want := range []string{
		"✓ migration finished: the migration to me@new.example is finished",
		"✓ alias on the new account: me@new.example now lists me@old.example (" + oldURI + "), checked",
		"GoToSocial allows one move every 7 days",
		"✓ move on the old account: old.example accepted the move to me@new.example",
		"✓ old account shows the move: me@old.example shows the move to me@new.example",
		"followers: me@new.example has 25 followers; me@old.example had 40 before the move",
		"--check --every 1h",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	for _, want := range []string{"Add me@old.example as an alias of me@new.example", "type the old account's handle", "Waiting for me@old.example to show the move"} {
		if !strings.Contains(r.errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.errOut)
		}
	}
	if got := e.newS.Aliases(); len(got) != 1 || got[0] != oldURI {
		t.Errorf("aliases on NEW: %v", got)
	}
	if e.oldS.MoveRequests() != 1 {
		t.Errorf("%d move requests", e.oldS.MoveRequests())
	}
	// Nothing is written to OLD but the move.
	if w := e.log.writesTo("old.example"); len(w) != 1 || !strings.HasSuffix(w[0], "/api/v1/accounts/move") {
		t.Errorf("writes to the old instance: %v", w)
	}

	// The password: in the move's body, nowhere else.
	for _, req := range e.log.all() {
		inBody := strings.Contains(req.body, "s3cret") || strings.Contains(req.body, "s3cret-Tr0ub4dor%263")
		if strings.Contains(req.url+req.headers, "s3cret") || (inBody && !strings.HasSuffix(req.url, "/api/v1/accounts/move")) {
			t.Errorf("password in %s %s", req.method, req.url)
		}
		if strings.HasSuffix(req.url, "/api/v1/accounts/move") && !inBody {
			t.Errorf("the move was sent without the password")
		}
		// Tokens go only to their own instance.
		if strings.Contains(req.headers, e.oldTok) && !strings.Contains(req.url, "://old.example/") ||
			strings.Contains(req.headers, e.newTok) && !strings.Contains(req.url, "://new.example/") {
			t.Errorf("a token was sent to %s", req.url)
		}
	}
	leak := func(where, s string) {
		if strings.Contains(s, "s3cret") || strings.Contains(s, e.oldTok) || strings.Contains(s, e.newTok) && where != "tokens file" {
			t.Errorf("password or token in %s", where)
		}
	}
	leak("stdout", r.out)
	leak("stderr", r.errOut)
	for _, dir := range []string{e.state, filepath.Dir(e.tokens)} {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				if strings.Contains(string(b), "s3cret") {
					t.Errorf("password in %s", p)
				}
				if p != e.tokens {
					leak(p, string(b))
				}
			}
			return nil
		})
	}

	// Again: every step done; it only counts the followers.
	writes := len(e.log.writesTo("new.example")) + len(e.log.writesTo("old.example"))
	r = e.run(false, "", nil)
	if r.err != nil || strings.Count(r.out, "done in an earlier run") != 4 {
		t.Errorf("second run: %v\n%s", r.err, r.out)
	}
	if n := len(e.log.writesTo("new.example")) + len(e.log.writesTo("old.example")); n != writes {
		t.Errorf("the second run wrote %d times", n-writes)
	}
	_ = newURI
}

// TestMoveWrongPassword: a wrong password stops the move, says so
// without repeating it, and the next run asks again.
func TestMoveWrongPassword(t *testing.T) {
	gts := mastotest.GoToSocial020
	e := newMoveEnv(t, gts, gts)
	e.finishedMigration(true)
	mastotest.WithPassword("another one")(e.oldS) // before any request
	r := e.run(true, "y\nme@old.example\n", nil)
	if r.err == nil || !strings.Contains(r.err.Error(), "refused the password; nothing was moved") {
		t.Fatalf("wrong password: %v", r.err)
	}
	if strings.Contains(r.err.Error()+r.out+r.errOut, "s3cret") {
		t.Error("the password was printed")
	}
	j, _ := move.LoadJournal(move.JournalPath(e.state, "me@old.example", "me@new.example"))
	if j.Next() != move.StepRequest {
		t.Errorf("next step after a wrong password: %q", j.Next())
	}
	// A handle typed wrong sends nothing.
	r = e.run(true, "me@elsewhere.example\n", nil)
	if r.err == nil || !strings.Contains(r.err.Error(), "does not match") || e.oldS.Count("POST /api/v1/accounts/move") != 1 {
		t.Errorf("wrong handle: %v, %d move requests", r.err, e.oldS.Count("POST /api/v1/accounts/move"))
	}
}

// TestMoveMastodonAliasCheck: on Mastodon the alias is read from NEW's
// ActivityPub actor: found, missing, or cannot be checked (a reduced
// actor under authorized fetch).
func TestMoveMastodonAliasCheck(t *testing.T) {
	for _, tt := range []struct {
		name    string
		opts    []mastotest.Option
		alias   bool
		state   string
		message string
	}{
		{name: "found", alias: true, state: "found", message: "✓ alias on the new account: me@new.example's actor lists me@old.example"},
		{name: "missing", state: "missing", message: "✗ alias on the new account: me@new.example's actor does not list me@old.example"},
		{name: "cannot check", alias: true, opts: []mastotest.Option{mastotest.WithAuthorizedFetch()}, state: "cannot_check",
			message: "? alias on the new account: cannot check: me@new.example's server shows only a reduced actor"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m45 := mastotest.Mastodon45
			e := newMoveEnv(t, m45, m45, tt.opts...)
			e.finishedMigration(true)
			if tt.alias {
				e.newS.SetAliasesWeb(e.oldS.MeURI())
			}
			r := e.run(false, "", nil, "--dry-run")
			if r.err != nil {
				t.Fatalf("dry run: %v\n%s", r.err, r.errOut)
			}
			if !strings.Contains(r.out, tt.message) {
				t.Errorf("stdout lacks %q:\n%s", tt.message, r.out)
			}
			if tt.state != "found" && !strings.Contains(r.out, "https://new.example/settings/aliases") {
				t.Errorf("no page to set the alias:\n%s", r.out)
			}
			if e.newS.Count("GET /users/:name") == 0 {
				t.Error("the actor was not read")
			}
			// The dry run changed nothing and journaled nothing.
			if w := append(e.log.writesTo("old.example"), e.log.writesTo("new.example")...); len(w) > 0 {
				t.Errorf("dry run wrote: %v", w)
			}
			if m, _ := move.Journals(e.state); len(m) > 0 {
				t.Errorf("dry run journaled: %v", m)
			}
			r = e.run(false, "", nil, "--dry-run", "--json")
			var v struct {
				Checks []move.Check `json:"checks"`
			}
			if err := json.Unmarshal([]byte(r.out), &v); err != nil {
				t.Fatalf("--json: %v\n%s", err, r.out)
			}
			var got string
			for _, c := range v.Checks {
				if c.Step == move.StepAlias {
					got = c.State
				}
			}
			if got != tt.state {
				t.Errorf("--json alias state %q, want %q", got, tt.state)
			}
		})
	}
}

// TestMoveMastodon is the web flow: the alias missing stops the run
// (exit 75) with the page to visit; once set, the run finds it, shows the
// move's page and waits until OLD shows the move, made on the web
// meanwhile. Nothing is written to either account.
func TestMoveMastodon(t *testing.T) {
	m45 := mastotest.Mastodon45
	e := newMoveEnv(t, m45, m45)
	e.finishedMigration(true)
	r := e.run(false, "", nil)
	var mw *move.WaitError
	if !errors.As(r.err, &mw) || !strings.Contains(r.out, "https://new.example/settings/aliases") {
		t.Fatalf("without the alias: %v\n%s", r.err, r.out)
	}
	e.newS.SetAliasesWeb(e.oldS.MeURI())
	e.clock.onSleep = func(n int) {
		if n == 3 {
			if err := e.oldS.MoveWeb(e.newS.MeURI()); err != nil {
				t.Error(err)
			}
			e.newS.SetFollowersCount(40)
		}
	}
	r = e.run(false, "", nil)
	if r.err != nil {
		t.Fatalf("with the alias: %v\n%s\n%s", r.err, r.out, r.errOut)
	}
	t.Logf("stdout:\n%s\nstderr:\n%s", r.out, r.errOut)
	for _, want := range []string{
		"✓ migration finished: done in an earlier run",
		"✓ alias on the new account: me@new.example's actor lists me@old.example",
		"may use a copy of me@new.example's profile up to a day old",
		"https://old.example/settings/migration", "30 days", "posts stay on me@old.example",
		"✓ old account shows the move",
		"✓ followers: me@new.example has 40 followers; me@old.example had 40",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	if w := append(e.log.writesTo("old.example"), e.log.writesTo("new.example")...); len(w) > 0 {
		t.Errorf("writes: %v", w)
	}
}

// TestMoveWaitsBounded: the wait for `moved` ends at --wait, with status
// 75 and the step journaled as not done.
func TestMoveWaitsBounded(t *testing.T) {
	m45 := mastotest.Mastodon45
	e := newMoveEnv(t, m45, m45)
	e.finishedMigration(true)
	e.newS.SetAliasesWeb(e.oldS.MeURI())
	r := e.run(false, "", nil, "--wait", "2m")
	var mw *move.WaitError
	if !errors.As(r.err, &mw) || !strings.Contains(r.err.Error(), "does not show the move after 2m0s") {
		t.Fatalf("%v", r.err)
	}
	if e.clock.sleeps != 12 || strings.Count(r.errOut, "Waiting for me@old.example") != 12 {
		t.Errorf("%d sleeps of 10s for 2m; stderr:\n%s", e.clock.sleeps, r.errOut)
	}
	j, _ := move.LoadJournal(move.JournalPath(e.state, "me@old.example", "me@new.example"))
	if j.Next() != move.StepRequest {
		t.Errorf("next step %q", j.Next())
	}
}

// TestMoveMigrationUnfinished: the move stops before anything when the
// migration still has follows waiting, and says why; --force goes on.
func TestMoveMigrationUnfinished(t *testing.T) {
	gts := mastotest.GoToSocial020
	e := newMoveEnv(t, gts, gts)
	e.finishedMigration(false)
	r := e.run(true, "y\n", nil)
	if r.err == nil || !strings.Contains(r.err.Error(), "not finished") {
		t.Fatalf("unfinished migration: %v", r.err)
	}
	for _, want := range []string{"1 follows wait for the daily follow limit", "its token may stop working and its follows can no longer be read", "mastomigrate resume --journal"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	if len(e.newS.Aliases()) != 0 {
		t.Error("alias set before the check passed")
	}
	r = e.run(true, "y\n", func(step string) error {
		if step == move.StepAlias {
			return errStop
		}
		return nil
	}, "--force")
	if !errors.Is(r.err, errStop) || len(e.newS.Aliases()) != 1 {
		t.Fatalf("--force: %v, aliases %v\n%s", r.err, e.newS.Aliases(), r.out)
	}
}

var errStop = errors.New("killed")

// TestMoveResumesAfterKill: a run stopped right after any step continues
// at the next one, and nothing done is done again.
func TestMoveResumesAfterKill(t *testing.T) {
	gts := mastotest.GoToSocial020
	for i, killed := range move.Steps[:3] {
		t.Run(killed, func(t *testing.T) {
			e := newMoveEnv(t, gts, gts)
			e.finishedMigration(true)
			r := e.run(true, "y\nme@old.example\n", func(step string) error {
				if step == killed {
					return errStop
				}
				return nil
			})
			if !errors.Is(r.err, errStop) {
				t.Fatalf("first run: %v\n%s", r.err, r.out)
			}
			j, _ := move.LoadJournal(move.JournalPath(e.state, "me@old.example", "me@new.example"))
			if j.Next() != move.Steps[i+1] {
				t.Fatalf("journal says next %q", j.Next())
			}
			r = e.run(true, "me@old.example\n", nil, "--yes")
			if r.err != nil {
				t.Fatalf("second run: %v\n%s", r.err, r.out)
			}
			if n := strings.Count(r.out, "done in an earlier run"); n != i+1 {
				t.Errorf("%d steps skipped, want %d:\n%s", n, i+1, r.out)
			}
			if e.newS.Count("POST /api/v1/accounts/alias") != 1 || e.oldS.MoveRequests() != 1 {
				t.Errorf("alias set %d times, moved %d times", e.newS.Count("POST /api/v1/accounts/alias"), e.oldS.MoveRequests())
			}
		})
	}
}

// TestMoveCheck: --check counts the followers at the chosen interval
// until they match, within --for.
func TestMoveCheck(t *testing.T) {
	gts := mastotest.GoToSocial020
	e := newMoveEnv(t, gts, gts)
	e.finishedMigration(true)
	if r := e.run(false, "", nil, "--check"); r.err == nil || !strings.Contains(r.err.Error(), "not done yet") {
		t.Fatalf("--check before the move: %v", r.err)
	}
	if r := e.run(true, "y\nme@old.example\n", nil); r.err != nil {
		t.Fatal(r.err)
	}
	e.clock.sleeps = 0
	e.clock.onSleep = func(n int) { e.newS.SetFollowersCount(10 * n) }
	r := e.run(false, "", nil, "--check", "--every", "1h", "--for", "24h")
	if r.err != nil {
		t.Fatal(r.err)
	}
	if e.clock.sleeps != 4 || !strings.Contains(r.out, "✓ followers: me@new.example has 40 followers; me@old.example had 40") {
		t.Errorf("%d sleeps; stdout:\n%s", e.clock.sleeps, r.out)
	}
	if !strings.Contains(r.errOut, "has 30 followers; me@old.example had 40 before the move; next count in 1h0m0s") {
		t.Errorf("no progress on stderr:\n%s", r.errOut)
	}
	// Bounded by --for.
	e.clock.onSleep = nil
	e.newS.SetFollowersCount(5)
	e.clock.sleeps = 0
	r = e.run(false, "", nil, "--check", "--every", "1h", "--for", "3h")
	if r.err != nil || e.clock.sleeps != 3 || !strings.Contains(r.out, "… followers: me@new.example has 5 followers") {
		t.Errorf("--for 3h: %v, %d sleeps\n%s", r.err, e.clock.sleeps, r.out)
	}
	// status shows the move.
	f, out, _ := testStreams()
	f.StateDir = func() (string, error) { return e.state, nil }
	if code := run(context.Background(), []string{"status"}, f); code != 0 || !strings.Contains(out.String(), "me@old.example  me@new.example  moved; followers 5 of 40") {
		t.Errorf("status: %d\n%s", code, out.String())
	}
}

// TestMoveKilledDuringMove: the run dies after OLD accepted the move but
// before the answer was journaled; the next run sees OLD has moved and
// neither asks for the password nor moves again.
func TestMoveKilledDuringMove(t *testing.T) {
	gts := mastotest.GoToSocial020
	e := newMoveEnv(t, gts, gts)
	e.finishedMigration(true)
	e.log.fail = func(r *http.Request) error {
		if strings.HasSuffix(r.URL.Path, "/api/v1/accounts/move") {
			return errStop
		}
		return nil
	}
	r := e.run(true, "y\nme@old.example\n", nil)
	if r.err == nil || e.oldS.MoveRequests() != 1 {
		t.Fatalf("first run: %v, %d moves", r.err, e.oldS.MoveRequests())
	}
	j, _ := move.LoadJournal(move.JournalPath(e.state, "me@old.example", "me@new.example"))
	if rec, _ := j.Last(move.StepRequest); rec.Status != journal.StatusStarted {
		t.Fatalf("journal: move %+v", rec)
	}
	e.log.fail = nil
	e.clock.Advance(time.Minute) // GoToSocial's worker has processed the move
	r = e.run(true, "", nil)
	if r.err != nil {
		t.Fatalf("second run: %v\n%s", r.err, r.out)
	}
	if e.oldS.MoveRequests() != 1 || strings.Contains(r.errOut, "Password") {
		t.Errorf("moved again (%d) or asked for the password:\n%s", e.oldS.MoveRequests(), r.errOut)
	}
	if !strings.Contains(r.out, "✓ move on the old account: me@old.example has already moved to me@new.example") {
		t.Errorf("stdout:\n%s", r.out)
	}
}

// TestMoveCommandLine: the tokens from the environment, each for its
// own account; usage mistakes exit 2; waiting for the alias exits 75.
func TestMoveCommandLine(t *testing.T) {
	m45 := mastotest.Mastodon45
	e := newMoveEnv(t, m45, m45)
	e.finishedMigration(true)
	env := map[string]string{tokenEnv: e.newTok, fromTokenEnv: e.oldTok}
	cli := func(args ...string) (int, string, string) {
		f, out, errOut := testStreams()
		f.StateDir = func() (string, error) { return e.state, nil }
		f.Getenv = func(k string) string { return env[k] }
		f.TokensPath = func() (string, error) { return filepath.Join(e.state, "no-tokens.json"), nil }
		f.Transport, f.Clock = e.log, e.clock
		code := run(context.Background(), append([]string{"move"}, args...), f)
		return code, out.String(), errOut.String()
	}
	for _, args := range [][]string{
		{"--from", "", "--to", "me@new.example"},
		{"--from", "me@new.example", "--to", "me@new.example"},
		{"--from", "me@old.example", "--to", "me@new.example", "--every", "1h"},
	} {
		if code, _, stderr := cli(args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, code, exitUsage, stderr)
		}
	}
	code, stdout, stderr := cli("--from", "me@old.example", "--to", "me@new.example")
	if code != exitTempFail || !strings.Contains(stderr, "mastomigrate: me@new.example does not list me@old.example as an alias yet: add it at https://new.example/settings/aliases") {
		t.Errorf("alias missing: exit %d\n%s\n%s", code, stdout, stderr)
	}
	// MASTOMIGRATE_TOKEN is the new account's only.
	delete(env, fromTokenEnv)
	code, _, stderr = cli("--from", "me@old.example", "--to", "me@new.example")
	if code != exitError || !strings.Contains(stderr, "not logged in as me@old.example") || !strings.Contains(stderr, fromTokenEnv) {
		t.Errorf("without the old token: exit %d\n%s", code, stderr)
	}
}

// lockedBuffer is a buffer written to while a test reads it (a process's
// output, or stdout and stderr together in the order written).
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestMoveKilledForReal kills the real program with SIGKILL while it
// waits for the old account to show the move (Mastodon to GoToSocial: the
// alias set by API, the move made on the web), then runs it again: it
// continues at the move, with the steps before it done, and finishes
// once the move is made.
func TestMoveKilledForReal(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program")
	}
	oldS := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithFlavour(mastotest.Mastodon45))
	newS := mastotest.NewServer(t, mastotest.WithDomain("new.example"), mastotest.WithFlavour(mastotest.GoToSocial020))
	mastotest.Federate(oldS, newS)
	oldS.AddToken("old-token-0f3a")
	newS.AddToken("new-token-9c1d")
	home := t.TempDir()
	tk, _ := api.LoadTokens(filepath.Join(home, "config", "mastomigrate", "tokens.json"))
	tk.Put(&api.Login{Account: "me@old.example", App: api.App{Instance: oldS.URL}, Token: "old-token-0f3a"})
	tk.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: newS.URL}, Token: "new-token-9c1d"})
	if err := tk.Save(); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(home, "state", "mastomigrate")
	j, _ := journal.Open(filepath.Join(state, "me@new.example-0123.journal"), journal.Header{Account: "me@new.example"})
	j.Finish()
	j.Close()

	start := func() (*exec.Cmd, *lockedBuffer, *lockedBuffer) {
		cmd := exec.Command(os.Args[0], "move", "--from", "me@old.example", "--to", "me@new.example", "--yes", "--poll", "20ms", "--wait", "30s")
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "MASTOMIGRATE_") && !strings.HasPrefix(kv, "XDG_") {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "MASTOMIGRATE_TEST_AS_CLI=1", "XDG_CONFIG_HOME="+filepath.Join(home, "config"), "XDG_STATE_HOME="+filepath.Join(home, "state"))
		var stdout, stderr lockedBuffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd, &stdout, &stderr
	}
	cmd, _, stderr := start()
	for deadline := time.Now().Add(20 * time.Second); !strings.Contains(stderr.String(), "Waiting for me@old.example") && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if err := cmd.Wait(); exitCode(err) != -1 {
		t.Fatalf("the program ended before it was killed (exit %d):\n%s", exitCode(err), stderr)
	}
	m, err := move.LoadJournal(move.JournalPath(state, "me@old.example", "me@new.example"))
	if err != nil || m.Next() != move.StepRequest {
		t.Fatalf("after the kill: journal %v, next step %q", err, m.Next())
	}
	if err := oldS.MoveWeb(newS.MeURI()); err != nil {
		t.Fatal(err)
	}
	cmd, stdout, stderr := start()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("second run: exit %d\n%s\n%s", exitCode(err), stdout, stderr)
	}
	for _, want := range []string{"✓ migration finished: done in an earlier run", "✓ alias on the new account: done in an earlier run",
		"✓ old account shows the move: me@old.example shows the move to me@new.example"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if n := newS.Count("POST /api/v1/accounts/alias"); n != 1 {
		t.Errorf("alias set %d times", n)
	}
	if oldS.Writes() != 0 {
		t.Errorf("%d writes to the old account", oldS.Writes())
	}
}

// enterReader plays a person who saves the alias on the web, then
// presses Enter.
type enterReader struct {
	before func()
	done   bool
}

func (r *enterReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, io.EOF
	}
	r.done = true
	r.before()
	return copy(p, "\n"), nil
}

// TestMoveMastodonAliasAfterEnter: at a terminal, a missing alias is
// checked again when the person presses Enter.
func TestMoveMastodonAliasAfterEnter(t *testing.T) {
	m45 := mastotest.Mastodon45
	e := newMoveEnv(t, m45, m45)
	e.finishedMigration(true)
	f, out, errOut := testStreams()
	f.IO.In = &enterReader{before: func() { e.newS.SetAliasesWeb(e.oldS.MeURI()) }}
	f.IO.InTTY = true
	f.StateDir = func() (string, error) { return e.state, nil }
	f.TokensPath = func() (string, error) { return e.tokens, nil }
	f.Transport, f.Clock = e.log, e.clock
	e.clock.onSleep = func(n int) { e.oldS.MoveWeb(e.newS.MeURI()) }
	if code := run(context.Background(), []string{"move", "--from", "me@old.example", "--to", "me@new.example"}, f); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.Contains(out.String(), "✗ alias on the new account") || !strings.Contains(out.String(), "✓ alias on the new account") ||
		!strings.Contains(errOut.String(), "Press Enter once it is saved") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
	}
}

// TestMoveAfterMovingOnTheWeb: the person moved on Mastodon before
// running move. OLD's token is refused now (403); the new account's copy
// of the old one shows the move, and every step is found done.
func TestMoveAfterMovingOnTheWeb(t *testing.T) {
	m45 := mastotest.Mastodon45
	e := newMoveEnv(t, m45, m45)
	e.finishedMigration(true)
	e.newS.SetAliasesWeb(e.oldS.MeURI())
	if err := e.oldS.MoveWeb(e.newS.MeURI()); err != nil {
		t.Fatal(err)
	}
	e.newS.AddHandle("me@old.example", mastotest.Account{MovedTo: e.newS.MeID, FollowersCount: 3})
	e.newS.SetFollowersCount(37)
	r := e.run(false, "", nil)
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.out)
	}
	for _, want := range []string{"old.example refuses me@old.example's token", "✓ move on the old account: me@old.example has already moved to me@new.example",
		"✓ old account shows the move", "me@new.example has 37 followers; me@old.example had 3"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
}

// TestMoveDryRunGoToSocial: every check is shown, nothing is asked,
// written or journaled.
func TestMoveDryRunGoToSocial(t *testing.T) {
	gts := mastotest.GoToSocial020
	e := newMoveEnv(t, gts, gts)
	e.finishedMigration(false)
	r := e.run(false, "", nil, "--dry-run")
	if r.err != nil {
		t.Fatalf("%v\n%s", r.err, r.out)
	}
	for _, want := range []string{
		"! migration finished: the migration to me@new.example is not finished",
		"· alias on the new account: would add me@old.example (https://old.example/users/me) to me@new.example's aliases, keeping the 0 already there",
		"· move on the old account: would move me@old.example to me@new.example (https://new.example/users/me) after you type its handle and password",
		"… old account shows the move: me@old.example does not show a move yet",
		"… followers: me@new.example has 0 followers; me@old.example had 40",
	} {
		if !strings.Contains(r.out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.out)
		}
	}
	if w := append(e.log.writesTo("old.example"), e.log.writesTo("new.example")...); len(w) > 0 {
		t.Errorf("dry run wrote: %v", w)
	}
	if m, _ := move.Journals(e.state); len(m) > 0 || r.errOut != "" {
		t.Errorf("dry run journaled %v or printed on stderr %q", m, r.errOut)
	}
}

// TestMoveByAddress: with both tokens in the environment, `move --from
// <address> --to <address>` runs the same steps as with handles: the
// tokens tell whose accounts they are (verify_credentials), the journal
// is the same, and the move asks for the old account's handle as typed.
func TestMoveByAddress(t *testing.T) {
	for _, pair := range []struct{ from, to mastotest.Flavour }{
		{mastotest.GoToSocial020, mastotest.GoToSocial020}, {mastotest.Mastodon45, mastotest.Mastodon42},
	} {
		t.Run(pair.from.String()+"-to-"+pair.to.String(), func(t *testing.T) {
			e := newMoveEnv(t, pair.from, pair.to)
			e.finishedMigration(true)
			env := map[string]string{tokenEnv: e.newTok, fromTokenEnv: e.oldTok}
			runMoveCmd := func(stdin string, args ...string) (string, string, error) {
				f, out, errOut := testStreams()
				f.IO.In, f.IO.InTTY = strings.NewReader(stdin), true
				f.StateDir = func() (string, error) { return e.state, nil }
				f.Getenv = func(k string) string { return env[k] }
				f.TokensPath = func() (string, error) { return filepath.Join(e.state, "no-tokens.json"), nil }
				f.Transport, f.Clock = e.log, e.clock
				cmd := newMoveCmd(f, func(o *moveOptions) error {
					o.ReadPassword = func(context.Context, string) (string, error) { return testPassword, nil }
					return runMove(context.Background(), o)
				})
				cmd.SetArgs(args)
				cmd.SetOut(io.Discard)
				cmd.SetErr(io.Discard)
				err := cmd.Execute()
				return out.String(), errOut.String(), err
			}
			checks := func(out string) []move.Check {
				var r move.Result
				if err := json.Unmarshal([]byte(out), &r); err != nil {
					t.Fatalf("%v\n%s", err, out)
				}
				if r.From != "me@old.example" || r.To != "me@new.example" {
					t.Errorf("accounts %q, %q", r.From, r.To)
				}
				return r.Checks
			}
			byHandle := []string{"--from", "me@old.example", "--to", "me@new.example", "--dry-run", "--json"}
			byAddress := []string{"--from", "https://old.example", "--to", "https://new.example", "--dry-run", "--json"}
			outH, errH, errHandle := runMoveCmd("", byHandle...)
			outA, errA, errAddress := runMoveCmd("", byAddress...)
			if fmt.Sprint(errHandle) != fmt.Sprint(errAddress) {
				t.Fatalf("dry run: %v by handle, %v by address\n%s\n%s", errHandle, errAddress, errH, errA)
			}
			if h, a := checks(outH), checks(outA); !reflect.DeepEqual(h, a) {
				t.Errorf("dry run by address:\n%+v\nby handle:\n%+v", a, h)
			}
			addresses := []string{"--from", "https://old.example", "--to", "https://new.example"}
			if !pair.from.GoToSocial() {
				// Moved on the web after a first run: Mastodon refuses the
				// old token, and the move's journal names the account.
				if _, _, err := runMoveCmd("", addresses...); !errors.As(err, new(*move.WaitError)) {
					t.Fatalf("without the alias: %v", err)
				}
				e.newS.SetAliasesWeb(e.oldS.MeURI())
				if err := e.oldS.MoveWeb(e.newS.MeURI()); err != nil {
					t.Fatal(err)
				}
				e.newS.AddHandle("me@old.example", mastotest.Account{MovedTo: e.newS.MeID})
				out, errOut, err := runMoveCmd("", addresses...)
				if err != nil || !strings.Contains(out, "me@old.example has already moved to me@new.example") {
					t.Errorf("after the move on the web: %v\n%s\n%s", err, out, errOut)
				}
				os.Remove(move.JournalPath(e.state, "me@old.example", "me@new.example"))
				if _, _, err := runMoveCmd("", addresses...); err == nil || !strings.Contains(err.Error(), "give `--from` as the account's handle") {
					t.Errorf("a refused token without a journal: %v", err)
				}
				return
			}
			// The move itself, by address: the handle typed at the prompt.
			if out, errOut, err := runMoveCmd("y\nme@old.example\n", addresses...); err != nil {
				t.Fatalf("move: %v\n%s\n%s", err, out, errOut)
			} else if !strings.Contains(errOut, "type the old account's handle (me@old.example)") ||
				!strings.Contains(out, "old.example accepted the move to me@new.example") {
				t.Errorf("move by address:\n%s\n%s", out, errOut)
			}
			if e.oldS.MoveRequests() != 1 {
				t.Errorf("%d move requests", e.oldS.MoveRequests())
			}
			if _, err := os.Stat(move.JournalPath(e.state, "me@old.example", "me@new.example")); err != nil {
				t.Errorf("the move's journal is not the one by handles: %v", err)
			}
		})
	}
}
