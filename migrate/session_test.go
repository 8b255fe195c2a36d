package migrate_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// person is a fake of whoever runs the session: it answers Confirm with
// yes (or no) and keeps every event.
type person struct {
	mu       sync.Mutex
	yes      bool
	asked    []migrate.Confirmation
	events   []migrate.Event
	onNotify func(migrate.Event)
}

func (p *person) Confirm(_ context.Context, q migrate.Confirmation) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, q)
	return p.yes, nil
}

func (p *person) Secret(context.Context, migrate.SecretRequest) (string, error) {
	return "", errors.New("no secrets in these tests")
}

func (p *person) Notify(e migrate.Event) {
	p.mu.Lock()
	p.events = append(p.events, e)
	f := p.onNotify
	p.mu.Unlock()
	if f != nil {
		f(e)
	}
}

// phases are the phases told, in order, each once.
func (p *person) phases() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, e := range p.events {
		if e.Kind == migrate.EventPhase && !slices.Contains(out, e.Phase) {
			out = append(out, e.Phase)
		}
	}
	return out
}

func (p *person) count(kind migrate.EventKind, phase string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, e := range p.events {
		if e.Kind == kind && (phase == "" || e.Phase == phase) {
			n++
		}
	}
	return n
}

// accounts opens every account on one fake server.
type accounts struct {
	s     *mastotest.Server
	clock api.Clock
}

func (a accounts) Open(_ context.Context, account string, _ bool) (*api.Client, *api.Account, error) {
	c, err := api.New(a.s.URL, api.Options{Token: a.s.Token, Clock: a.clock})
	return c, &api.Account{Acct: account}, err
}

type sessionEnv struct {
	s     *mastotest.Server
	clock *mastotest.ManualClock
	env   migrate.Env
}

func newSessionEnv(t *testing.T, opts ...mastotest.Option) *sessionEnv {
	clock := mastotest.NewManualClock(time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC))
	s := mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithClock(clock)}, opts...)...)
	migratetest.SeedSample(s)
	return &sessionEnv{s: s, clock: clock,
		env: migrate.Env{Accounts: accounts{s, clock}, StateDir: t.TempDir(), Clock: clock}}
}

var sample = []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/csv"}

// TestSessionRun runs a migration through its phases with a fake person,
// no CLI: it is asked once, told the plan before that, and the second run
// finds nothing left and asks nothing.
func TestSessionRun(t *testing.T) {
	tests := []struct {
		name    string
		flavour mastotest.Flavour
		phases  []string
	}{
		{"mastodon", mastotest.Mastodon45, []string{migrate.PhaseRead, migrate.PhaseCheck, migrate.PhaseReplay}},
		{"gotosocial", mastotest.GoToSocial020, []string{migrate.PhaseRead, migrate.PhaseBulk, migrate.PhaseCheck, migrate.PhaseReplay}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newSessionEnv(t, mastotest.WithFlavour(tt.flavour))
			p := &person{yes: true}
			var planBeforeAsk bool
			p.onNotify = func(ev migrate.Event) {
				if ev.Kind == migrate.EventPlan && ev.Plan != nil && ev.Plan.Target != nil {
					p.mu.Lock()
					planBeforeAsk = len(p.asked) == 0 || tt.flavour.Software == "gotosocial"
					p.mu.Unlock()
				}
			}
			cfg := migrate.SessionConfig{Exports: sample, To: "me@new.example"}
			sum, err := migrate.NewSession(cfg, e.env).Run(context.Background(), p)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.phases(); !slices.Equal(got, tt.phases) {
				t.Errorf("phases %v, want %v", got, tt.phases)
			}
			if !planBeforeAsk {
				t.Error("the plan was not told before the question")
			}
			if len(p.asked) == 0 || p.asked[len(p.asked)-1].Changes == 0 {
				t.Errorf("asked %+v", p.asked)
			}
			if !sum.Replayed || !sum.Finished || sum.Account == "" {
				t.Errorf("summary %+v", sum)
			}
			done := 0
			for _, r := range sum.Rows {
				done += r.Done
			}
			if done == 0 || p.count(migrate.EventProgress, migrate.PhaseReplay) == 0 {
				t.Errorf("done %d, replay progress events %d", done, p.count(migrate.EventProgress, migrate.PhaseReplay))
			}
			for _, ev := range p.events {
				if strings.ContainsAny(ev.Message, "\r\033") || strings.HasPrefix(ev.Message, "! ") || strings.HasPrefix(ev.Message, "import: ") {
					t.Errorf("an event carries terminal text: %+v", ev)
				}
			}

			again := &person{yes: true}
			sum, err = migrate.NewSession(cfg, e.env).Run(context.Background(), again)
			if err != nil {
				t.Fatal(err)
			}
			if len(again.asked) != 0 || sum.Replayed || !sum.Finished {
				t.Errorf("second run: asked %+v, summary %+v", again.asked, sum)
			}
		})
	}
}

// TestSessionDeclined: a person who says no changes nothing.
func TestSessionDeclined(t *testing.T) {
	e := newSessionEnv(t)
	before := e.s.State()
	_, err := migrate.NewSession(migrate.SessionConfig{Exports: sample, To: "me@new.example"}, e.env).Run(context.Background(), &person{})
	if !errors.Is(err, migrate.ErrNotConfirmed) {
		t.Fatalf("err %v, want ErrNotConfirmed", err)
	}
	if after := e.s.State(); len(after.Follows) != len(before.Follows) || len(after.Blocks) != len(before.Blocks) {
		t.Errorf("declined, yet the account changed: %d follows, then %d", len(before.Follows), len(after.Follows))
	}
}

// TestSessionContinued: a run continued (the page's Continue) asks
// nothing more before it adds, but asks again before it removes, with the
// account's name to type; on GoToSocial too, whose import would remove
// without counting.
func TestSessionContinued(t *testing.T) {
	tests := []struct {
		mode  string
		asked bool
	}{
		{"merge", false},
		{"overwrite", true},
	}
	for _, fl := range mastotest.Flavours() {
		for _, tt := range tests {
			t.Run(fl.String()+"/"+tt.mode, func(t *testing.T) {
				e := newSessionEnv(t, mastotest.WithFlavour(fl))
				// A block the export lacks: overwrite mode removes it.
				e.s.SeedBlock(e.s.AddHandle("blocked@x.example", mastotest.Account{}))
				p := &person{} // it says no to every question
				cfg := migrate.SessionConfig{Exports: sample, To: "me@new.example", Mode: tt.mode, Continued: true}
				_, err := migrate.NewSession(cfg, e.env).Run(context.Background(), p)
				if !tt.asked {
					if err != nil || len(p.asked) != 0 {
						t.Errorf("err %v, asked %+v; want a run that asks nothing", err, p.asked)
					}
					return
				}
				if !errors.Is(err, migrate.ErrNotConfirmed) || len(p.asked) != 1 || !p.asked[0].TypeAccount() {
					t.Fatalf("err %v, asked %+v; want one question that needs the name, declined", err, p.asked)
				}
				if n := e.s.Writes(); n != 0 {
					t.Errorf("%d writes before the removals were confirmed", n)
				}
			})
		}
	}
}

// TestSessionEnds: the typed errors that end a run with work left, each
// with the summary so far.
func TestSessionEnds(t *testing.T) {
	tests := []struct {
		name  string
		limit int  // follows a day
		stop  bool // cancel as the replay starts
		check func(t *testing.T, err error)
	}{
		{"daily limit", 2, false, func(t *testing.T, err error) {
			var de *migrate.DeferredError
			if !errors.As(err, &de) || de.Follows == 0 || de.Limit != 2 || !strings.Contains(de.Command, "--yes") {
				t.Errorf("err %#v, want a DeferredError", err)
			}
		}},
		{"stopped", 400, true, func(t *testing.T, err error) {
			var se *migrate.StoppedError
			if !errors.As(err, &se) || se.Phase != migrate.PhaseReplay || !errors.Is(err, context.Canceled) {
				t.Errorf("err %#v, want a StoppedError in the replay", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			limits := mastotest.MastodonLimits()
			limits.FollowsPerDay = tt.limit
			e := newSessionEnv(t, mastotest.WithLimits(limits))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			p := &person{yes: true}
			if tt.stop {
				p.onNotify = func(ev migrate.Event) {
					if ev.Kind == migrate.EventPhase && ev.Phase == migrate.PhaseReplay {
						cancel()
					}
				}
			}
			sum, err := migrate.NewSession(migrate.SessionConfig{Exports: sample, To: "me@new.example"}, e.env).Run(ctx, p)
			tt.check(t, err)
			if sum == nil || sum.Finished {
				t.Errorf("summary %+v: want this run's, unfinished", sum)
			}
		})
	}
}

// TestSessionPlanWritesNothing: a plan reads the target and journals
// nothing, and needs no state folder.
func TestSessionPlanWritesNothing(t *testing.T) {
	e := newSessionEnv(t)
	dir := e.env.StateDir
	e.env.StateDir = ""
	before := e.s.State()
	p := &person{}
	plan, err := migrate.NewSession(migrate.SessionConfig{Exports: sample, To: "me@new.example"}, e.env).Plan(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Target == nil || len(plan.Target.Steps) == 0 || plan.Lanes == nil {
		t.Errorf("plan without the target's steps: %+v", plan.Target)
	}
	if len(p.asked) != 0 || p.count(migrate.EventProgress, migrate.PhaseCheck) == 0 {
		t.Errorf("asked %v; check progress events %d", p.asked, p.count(migrate.EventProgress, migrate.PhaseCheck))
	}
	if after := e.s.State(); len(after.Follows) != len(before.Follows) {
		t.Error("the plan changed the account")
	}
	if entries, _ := os.ReadDir(dir); len(entries) > 0 {
		t.Errorf("the plan wrote %v", entries)
	}
}

// TestResumeSession takes the options a journal was started with.
func TestResumeSession(t *testing.T) {
	limits := mastotest.MastodonLimits()
	limits.FollowsPerDay = 2
	e := newSessionEnv(t, mastotest.WithLimits(limits))
	cfg := migrate.SessionConfig{Exports: sample, To: "me@new.example", Skip: []string{"likes"}, Yes: true}
	_, err := migrate.NewSession(cfg, e.env).Run(context.Background(), &person{})
	var de *migrate.DeferredError
	if !errors.As(err, &de) {
		t.Fatalf("err %v, want the daily limit", err)
	}
	runs, err := migrate.Statuses(e.env.StateDir)
	if err != nil || len(runs) != 1 || runs[0].Todo == 0 || runs[0].Finished {
		t.Fatalf("statuses %+v, %v", runs, err)
	}
	s, err := migrate.ResumeSession(runs[0].Journal, e.env)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Config.Skip, cfg.Skip) || s.Config.To != cfg.To || s.Config.Yes {
		t.Errorf("resumed config %+v", s.Config)
	}
	e.clock.Advance(25 * time.Hour)
	s.Config.Yes = true
	for range 5 {
		if _, err = s.Run(context.Background(), &person{}); !errors.As(err, &de) {
			break
		}
		e.clock.Advance(25 * time.Hour)
	}
	if err != nil {
		t.Fatal(err)
	}
	rep, err := migrate.LoadReport(runs[0].Journal)
	if err != nil || !rep.Finished || rep.Todo != 0 {
		t.Errorf("report %+v, %v", rep, err)
	}
}

// TestSessionPostsAndProfile: on a server that takes backdated posts,
// the session's last phases carry the profile and the posts, and the
// summary counts what the server holds afterwards.
func TestSessionPostsAndProfile(t *testing.T) {
	e := newSessionEnv(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	p := &person{yes: true}
	cfg := migrate.SessionConfig{Exports: sample, To: "me@new.example", Include: []string{"profile", "posts"},
		Posts: []string{"public", "unlisted", "private"}}
	sum, err := migrate.NewSession(cfg, e.env).Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.phases(); got[len(got)-1] != migrate.PhasePosts {
		t.Errorf("phases %v, want the posts last", got)
	}
	var carried int
	for _, r := range sum.Rows {
		if r.Category == posts.Category {
			carried = r.Done
		}
	}
	if posts := e.s.Posts(); carried == 0 || carried != len(posts) {
		t.Errorf("summary says %d posts carried, the server holds %d", carried, len(posts))
	}
	if p.count(migrate.EventProgress, migrate.PhasePosts) == 0 {
		t.Error("no progress events for the posts")
	}
	if pr := e.s.Profile(); pr.DisplayName == "" || len(pr.Fields) == 0 {
		t.Errorf("profile not sent: %+v", pr)
	}
}

// TestSessionPlanCountsThePostsTheRunCarries: a face that offers no
// choice of visibilities (the page) gets the same posts counted in the
// plan as the run then carries.
func TestSessionPlanCountsThePostsTheRunCarries(t *testing.T) {
	e := newSessionEnv(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	cfg := migrate.SessionConfig{Exports: sample, To: "me@new.example", Include: []string{"posts"}}
	plan, err := migrate.NewSession(cfg, e.env).Plan(context.Background(), &person{})
	if err != nil {
		t.Fatal(err)
	}
	if plan.PostCarry == nil || plan.PostCarry.Carry == 0 {
		t.Fatalf("the plan carries no posts: %+v", plan.PostCarry)
	}
	cfg.Yes = true
	if _, err := migrate.NewSession(cfg, e.env).Run(context.Background(), &person{yes: true}); err != nil {
		t.Fatal(err)
	}
	if n := len(e.s.Posts()); n != plan.PostCarry.Carry {
		t.Errorf("the plan said %d posts, the run carried %d", plan.PostCarry.Carry, n)
	}
}
