package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		headers map[string]string
		reset   time.Time
		ok      bool
	}{
		{"Mastodon: ISO 8601 with microseconds", map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "7",
			"X-RateLimit-Reset": "2026-03-01T12:05:00.000000Z"}, now.Add(5 * time.Minute), true},
		{"lower-case names, Unix seconds", map[string]string{"x-ratelimit-limit": "300", "x-ratelimit-remaining": "7",
			"x-ratelimit-reset": "1772366700"}, time.Unix(1772366700, 0), true},
		{"seconds to wait", map[string]string{"X-Ratelimit-Limit": "300", "X-Ratelimit-Remaining": "7",
			"X-Ratelimit-Reset": "90"}, now.Add(90 * time.Second), true},
		{"no headers", map[string]string{}, time.Time{}, false},
		{"garbage reset", map[string]string{"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}, time.Time{}, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.headers {
			h[k] = []string{v} // as sent: not canonicalised
		}
		// net/http canonicalises names when it reads a response; do the same.
		canon := http.Header{}
		for k, v := range h {
			canon[http.CanonicalHeaderKey(k)] = v
		}
		r, ok := parseRate(canon, now)
		if ok != tt.ok || (ok && (!r.Reset.Equal(tt.reset) || r.Limit != 300 || r.Remaining != 7)) {
			t.Errorf("%s: %+v %v", tt.name, r, ok)
		}
	}
}

// TestResetOnOurClock: a server whose clock is an hour ahead of ours says
// its window resets in five minutes; we wait five minutes, not an hour
// and five (nor hammer a window whose reset is already past for us).
func TestResetOnOurClock(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	server := now.Add(time.Hour)
	h := http.Header{}
	h.Set("Date", server.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "300")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", server.Add(5*time.Minute).Format(time.RFC3339Nano))
	r, ok := parseRate(h, now)
	if !ok || !r.Reset.Equal(now.Add(5*time.Minute)) {
		t.Errorf("reset %v (ok %v), want %v", r.Reset, ok, now.Add(5*time.Minute))
	}
}

// stepClock is a clock that moves only when told, and counts the sleeps
// asked of it.
type stepClock struct {
	mu     sync.Mutex
	t      time.Time
	sleeps int
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps++
	return errWouldSleep
}

func (c *stepClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

var errWouldSleep = errors.New("would sleep")

// answer is the headers of a Mastodon answer: the window's reset and
// what remains, stamped by the server at date.
func answer(date, reset time.Time, remaining int) http.Header {
	h := http.Header{}
	h.Set("Date", date.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "10")
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", reset.Format(time.RFC3339Nano))
	return h
}

// TestPacerLateAnswers: answers come back out of order and late; the
// pacer lets out only what the server's window has left, whatever the
// order. Each case ends with the number the server would still take.
func TestPacerLateAnswers(t *testing.T) {
	at := func(m, s int) time.Time { return time.Date(2026, 3, 1, 12, m, s, 0, time.UTC) }
	w1, w2 := at(5, 0), at(10, 0) // Mastodon's windows end on the five minutes
	req := httptest.NewRequest(http.MethodGet, "/api/v1/accounts/1", nil)
	type step struct {
		now    time.Time // our clock when the step happens
		send   int       // requests let out (each must go at once)
		date   time.Time // else: answers the server stamped at date
		reset  time.Time
		remain int
		n      int // how many such answers; 0 is one
	}
	tests := []struct {
		name  string
		steps []step
		check time.Time // when to count what the pacer lets out
		free  int       // what the server's window still takes then
	}{
		{"an answer of the last window, arriving after this one's", []step{
			{now: at(4, 50), send: 1},
			{now: at(4, 50), date: at(4, 50), reset: w1, remain: 9},
			{now: at(4, 51), send: 9},
			{now: at(4, 52), date: at(4, 52), reset: w1, remain: 1, n: 8},
			{now: at(5, 2), send: 9}, // the window has reset: 10 less the one still out
			{now: at(5, 3), date: at(5, 3), reset: w2, remain: 1, n: 9},
			{now: at(5, 4), date: at(4, 59), reset: w1, remain: 0}, // the one still out
		}, at(5, 7), 1}, // 9 sent in the second window, 10 allowed
		{"an answer of this window, late by seconds", []step{
			{now: at(0, 0), send: 1},
			{now: at(0, 0), date: at(0, 0), reset: w1, remain: 9},
			{now: at(0, 1), send: 9},
			{now: at(0, 1), date: at(0, 1), reset: w1, remain: 0},
			{now: at(0, 9), date: at(0, 0), reset: w1, remain: 8}, // 8 s on its way
		}, at(0, 10), 0}, // all 10 counted
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := &stepClock{}
			p := newPacer(clock, 0)
			// A request that would wait fails the step, rather than hang.
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			for i, s := range tt.steps {
				clock.set(s.now)
				for range s.send {
					if err := p.acquire(ctx, req); err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				}
				if s.send == 0 {
					for range max(s.n, 1) {
						p.done(req, answer(s.date, s.reset, s.remain), http.StatusOK)
					}
				}
			}
			// What goes out now without a wait: a context already done
			// stops a wait for answers, the clock a wait for a reset.
			clock.set(tt.check)
			done, stop := context.WithCancel(context.Background())
			stop()
			free := 0
			for p.acquire(done, req) == nil {
				free++
			}
			if free != tt.free {
				t.Errorf("the pacer lets %d more out, the server takes %d", free, tt.free)
			}
		})
	}
}

// TestPacerWaitsForTheFirstAnswer: requests sent together wait for the
// first answer to tell the limits, and wake when it comes, without
// sleeping on the clock (which, polled, made a test clock race ahead).
func TestPacerWaitsForTheFirstAnswer(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := &stepClock{t: now}
	p := newPacer(clock, 0)
	req := httptest.NewRequest(http.MethodGet, "/api/v1/accounts/1", nil)
	if err := p.acquire(context.Background(), req); err != nil {
		t.Fatal(err)
	}
	let := make(chan error, 3)
	for range 3 {
		go func() { let <- p.acquire(context.Background(), req) }()
	}
	select {
	case err := <-let:
		if err != nil {
			t.Fatalf("waiting for the first answer: %v", err)
		}
		t.Fatal("a request went out before the first answer")
	case <-time.After(50 * time.Millisecond): // nothing must happen; a late failure is caught below too
	}
	p.done(req, answer(now, now.Add(5*time.Minute), 9), http.StatusOK)
	for range 3 {
		if err := <-let; err != nil {
			t.Fatal(err)
		}
	}
	if clock.sleeps != 0 {
		t.Errorf("%d sleeps on the clock while waiting for an answer", clock.sleeps)
	}
}
