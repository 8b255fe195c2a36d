package ui_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/ui"
	"github.com/mastomigrate/mastomigrate/ui/uitest"
)

// TestRunPausedAndContinued: a run started on the page asks first, is
// paused with requests in flight (they finish and are journaled), and
// continues from the page to the end; nothing is sent twice.
func TestRunPausedAndContinued(t *testing.T) {
	p := newPage(t)
	p.setUp()
	p.StartAndPause(p.fake.Hold, p.fake.InFlight)
	runs, err := migrate.Statuses(p.stateDir)
	if err != nil || len(runs) != 1 || runs[0].Finished || runs[0].Done == 0 {
		t.Fatalf("after the pause: %+v, %v; want one unfinished journal with the requests in flight done", runs, err)
	}
	writes := p.fake.Writes()

	_, body := p.Get("/run")
	if !strings.Contains(body, `id="continue"`) {
		t.Fatalf("the paused run offers no Continue:\n%s", body)
	}
	if code, body := p.Post("/run/continue", nil); code != http.StatusOK {
		t.Fatalf("continue: %d %s", code, body)
	}
	s := p.WaitFor("the end", uitest.Ended)
	if s.State != "finished" || s.Summary == nil {
		t.Fatalf("state %q (%s), want finished", s.State, s.Message)
	}
	runs, _ = migrate.Statuses(p.stateDir)
	if len(runs) != 1 || !runs[0].Finished {
		t.Errorf("after continuing: %+v, want the same journal finished", runs)
	}
	sent := 0
	for _, r := range s.Summary.Rows {
		sent += r.Done
	}
	if got := p.fake.Writes() - writes; got > sent+len(s.Summary.Rows) {
		t.Errorf("the second run wrote %d times for %d items: something was sent again", got, sent)
	}
	if st := p.fake.State(); len(st.Follows) < 3 || len(st.Blocks) == 0 {
		t.Errorf("the account after the run: %d follows, %d blocks", len(st.Follows), len(st.Blocks))
	}
	p.noTokens()
}

// TestRunDeclined: No on the page changes nothing.
func TestRunDeclined(t *testing.T) {
	p := newPage(t)
	p.setUp()
	p.Post("/run/start", nil)
	if q := p.Confirm(false, nil); q.Confirm == nil || q.Confirm.Account != "me@new.example" || q.Confirm.Changes == 0 {
		t.Errorf("question %+v", q)
	}
	if s := p.WaitFor("the end", uitest.Ended); s.State != "declined" {
		t.Errorf("state %q (%s)", s.State, s.Message)
	}
	if p.fake.Writes() != 0 {
		t.Errorf("%d writes after No", p.fake.Writes())
	}
}

// TestOpensOnStatus: with a migration journaled (here by the engine as
// the terminal runs it, stopped by the daily limit), the page opens on
// its status, and Continue carries it on.
func TestOpensOnStatus(t *testing.T) {
	limits := mastotest.MastodonLimits()
	limits.FollowsPerDay = 2
	p := newPage(t, mastotest.WithLimits(limits))
	to := p.storeLogin()
	env := migrate.Env{Accounts: storeAccounts{tokens: p.tokens, clock: p.clock}, StateDir: p.stateDir, Clock: p.clock}
	_, err := migrate.NewSession(migrate.SessionConfig{Exports: sample, To: to, Yes: true}, env).Run(t.Context(), quietPerson{})
	if _, ok := err.(*migrate.DeferredError); !ok {
		t.Fatalf("err %v, want the daily limit", err)
	}
	code, body := p.Get("/")
	if code != http.StatusOK || !strings.Contains(body, `id="status"`) || !strings.Contains(body, "Not finished") || !strings.Contains(body, `id="continue"`) {
		t.Fatalf("the page did not open on the status: %d\n%s", code, body)
	}
	p.clock.Advance(25 * time.Hour)
	p.Post("/run/continue", nil)
	s := p.WaitFor("the end", uitest.Ended)
	for s.State == "waiting" {
		p.clock.Advance(25 * time.Hour)
		p.Post("/run/continue", nil)
		s = p.WaitFor("the end", func(n ui.Snapshot) bool { return uitest.Ended(n) && n.Seq > s.Seq })
	}
	if s.State != "finished" {
		t.Fatalf("state %q (%s)", s.State, s.Message)
	}
	_, body = p.Get("/report")
	if !strings.Contains(body, "Not carried over (yet) to <strong>me@new.example</strong>: ") || !strings.Contains(body, "chris@old.example") {
		t.Errorf("report:\n%s", body)
	}
}

// TestRunIncludes: the extras ticked on the run screen are carried, and
// journaled for `resume`.
func TestRunIncludes(t *testing.T) {
	p := newPage(t)
	p.setUp()
	p.Post("/run/start", url.Values{"include": {"likes"}})
	p.Confirm(true, nil)
	if s := p.WaitFor("the end", uitest.Ended); s.State != "finished" {
		t.Fatalf("state %q: %s", s.State, s.Message)
	}
	if favs := p.fake.State().Favourites; len(favs) == 0 {
		t.Error("likes ticked, none carried")
	}
	runs, _ := migrate.Statuses(p.stateDir)
	j, err := journal.Load(runs[0].Journal)
	if err != nil || !strings.Contains(migrate.ResumeCommand(j.Header), "--include likes") {
		t.Errorf("the journal does not carry the choice: %v", err)
	}
}

// TestContinueOverwriteAsks: a migration started in overwrite mode on
// the terminal (with --yes) and continued from the page removes nothing
// until the person types the account's name on the page, as a fresh run
// from the page asks it; a yes alone declines.
func TestContinueOverwriteAsks(t *testing.T) {
	limits := mastotest.MastodonLimits()
	limits.FollowsPerDay = 2 // the terminal's run stops at the daily limit
	p := newPage(t, mastotest.WithLimits(limits))
	to := p.storeLogin()
	env := migrate.Env{Accounts: storeAccounts{tokens: p.tokens, clock: p.clock}, StateDir: p.stateDir, Clock: p.clock}
	cfg := migrate.SessionConfig{Exports: sample, To: to, Mode: "overwrite", Yes: true}
	if _, err := migrate.NewSession(cfg, env).Run(t.Context(), quietPerson{}); !errors.As(err, new(*migrate.DeferredError)) {
		t.Fatalf("err %v, want the daily limit", err)
	}
	// Meanwhile the account blocks someone the export does not:
	// overwrite mode removes that block.
	blocked := "blocked@x.example"
	p.fake.SeedBlock(p.fake.AddHandle(blocked, mastotest.Account{}))
	p.clock.Advance(25 * time.Hour)

	asked := func() *ui.Question {
		t.Helper()
		writes := p.fake.Writes()
		if code, body := p.Post("/run/continue", nil); code != http.StatusOK {
			t.Fatalf("continue: %d %s", code, body)
		}
		s := p.WaitFor("the question", func(s ui.Snapshot) bool { return s.Question != nil || uitest.Ended(s) })
		if s.Question == nil || s.Question.Confirm == nil || s.Question.Confirm.Removals == 0 || s.Question.Confirm.Account != to {
			t.Fatalf("continued with no question of the removals: state %q (%s), question %+v", s.State, s.Message, s.Question)
		}
		if got := p.fake.Writes(); got != writes {
			t.Errorf("%d writes before the answer", got-writes)
		}
		_, page := p.Get("/run")
		if !strings.Contains(page, `id="typed"`) {
			t.Errorf("the page does not ask for the account's name:\n%s", page)
		}
		return s.Question
	}
	answer := func(q *ui.Question, typed string) ui.Snapshot {
		t.Helper()
		form := url.Values{"id": {strconv.Itoa(q.ID)}, "answer": {"yes"}, "typed": {typed}}
		if code, body := p.Post("/run/answer", form); code != http.StatusOK {
			t.Fatalf("answer: %d %s", code, body)
		}
		return p.WaitFor("the end", func(s ui.Snapshot) bool { return uitest.Ended(s) && s.Seq > q.ID })
	}

	writes := p.fake.Writes()
	if s := answer(asked(), ""); s.State != "declined" {
		t.Errorf("a yes without the name: state %q (%s), want declined", s.State, s.Message)
	}
	if !slices.Contains(p.fake.State().Blocks, blocked) || p.fake.Writes() != writes {
		t.Fatalf("a yes without the name changed the account: %d writes, blocks %q", p.fake.Writes()-writes, p.fake.State().Blocks)
	}
	if s := answer(asked(), "@"+to); s.State == "declined" || s.State == "failed" {
		t.Fatalf("the name typed: state %q (%s)", s.State, s.Message)
	}
	if slices.Contains(p.fake.State().Blocks, blocked) {
		t.Errorf("the name typed, and %s is still blocked", blocked)
	}
}
