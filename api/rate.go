package api

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rate is what the X-RateLimit-* headers of one response said.
type Rate struct {
	Limit     int
	Remaining int
	Reset     time.Time
	// window is the reset as the server wrote it, on its own clock, where
	// it wrote a time rather than seconds to wait. It names the window:
	// every answer of one window carries the same, however late it
	// arrives, while Reset moved onto our clock shifts with the latency.
	window time.Time
}

// parseRate reads the rate headers leniently: Mastodon sends Reset as ISO
// 8601 with microseconds (config/initializers/rack_attack.rb); other servers
// send Unix seconds or seconds to wait. Header names are case-insensitive
// in net/http, which covers GoToSocial's X-Ratelimit-*.
func parseRate(h http.Header, now time.Time) (Rate, bool) {
	lim, err1 := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Limit")))
	rem, err2 := strconv.Atoi(strings.TrimSpace(h.Get("X-RateLimit-Remaining")))
	if err1 != nil || err2 != nil {
		return Rate{}, false
	}
	r := Rate{Limit: lim, Remaining: rem}
	var absolute bool
	r.Reset, absolute = parseReset(h.Get("X-RateLimit-Reset"), now)
	if r.Reset.IsZero() {
		return Rate{}, false
	}
	if absolute {
		r.window = r.Reset
	}
	r.Reset = onOurClock(h, r.Reset, now)
	return r, true
}

// onOurClock moves a time the server gave onto our clock, by the server's
// Date: a reset is the server's time, and the two clocks may disagree by
// minutes, which would make us wait too long, or hammer a closed window.
func onOurClock(h http.Header, t, now time.Time) time.Time {
	date, err := http.ParseTime(h.Get("Date"))
	if err != nil {
		return t
	}
	return now.Add(t.Sub(date))
}

// parseReset reads a reset, and says whether the server wrote a time
// (rather than seconds to wait).
func parseReset(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999Z07:00", time.RFC1123} {
		if t, err := time.Parse(layout, v); err == nil {
			return t, true
		}
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f > 1e9 { // a Unix time
			return time.Unix(0, int64(f*1e9)), true
		}
		return now.Add(time.Duration(f * float64(time.Second))), false
	}
	return time.Time{}, false
}

// retryAfter reads Retry-After (seconds or an HTTP date). Mastodon sends
// none; other servers and proxies do.
func retryAfter(h http.Header, now time.Time) (time.Time, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return time.Time{}, false
	}
	if s, err := strconv.Atoi(v); err == nil {
		return now.Add(time.Duration(s) * time.Second), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return onOurClock(h, t, now), true
	}
	return time.Time{}, false
}

// family groups requests that Mastodon counts against the same allowance:
// its per-token API throttle, the paginated-request throttle, and the
// per-account follow limiter (app/lib/rate_limiter.rb).
type family string

const (
	familyAPI       family = "api"
	familyPaginated family = "paginated"
	familyFollow    family = "follow"
)

func familyOf(r *http.Request) family {
	// An account's follow or a hashtag's (/api/v1/tags/:name/follow): both
	// spend the follow limiter (app/models/follow.rb, tag_follow.rb).
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/follow") {
		return familyFollow
	}
	q := r.URL.Query()
	for _, k := range []string{"max_id", "min_id", "since_id", "page"} {
		if q.Has(k) {
			return familyPaginated
		}
	}
	return familyAPI
}

// Clock is the time the client paces by; tests use a faster one.
type Clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }
func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// SystemClock is the wall clock.
var SystemClock Clock = systemClock{}

// ScaledClock runs Scale times faster than the wall clock from its start,
// so a test or benchmark can live through a rate-limit window, or a day,
// in a fraction of the time. Share one with the fake server.
type ScaledClock struct {
	Scale float64
	start time.Time
	base  time.Time

	mu     sync.Mutex
	offset time.Duration
}

// NewScaledClock starts a clock at base that runs scale times faster.
func NewScaledClock(base time.Time, scale float64) *ScaledClock {
	return &ScaledClock{Scale: scale, start: time.Now(), base: base}
}

func (c *ScaledClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(c.offset + time.Duration(float64(time.Since(c.start))*c.Scale))
}

// Advance jumps the clock forward, as a night passing between runs.
func (c *ScaledClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

func (c *ScaledClock) Sleep(ctx context.Context, d time.Duration) error {
	return systemClock{}.Sleep(ctx, time.Duration(float64(d)/c.Scale))
}

// Mastodon's defaults for the allowances it does not report until spent
// (config/initializers/rack_attack.rb): paginated requests per user.
const (
	PaginatedLimit  = 300
	PaginatedPeriod = 15 * time.Minute
)

// pacer spends each window's allowance without going over it: requests
// go out while the last known Remaining, less those already in flight,
// is above zero; then they wait for the window to reset. Bursting and
// then waiting finishes a batch as early as the server allows, which even
// spacing would not, and never draws a 429 from an honest server.
//
// Every request spends from the per-token "api" allowance, whose headers
// Mastodon sends on every response (app/controllers/concerns/api/
// rate_limit_headers.rb). Follows also spend from the daily follow limit,
// whose headers replace the api ones when tighter. Paginated requests also
// spend from an allowance Mastodon reports only in its 429, so the pacer
// counts those itself in the same fixed windows the server uses.
type pacer struct {
	mu      sync.Mutex
	clock   Clock
	buckets map[family]*bucket
	// waiting is told of waits a person would notice (Options.Waiting).
	waiting func(Wait)
	// answered is closed, and replaced, whenever a request let through
	// comes back: requests that wait on those in flight (for the first
	// answer to tell the limits, or for a full window's answers) wake
	// then, instead of polling a clock.
	answered chan struct{}
}

// noticeable is a wait worth telling a person about.
const noticeable = 5 * time.Second

type bucket struct {
	rate     Rate
	known    bool
	inFlight int
	blocked  bool          // a 429: nothing goes out before rate.Reset
	period   time.Duration // set for allowances counted here, not reported
	probed   bool          // a response came back, with or without headers
}

func newPacer(c Clock, paginatedLimit int) *pacer {
	p := &pacer{clock: c, buckets: map[family]*bucket{}, answered: make(chan struct{})}
	if paginatedLimit > 0 {
		p.buckets[familyPaginated] = &bucket{known: true, period: PaginatedPeriod,
			rate: Rate{Limit: paginatedLimit, Remaining: paginatedLimit}}
	}
	return p
}

func (p *pacer) bucket(f family) *bucket {
	b, ok := p.buckets[f]
	if !ok {
		b = &bucket{}
		p.buckets[f] = b
	}
	return b
}

// windowEnd is the end of the fixed window holding now, as rack-attack
// aligns them: multiples of the period since the Unix epoch.
func windowEnd(now time.Time, period time.Duration) time.Time {
	return now.Truncate(period).Add(period)
}

// refresh starts a new window once the old one has reset.
func (b *bucket) refresh(now time.Time) {
	if b.period > 0 && b.rate.Reset.IsZero() {
		b.rate.Reset = windowEnd(now, b.period)
	}
	if b.known && !now.Before(b.sendAgain()) {
		b.rate.Remaining = b.rate.Limit
		b.blocked = false
		// A 429 that gave a time but no limit (Retry-After alone): after
		// it, the next answer tells the allowance again.
		b.known = b.rate.Limit > 0
		if b.period > 0 {
			b.rate.Reset = windowEnd(now, b.period)
		}
	}
}

// sendAgain is when a spent allowance may be used again: a little past
// the reset the server gave, since GoToSocial writes it rounded down to
// the second (internal/middleware/ratelimit.go) and the two clocks may not
// agree to the millisecond. Allowances counted here need no margin.
func (b *bucket) sendAgain() time.Time {
	if b.period > 0 {
		return b.rate.Reset
	}
	return b.rate.Reset.Add(resetMargin)
}

func (b *bucket) free() bool {
	switch {
	case b.known:
		return !b.blocked && b.rate.Remaining-b.inFlight > 0
	case b.probed:
		return true // the server does not report this allowance
	default:
		return b.inFlight == 0 // the first request learns the limits alone
	}
}

func familiesOf(req *http.Request) []family {
	if f := familyOf(req); f != familyAPI {
		return []family{familyAPI, f}
	}
	return []family{familyAPI}
}

// acquire waits until a request may go out. For follows it does not wait
// for a far reset: the caller decides what to do with a day's wait.
func (p *pacer) acquire(ctx context.Context, req *http.Request) error {
	fams := familiesOf(req)
	for {
		p.mu.Lock()
		now := p.clock.Now()
		var wait time.Duration
		var full *bucket
		for _, f := range fams {
			b := p.bucket(f)
			b.refresh(now)
			if !b.free() {
				if w := b.sendAgain().Sub(now); full == nil || w > wait {
					wait, full = w, b
				}
			}
		}
		if full == nil {
			for _, f := range fams {
				p.bucket(f).inFlight++
			}
			p.mu.Unlock()
			return nil
		}
		rate, inFlight, daily := full.rate, full.inFlight, full == p.buckets[familyFollow]
		answered := p.answered
		p.mu.Unlock()
		if daily && wait > 10*time.Minute {
			if inFlight == 0 {
				return &RateLimitError{Method: req.Method, Path: req.URL.Path, Rate: rate, Daily: true}
			}
			// Follows still in flight may be counted already in the
			// lowest Remaining seen (answers arrive out of order, and the
			// lowest is kept), so the day may not be spent: their answers
			// tell. Giving up now would leave up to a follow per worker of
			// the day's allowance unused.
			wait = 0
		}
		if wait <= 0 {
			// Nothing to wait for but the answers in flight: the first,
			// which tells the limits, or those of a window spent by
			// requests still out. refresh has opened any window whose
			// reset is past, so a bucket full now has requests in flight.
			select {
			case <-answered:
				continue
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		if wait > noticeable && p.waiting != nil {
			p.waiting(Wait{Until: now.Add(wait), Reason: (&RateLimitError{Rate: rate}).reason()})
		}
		if err := p.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

// done records the outcome of a request acquire let through: its response
// headers and status, or nil headers when no response came.
func (p *pacer) done(req *http.Request, h http.Header, status int) {
	fams := familiesOf(req)
	p.mu.Lock()
	defer p.mu.Unlock()
	close(p.answered)
	p.answered = make(chan struct{})
	now := p.clock.Now()
	for _, f := range fams {
		b := p.bucket(f)
		b.inFlight--
		b.probed = b.probed || h != nil
		if b.period > 0 && h != nil && status != http.StatusTooManyRequests {
			b.rate.Remaining-- // counted here: the server does not say
		}
	}
	if h == nil {
		return
	}
	r, ok := parseRate(h, now)
	// Mastodon's headers describe whichever throttle is closest to running
	// out (app/controllers/concerns/api/rate_limit_headers.rb): the api
	// throttle's five-minute window, or, when their window is longer, the
	// paginated throttle's fifteen minutes or the follow limiter's day.
	target := familyAPI
	if last := fams[len(fams)-1]; last != familyAPI && ok && r.Reset.Sub(now) > 6*time.Minute {
		target = last
	}
	b := p.bucket(target)
	if status == http.StatusTooManyRequests {
		// Retry-After, where sent, is the authority: GoToSocial's
		// concurrency throttle sends it beside headers of a rate limit
		// that is not spent (internal/middleware/throttling.go).
		if t, ok := retryAfter(h, now); ok {
			r.Reset, r.window = t, time.Time{} // not the window's end
		}
		if r.Reset.IsZero() {
			r.Reset = now.Add(time.Minute) // a 429 with no hint: wait a little
		}
		if r.Reset.Before(now.Add(resetMargin)) {
			r.Reset = now.Add(resetMargin) // a reset already past: not a reason to hammer
		}
		if r.Limit == 0 {
			r.Limit = b.rate.Limit
		}
		r.Remaining = 0
		b.rate, b.known, b.blocked = r, true, true
		return
	}
	if !ok {
		return
	}
	// Responses arrive out of order: within a window keep the lower
	// Remaining, and an answer of an earlier window says nothing of the
	// window now open (taken, its past reset would let refresh open this
	// window a second time, on top of what it has counted). An allowance
	// counted here takes the server's word when the server does describe
	// it (an earlier run may have spent it).
	if b.known {
		switch compareWindows(r, b.rate) {
		case -1:
			return
		case 0:
			if r.Remaining > b.rate.Remaining {
				return
			}
		}
	}
	b.rate, b.known = r, true
}

// compareWindows says whether a's window comes before (-1), is (0) or
// comes after (1) b's: by the resets the server wrote where both have
// one, else by the resets on our clock, which come from Dates in whole
// seconds.
func compareWindows(a, b Rate) int {
	x, y := a.Reset, b.Reset
	if !a.window.IsZero() && !b.window.IsZero() {
		x, y = a.window, b.window
	}
	switch d := x.Sub(y); {
	case d <= -2*time.Second:
		return -1
	case d >= 2*time.Second:
		return 1
	}
	return 0
}

// resetMargin is how long after a server's reset the pacer sends again.
const resetMargin = time.Second

// forget stops pacing a family the server does not limit: GoToSocial has
// no paginated throttle (internal/middleware/ratelimit.go has one
// limiter for everything).
func (p *pacer) forget(f family) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.buckets, f)
}

// rate returns the last known allowance of a family.
func (p *pacer) rate(f family) (Rate, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	b := p.bucket(f)
	return b.rate, b.known
}
