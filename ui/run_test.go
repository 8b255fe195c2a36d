package ui_test

import (
	"net/http"
	"net/url"
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
