package api_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

func newClient(t testing.TB, s *mastotest.Server, o api.Options) *api.Client {
	t.Helper()
	if o.Token == "" {
		o.Token = s.Token
	}
	if o.Backoff == 0 {
		o.Backoff = time.Millisecond
	}
	c, err := api.New(s.URL, o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestParseInstance(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"example.social", "https://example.social", ""},
		{"https://Example.Social/about", "https://example.social", ""},
		{"http://127.0.0.1:3000", "http://127.0.0.1:3000", ""},
		{"http://localhost:3000/", "http://localhost:3000", ""},
		{"erin@127.0.0.1:8080", "http://127.0.0.1:8080", ""},
		{"@dev@localhost:3000", "http://localhost:3000", ""},
		{"me@new.example", "https://new.example", ""},
		{"https://127.0.0.1:8443", "https://127.0.0.1:8443", ""},
		{"http://example.social", "", "refusing plain http"},
		{"ftp://example.social", "", "not an http(s) address"},
	}
	for _, tt := range tests {
		u, err := api.ParseInstance(tt.in)
		switch {
		case tt.err != "":
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.in, err, tt.err)
			}
		case err != nil || u.String() != tt.want:
			t.Errorf("%s: %v, %v; want %s", tt.in, u, err, tt.want)
		}
	}
}

// TestTypedErrors checks each error a caller must decide on, as the fake
// server produces it.
func TestTypedErrors(t *testing.T) {
	ctx := context.Background()
	s := mastotest.NewServer(t)
	c := newClient(t, s, api.Options{})
	moved := s.AddAccount(mastotest.Account{Username: "new", Domain: "b.example"})
	old := s.AddAccount(mastotest.Account{Username: "old", Domain: "a.example", MovedTo: moved})
	gone := s.AddAccount(mastotest.Account{Username: "gone", Domain: "a.example", Suspended: true})
	friend := s.AddAccount(mastotest.Account{Username: "friend", Domain: "a.example"})
	list, err := c.CreateList(ctx, "L", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	bad := newClient(t, s, api.Options{Token: "wrong"})

	tests := []struct {
		name string
		call func() error
		is   error
		msg  string
	}{
		{"unauthorized", func() error { _, err := bad.Me(ctx); return err }, api.ErrUnauthorized, "The access token is invalid"},
		{"self follow", func() error { _, err := c.Follow(ctx, s.MeID, api.FollowOptions{}); return err }, api.ErrForbidden, "Following your own account is not allowed"},
		{"moved follow", func() error { _, err := c.Follow(ctx, old, api.FollowOptions{}); return err }, api.ErrForbidden, "This action is not allowed"},
		{"suspended follow", func() error { _, err := c.Follow(ctx, gone, api.FollowOptions{}); return err }, api.ErrNotFound, "Record not found"},
		{"unknown id block (go-mastodon path)", func() error { _, err := c.Block(ctx, "999"); return err }, api.ErrNotFound, "Record not found"},
		{"list member not followed", func() error { return c.AddToList(ctx, list.ID, friend) }, api.ErrValidation, "Account must be a followed account"},
		{"list bad policy", func() error { _, err := c.CreateList(ctx, "X", "everyone", nil); return err }, api.ErrValidation, "Replies policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if !errors.Is(err, tt.is) {
				t.Fatalf("error %v (%T), want %v", err, err, tt.is)
			}
			var ae *api.Error
			if !errors.As(err, &ae) || !strings.Contains(ae.Message, tt.msg) {
				t.Errorf("message %q, want %q", err, tt.msg)
			}
		})
	}

	t.Run("existing list member", func(t *testing.T) {
		if _, err := c.Follow(ctx, friend, api.FollowOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := c.AddToList(ctx, list.ID, friend); err != nil {
			t.Fatal(err)
		}
		if err := c.AddToList(ctx, list.ID, friend); !errors.Is(err, api.ErrValidation) {
			t.Errorf("second add: %v, want validation error", err)
		}
	})
}

func TestServerErrorsAreRetriedThenTyped(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFaults(mastotest.Faults{ServerErrors: 1}, 1))
	c := newClient(t, s, api.Options{Retries: 3})
	_, err := c.Me(context.Background())
	if !errors.Is(err, api.ErrServer) {
		t.Fatalf("got %v, want a server error", err)
	}
	if n := s.Count("GET /api/v1/accounts/verify_credentials"); n != 4 {
		t.Errorf("%d attempts, want 1 + 3 retries", n)
	}
}

func TestFaultsAreRetriedToSuccess(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFaults(mastotest.Faults{ServerErrors: 0.3, Drops: 0.2, SlowBodies: 0.2, SlowPause: time.Millisecond}, 7))
	c := newClient(t, s, api.Options{Retries: 8})
	for i := 0; i < 50; i++ {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	s := mastotest.NewServer(t)
	c := newClient(t, s, api.Options{Retries: 5})
	c.Block(context.Background(), "999")
	if n := s.Count("POST /api/v1/accounts/:id/block"); n != 1 {
		t.Errorf("a 404 was sent %d times", n)
	}
}

// TestRateLimit429 checks that a 429 becomes a typed error at once, with
// the server's reset time, instead of go-mastodon's hours of sleeping.
func TestRateLimit429(t *testing.T) {
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC))
	l := mastotest.MastodonLimits()
	l.FollowsPerDay = 2
	s := mastotest.NewServer(t, mastotest.WithClock(clock), mastotest.WithLimits(l))
	c := newClient(t, s, api.Options{Clock: clock})
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, s.AddAccount(mastotest.Account{Username: fmt.Sprint("u", i), Domain: "x.example"}))
	}
	ctx := context.Background()
	for _, id := range ids[:2] {
		if _, err := c.Follow(ctx, id, api.FollowOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Follow(ctx, ids[2], api.FollowOptions{})
	var rl *api.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("got %v, want *RateLimitError", err)
	}
	if !rl.Daily || !rl.Rate.Reset.Equal(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("rate limit %+v: want daily, resetting at the next UTC midnight", rl)
	}
	// The next follow is refused without a request: the pacer knows.
	before := s.Count("POST /api/v1/accounts/:id/follow")
	_, err = c.Follow(ctx, ids[2], api.FollowOptions{})
	if !errors.As(err, &rl) || s.Count("POST /api/v1/accounts/:id/follow") != before {
		t.Errorf("second try: %v, %d requests; want a RateLimitError without sending", err, s.Count("POST /api/v1/accounts/:id/follow")-before)
	}
	// Other requests go on.
	if _, err := c.Me(ctx); err != nil {
		t.Errorf("a GET after the follow limit: %v", err)
	}
}

// TestRetryAfter: servers other than Mastodon send Retry-After (GoToSocial's
// concurrency throttle, proxies). The request waits that long and is sent
// again; the wait is announced.
func TestRetryAfter(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Write([]byte(`{"id":"1","acct":"me"}`))
	}))
	defer srv.Close()
	start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	clock := mastotest.NewManualClock(start)
	var waits []api.Wait
	c, _ := api.New(srv.URL, api.Options{Token: "t", Clock: clock, Waiting: func(w api.Wait) { waits = append(waits, w) }})
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatalf("got %v, want the request sent again after the wait", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d requests, want 2", n.Load())
	}
	if len(waits) != 1 || waits[0].Until.Before(start.Add(120*time.Second)) || waits[0].Until.After(start.Add(122*time.Second)) {
		t.Errorf("waits %+v, want one until %v", waits, start.Add(120*time.Second))
	}
	if now := clock.Now(); now.Before(start.Add(120 * time.Second)) {
		t.Errorf("sent again at %v, before the server allowed it", now)
	}
}

// TestSpentWindowIsWaitedOut starts a client when an earlier run has spent
// the window: its very first request draws a real 429 from the server,
// waits for the reset the headers give, and succeeds.
func TestSpentWindowIsWaitedOut(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 1, 0, 0, time.UTC))
			l := mastotest.MastodonLimits()
			l.Requests = 5
			s := mastotest.NewServer(t, mastotest.WithClock(clock), mastotest.WithLimits(l), mastotest.WithFlavour(fl))
			earlier := newClient(t, s, api.Options{Clock: clock})
			for i := 0; i < 5; i++ {
				if _, err := earlier.Me(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			var waits []api.Wait
			c := newClient(t, s, api.Options{Clock: clock, Waiting: func(w api.Wait) { waits = append(waits, w) }})
			before := clock.Now()
			if _, err := c.Me(context.Background()); err != nil {
				t.Fatalf("first request of the run: %v, want it to wait and succeed", err)
			}
			if s.Throttled() == 0 {
				t.Error("the server never answered 429: the test did not reach the 429 path")
			}
			if len(waits) == 0 || !waits[0].Until.After(before) {
				t.Errorf("waits %+v: the wait was not announced", waits)
			}
		})
	}
}

// TestWaitEndsOnCancel: a request waiting out a 429 gives up at once when
// its context is cancelled (the first Ctrl-C), however far the reset.
func TestWaitEndsOnCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c, _ := api.New(srv.URL, api.Options{Token: "t", Waiting: func(api.Wait) { cancel() }})
	done := make(chan error, 1)
	go func() { _, err := c.Me(ctx); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the wait went on after the context was cancelled")
	}
}

// TestUnreachable: a refused connection and a server that accepts but never
// answers each fail the first request with one line naming the host, and
// are not retried (the server never answered in this run).
func TestUnreachable(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	refusedURL := closed.URL
	closed.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var accepted atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			defer conn.Close() // never answers
		}
	}()
	tests := []struct {
		name, url, msg string
		attempts       func() int32
	}{
		{"refused", refusedURL, "connection refused", nil},
		{"silent", "http://" + ln.Addr().String(), "timed out (no answer within", accepted.Load},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, _ := api.New(tt.url, api.Options{Token: "t", Timeout: 200 * time.Millisecond, Retries: 4, Backoff: time.Hour})
			_, err := c.Me(context.Background())
			var ue *api.UnreachableError
			if !errors.As(err, &ue) || !errors.Is(err, api.ErrUnreachable) {
				t.Fatalf("got %v (%T), want *UnreachableError", err, err)
			}
			host := strings.TrimPrefix(tt.url, "http://")
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), host) || strings.Contains(err.Error(), "\n") {
				t.Errorf("message %q: want one line naming %s and saying %q", err, host, tt.msg)
			}
			if tt.attempts != nil && tt.attempts() != 1 {
				t.Errorf("%d connections, want 1 (no retries before the first answer)", tt.attempts())
			}
		})
	}
	t.Run("silent, many requests", func(t *testing.T) {
		// Requests queued behind the first learn from it: the command
		// fails after one timeout, not one per request.
		before := accepted.Load()
		c, _ := api.New("http://"+ln.Addr().String(), api.Options{Token: "t", Timeout: 200 * time.Millisecond})
		errs := make(chan error, 3)
		for i := 0; i < 3; i++ {
			go func() { _, err := c.Me(context.Background()); errs <- err }()
		}
		for i := 0; i < 3; i++ {
			if err := <-errs; !errors.Is(err, api.ErrUnreachable) {
				t.Errorf("got %v, want ErrUnreachable", err)
			}
		}
		if n := accepted.Load() - before; n != 1 {
			t.Errorf("%d connections, want 1", n)
		}
	})
}

// TestTokenStaysHome sends a request that the instance redirects to
// another host: the token must not follow it.
func TestTokenStaysHome(t *testing.T) {
	var leaked []string
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h := r.Header.Get("Authorization"); h != "" {
			leaked = append(leaked, h)
		}
		w.Write([]byte(`{"id":"1","acct":"x"}`))
	}))
	defer other.Close()
	home := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer secret-token" {
			t.Errorf("the instance itself did not get the token")
		}
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	}))
	defer home.Close()
	// Same IP, other port: another origin all the same.
	c, _ := api.New(home.URL, api.Options{Token: "secret-token"})
	if _, err := c.Me(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(leaked) > 0 {
		t.Errorf("token sent to another host: %v", leaked)
	}
}

func TestTokenNotInErrors(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFaults(mastotest.Faults{ServerErrors: 1}, 1))
	c := newClient(t, s, api.Options{Retries: 1})
	calls := []func() error{
		func() error { _, err := c.Me(context.Background()); return err },
		func() error { _, err := c.Block(context.Background(), "1"); return err },
		func() error { _, err := c.Resolve(context.Background(), "a@b.example"); return err },
	}
	for _, call := range calls {
		if err := call(); err == nil || strings.Contains(err.Error(), s.Token) {
			t.Errorf("error %v: missing or contains the token", err)
		}
	}
}

// TestLimitsOfTheFake covers the account-wide limits as typed errors: the
// follow cap (app/validators/follow_limit_validator.rb) and the 50 lists
// an account may have (app/models/list.rb).
func TestLimitsOfTheFake(t *testing.T) {
	l := mastotest.MastodonLimits()
	l.FollowCap, l.MaxLists = 2, 2
	s := mastotest.NewServer(t, mastotest.WithLimits(l))
	c := newClient(t, s, api.Options{})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := c.Follow(ctx, s.AddHandle(fmt.Sprint("f", i, "@x.example"), mastotest.Account{}), api.FollowOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, err := c.CreateList(ctx, fmt.Sprint("L", i), "", nil); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Follow(ctx, s.AddHandle("f3@x.example", mastotest.Account{}), api.FollowOptions{})
	if !errors.Is(err, api.ErrValidation) || !strings.Contains(err.Error(), "cannot follow more than 2") {
		t.Errorf("over the follow cap: %v", err)
	}
	if _, err := c.CreateList(ctx, "L3", "", nil); !errors.Is(err, api.ErrValidation) || !strings.Contains(err.Error(), "maximum number of lists") {
		t.Errorf("over the list limit: %v", err)
	}
}

// TestGone: Mastodon's REST API shows a suspended account with
// "suspended": true rather than a 410, but other servers answer 410 Gone;
// it is a typed error all the same.
func TestGone(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusGone)
		w.Write([]byte(`{"error":"Account is gone"}`))
	}))
	defer srv.Close()
	c, _ := api.New(srv.URL, api.Options{Token: "t"})
	_, err := c.Block(context.Background(), "1")
	if !errors.Is(err, api.ErrGone) || !strings.Contains(err.Error(), "Account is gone") {
		t.Errorf("got %v", err)
	}
}
