package ui

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// TestAsk: the engine's questions wait for the page's answer to the
// question shown, a pause ends the wait, and a secret typed is handed to
// the engine and kept nowhere the page can read.
func TestAsk(t *testing.T) {
	tests := []struct {
		name   string
		ask    func(l *live, ctx context.Context) (any, error)
		answer answer // id filled in
		want   any
	}{
		{"yes", func(l *live, ctx context.Context) (any, error) {
			return l.Confirm(ctx, migrate.Confirmation{Account: "me@new.example", Changes: 3})
		}, answer{yes: true}, true},
		{"no", func(l *live, ctx context.Context) (any, error) {
			return l.Confirm(ctx, migrate.Confirmation{Account: "me@new.example", Changes: 3})
		}, answer{}, false},
		{"removals need the account typed", func(l *live, ctx context.Context) (any, error) {
			return l.Confirm(ctx, migrate.Confirmation{Account: "me@new.example", Changes: 3, Removals: 2})
		}, answer{yes: true}, false},
		{"removals with the account typed", func(l *live, ctx context.Context) (any, error) {
			return l.Confirm(ctx, migrate.Confirmation{Account: "me@new.example", Changes: 3, Removals: 2})
		}, answer{yes: true, typed: " @me@new.example "}, true},
		{"a password", func(l *live, ctx context.Context) (any, error) {
			return l.Secret(ctx, migrate.SecretRequest{Kind: migrate.SecretPassword, Account: "me@old.example", Prompt: "Password:"})
		}, answer{yes: true, typed: "hunter2-secret"}, "hunter2-secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newLive(nil)
			type result struct {
				v   any
				err error
			}
			done := make(chan result, 1)
			go func() {
				v, err := tt.ask(l, context.Background())
				done <- result{v, err}
			}()
			var q *Question
			for deadline := time.Now().Add(5 * time.Second); q == nil; time.Sleep(time.Millisecond) {
				if time.Now().After(deadline) {
					t.Fatal("nothing asked")
				}
				q = l.Snapshot().Question
			}
			if err := l.reply(answer{id: q.ID + 1, yes: true}); !errors.Is(err, errStale) {
				t.Errorf("an answer to another question: %v, want refused", err)
			}
			a := tt.answer
			a.id = q.ID
			if err := l.reply(a); err != nil {
				t.Fatal(err)
			}
			r := <-done
			if r.err != nil || r.v != tt.want {
				t.Errorf("got %v, %v; want %v", r.v, r.err, tt.want)
			}
			snap, _ := json.Marshal(l.Snapshot())
			if l.Snapshot().Question != nil || strings.Contains(string(snap), "hunter2") {
				t.Errorf("after the answer: %s", snap)
			}
			if err := l.reply(a); !errors.Is(err, errStale) {
				t.Errorf("a second answer: %v, want refused", err)
			}
		})
	}
}

// TestAskPaused: a pause while the page is asked ends the question; the
// run ends paused, with nothing sent.
func TestAskPaused(t *testing.T) {
	l := newLive(nil)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for l.Snapshot().Question == nil {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	ok, err := l.Confirm(ctx, migrate.Confirmation{Account: "me@new.example", Changes: 1})
	if ok || !errors.Is(err, context.Canceled) {
		t.Fatalf("%v, %v", ok, err)
	}
	l.end(nil, err)
	if s := l.Snapshot(); s.State != "paused" || s.Question != nil {
		t.Errorf("%+v", s)
	}
}

// TestWaits: the server's rate limit and the daily follow limit show
// with their end until it has passed.
func TestWaits(t *testing.T) {
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := newLive(clock)
	until := clock.Now().Add(4 * time.Minute)
	l.rateLimited(api.Wait{Until: until, Reason: "the server's rate limit (300 requests per 5 minutes)"})
	l.Notify(migrate.Event{Kind: migrate.EventProgress, Phase: migrate.PhaseReplay, Category: "follows", Done: 1, Total: 5})
	if w := l.Snapshot().Wait; w == nil || !w.Until.Equal(until) || !strings.Contains(w.Reason, "rate limit") {
		t.Fatalf("wait %+v", w)
	}
	clock.Advance(5 * time.Minute)
	l.Notify(migrate.Event{Kind: migrate.EventProgress, Phase: migrate.PhaseReplay, Category: "follows", Done: 2, Total: 5})
	if w := l.Snapshot().Wait; w != nil {
		t.Errorf("still waiting after the end: %+v", w)
	}
	l.Notify(migrate.Event{Kind: migrate.EventWait, Phase: migrate.PhaseReplay, Until: clock.Now().Add(20 * time.Hour), Reason: "Mastodon's daily follow limit"})
	if w := l.Snapshot().Wait; w == nil || w.Reason != "Mastodon's daily follow limit" {
		t.Errorf("wait %+v", w)
	}
	if c := l.Snapshot().Categories; len(c) != 1 || c[0].Done != 2 {
		t.Errorf("categories %+v", c)
	}
}
