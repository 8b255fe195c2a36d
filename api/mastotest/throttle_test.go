package mastotest

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"
)

func rate(a answer) (limit, remaining, reset string) {
	return a.header.Get("X-RateLimit-Limit"), a.header.Get("X-RateLimit-Remaining"), a.header.Get("X-RateLimit-Reset")
}

// TestMastodonThrottles: epoch-aligned windows per token, per user and
// for paged requests per user, headers describing the throttle closest to
// running out, and rack-attack's 429.
func TestMastodonThrottles(t *testing.T) {
	// 2.5 minutes into a 5-minute window and into a 15-minute one.
	clock := NewManualClock(time.Date(2026, 11, 28, 9, 2, 30, 0, time.UTC))
	l := MastodonLimits()
	l.Requests, l.UserRequests, l.Paginated = 10, 12, 3
	s := NewServer(t, WithClock(clock), WithLimits(l))
	other := s.NewToken()

	type step struct {
		what                   string
		paged                  bool
		tok                    string
		status                 int
		limit, remaining, rset string
	}
	five, fifteen := "2026-11-28T09:05:00.000000Z", "2026-11-28T09:15:00.000000Z"
	steps := []step{
		{"first", false, s.Token, 200, "10", "9", five},
		// Paged: the paging throttle has fewest left, so it shows.
		{"paged 1", true, s.Token, 200, "3", "2", fifteen},
		{"paged 2", true, s.Token, 200, "3", "1", fifteen},
		// Unpaged again: the token's throttle shows.
		{"unpaged", false, s.Token, 200, "10", "6", five},
		{"paged 3", true, s.Token, 200, "3", "0", fifteen},
		{"paged 4", true, s.Token, 429, "3", "0", fifteen},
	}
	// Another token of the same user has its own 10 but shares the
	// user's 12, of which 6 are used (the 429 counted too): the user's
	// throttle shows and runs out.
	for k := 1; k <= 6; k++ {
		steps = append(steps, step{"other token", false, other, 200, "12", strconv.Itoa(6 - k), five})
	}
	steps = append(steps, step{"other token, user spent", false, other, 429, "12", "0", five},
		step{"first token, user spent", false, s.Token, 429, "12", "0", five})
	for _, st := range steps {
		v := vals()
		if st.paged {
			v = vals("max_id", "99999")
		}
		a := req(t, s, "GET", "/api/v1/blocks", v, st.tok)
		if a.status != st.status {
			t.Fatalf("%s: status %d, want %d (%s)", st.what, a.status, st.status, a.body)
		}
		if lim, rem, rs := rate(a); lim != st.limit || rem != st.remaining || rs != st.rset {
			t.Errorf("%s: headers %s/%s/%s, want %s/%s/%s", st.what, lim, rem, rs, st.limit, st.remaining, st.rset)
		}
		if a.status == 429 {
			if a.errorText(t) != "Too many requests" || a.header.Get("Retry-After") != "" {
				t.Errorf("%s: 429 body %s, Retry-After %q", st.what, a.body, a.header.Get("Retry-After"))
			}
		}
	}
	// Windows are aligned to the epoch: at 09:05 the 5-minute ones are
	// new, the 15-minute one is not.
	clock.Advance(150 * time.Second)
	a := req(t, s, "GET", "/api/v1/blocks", nil)
	if lim, rem, rs := rate(a); a.status != 200 || lim != "10" || rem != "9" || rs != "2026-11-28T09:10:00.000000Z" {
		t.Errorf("new 5-minute window: %d %s/%s/%s", a.status, lim, rem, rs)
	}
	want(t, "paging window still spent", req(t, s, "GET", "/api/v1/blocks", vals("since_id", "1")), 429, "Too many requests")
	if s.Throttled() != 4 {
		t.Errorf("Throttled() = %d, want 4", s.Throttled())
	}
}

// TestGoToSocialRateLimit: per IP, window from the first request, all
// routes of the client API and OAuth together, unknown routes apart.
func TestGoToSocialRateLimit(t *testing.T) {
	start := time.Date(2026, 11, 28, 9, 2, 30, 250_000_000, time.UTC)
	clock := NewManualClock(start)
	l := GoToSocialLimits()
	l.IPRequests = 3
	s := NewServer(t, WithFlavour(GoToSocial020), WithClock(clock), WithLimits(l))

	first := req(t, s, "GET", "/api/v2/instance", nil, "")
	// The window starts at the first request, not on a boundary, and the
	// reset is in whole seconds written with milliseconds.
	if lim, rem, rs := rate(first); lim != "3" || rem != "2" || rs != "2026-11-28T09:07:30.000Z" {
		t.Errorf("first: %s/%s/%s", lim, rem, rs)
	}
	clock.Advance(4 * time.Minute)
	want(t, "unknown route", req(t, s, "GET", "/api/v1/nothing_here", nil), 404, "Not Found")
	want(t, "bad token still counts", req(t, s, "GET", "/api/v1/blocks", nil, "wrong"), 401, "")
	a := req(t, s, "GET", "/api/v1/blocks", nil)
	if lim, rem, rs := rate(a); a.status != 200 || rem != "0" || lim != "3" || rs != "2026-11-28T09:07:30.000Z" {
		t.Errorf("third: %d %s/%s/%s", a.status, lim, rem, rs)
	}
	a = req(t, s, "POST", "/oauth/token", vals("grant_type", "authorization_code"), "")
	if a.status != http.StatusTooManyRequests || a.errorText(t) != "rate limit reached" || a.header.Get("Retry-After") != "" {
		t.Errorf("fourth (OAuth, same limiter): %d %s Retry-After %q", a.status, a.body, a.header.Get("Retry-After"))
	}
	if a.header.Get("Content-Type") == "" || a.header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("429 headers: %v", a.header)
	}
	clock.Advance(time.Minute) // 09:07:30.250: the window has ended
	a = req(t, s, "GET", "/api/v1/blocks", nil)
	if lim, rem, rs := rate(a); a.status != 200 || lim != "3" || rem != "2" || rs != "2026-11-28T09:12:30.000Z" {
		t.Errorf("new window: %d %s/%s/%s", a.status, lim, rem, rs)
	}
	// No paged throttle and no daily follow limit.
	if s.limits.Paginated != 0 || s.limits.FollowsPerDay != 0 {
		t.Errorf("GoToSocial limits: %+v", s.limits)
	}
}

// TestConcurrencyThrottle: with more than n requests inside, the next is
// answered 429 with Retry-After; the held ones then finish.
func TestConcurrencyThrottle(t *testing.T) {
	s := NewServer(t, WithFlavour(GoToSocial020), WithConcurrencyLimit(2, 30*time.Second))
	release := s.Hold()
	var wg sync.WaitGroup
	results := make([]int, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a, err := send(context.Background(), s, "GET", "/api/v1/blocks", nil)
			if err == nil {
				results[i] = a.status
			}
		}()
	}
	defer release()
	eventually(t, "two requests in flight", func() bool { return s.InFlight() == 2 })
	// Were the throttle off, this request would wait behind the hold: the
	// timeout only turns that hang into a failure.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	a, err := send(ctx, s, "GET", "/api/v1/blocks", nil)
	if err != nil {
		t.Fatalf("third request not refused: %v", err)
	}
	if a.status != 429 || a.header.Get("Retry-After") != "30" || a.errorText(t) != "server capacity exceeded" {
		t.Errorf("third: %d Retry-After %q %s", a.status, a.header.Get("Retry-After"), a.body)
	}
	release()
	wg.Wait()
	if results[0] != 200 || results[1] != 200 {
		t.Errorf("held requests: %v", results)
	}
	want(t, "after", req(t, s, "GET", "/api/v1/blocks", nil), 200, "")
	// Off by default.
	s2 := NewServer(t, WithFlavour(GoToSocial020))
	if s2.maxInFlight != 0 {
		t.Error("concurrency throttle on by default")
	}
}

func TestTokenWrites(t *testing.T) {
	s := NewServer(t)
	other := s.NewToken()
	a := s.AddAccount(Account{Username: "a", Domain: "far.example"})
	req(t, s, "POST", "/api/v1/accounts/"+a+"/follow", nil)
	req(t, s, "POST", "/api/v1/accounts/"+a+"/mute", nil, other)
	req(t, s, "POST", "/api/v1/accounts/"+a+"/block", nil, other)
	req(t, s, "GET", "/api/v1/blocks", nil, other)
	if s.TokenWrites(s.Token) != 1 || s.TokenWrites(other) != 2 || s.Writes() != 3 {
		t.Errorf("writes: %d, %d, total %d", s.TokenWrites(s.Token), s.TokenWrites(other), s.Writes())
	}
}

// TestAppRegistrationThrottle: from Mastodon 4.2.9 (so on every Mastodon
// flavour), 5 app registrations per 10 minutes from one address
// (config/initializers/rack_attack.rb; CHANGELOG.md 4.2.9, #30316), in an
// epoch-aligned window; the sixth is rack-attack's 429. GoToSocial has no
// such throttle.
func TestAppRegistrationThrottle(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		clock := NewManualClock(time.Date(2026, 11, 28, 9, 2, 30, 0, time.UTC))
		s := NewServer(t, WithFlavour(fl), WithClock(clock))
		register := func() answer {
			return req(t, s, "POST", "/api/v1/apps", vals("client_name", "mastomigrate", "redirect_uris", oob), "")
		}
		for i := range 5 {
			want(t, "registration "+strconv.Itoa(i+1), register(), 200, "")
		}
		a := register()
		if fl.GoToSocial() {
			want(t, "sixth registration", a, 200, "")
			return
		}
		want(t, "sixth registration", a, 429, "Too many requests")
		if l, r, reset := rate(a); l != "5" || r != "0" || reset != "2026-11-28T09:10:00.000000Z" {
			t.Errorf("429 headers: limit %s, remaining %s, reset %s", l, r, reset)
		}
		clock.Advance(7*time.Minute + 30*time.Second)
		want(t, "after the window", register(), 200, "")
	})
}
