package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// transport is the RoundTripper under every request to the instance. It
// adds the token (only for the instance's own host), paces requests to
// the server's allowance, waits out a 429 and sends again, retries
// transient failures, and bounds each attempt, so go-mastodon's blind 429
// loop (which sleeps for hours, ignoring the reset time) never runs.
//
// Waits (for the allowance, after a 429, between retries) end as soon as
// the request's context is cancelled. A write already on the wire is let
// finish even then, so its answer can be journaled: the first Ctrl-C
// stops what has not started, not what has.
type transport struct {
	base    http.RoundTripper
	host    string // the instance's host[:port]; the token goes nowhere else
	token   string
	pacer   *pacer
	clock   Clock
	retries int
	backoff time.Duration // first retry delay; doubles, with jitter
	timeout time.Duration // one attempt, from sending to the end of the body
	ua      string
	// answered is set by the first response: until then a server that
	// cannot be reached is not waited for (it is not a blip in a run
	// that was going well, but the wrong address or a dead host).
	answered atomic.Bool
	// dead is that finding: once made, every request fails with it at
	// once, rather than each waiting out its own timeout.
	dead atomic.Pointer[UnreachableError]
}

// Wait is a pause for a rate limit, told to Options.Waiting.
type Wait struct {
	Until  time.Time
	Reason string // "the server's rate limit (300 requests per 5 minutes)"
}

// max429 bounds how many times one request waits out a 429: a server
// that keeps refusing after every reset it announced is broken, not busy.
const max429 = 20

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Del("Authorization") // go-mastodon sets an empty one
	if t.token != "" && req.URL.Host == t.host {
		req.Header.Set("Authorization", "Bearer "+t.token)
	}
	if t.ua != "" {
		req.Header.Set("User-Agent", t.ua)
	}
	ctx := req.Context()
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
	}
	// A write in flight must not be cut off by an interrupt: its effect
	// on the server would be unknown. Reads may be.
	send := ctx
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		send = context.WithoutCancel(ctx)
	}
	throttled := 0
	for attempt := 0; ; {
		if err := t.pacer.acquire(ctx, req); err != nil {
			return nil, err
		}
		if d := t.dead.Load(); d != nil {
			t.pacer.done(req, nil, 0)
			return nil, d
		}
		resp, err := t.attempt(send, req, body)
		if err == nil && resp.StatusCode == http.StatusTooManyRequests {
			rl := t.limited(req, resp)
			// Rack-attack and GoToSocial's middlewares refuse before the
			// request reaches its controller, so sending again is safe even
			// for a request that is not otherwise replayable.
			if rl.Daily || throttled >= max429 {
				return nil, rl
			}
			throttled++
			continue // acquire waits for the reset, and says so
		}
		if err == nil && (!retryStatus(resp.StatusCode) || attempt >= t.retries || !replayable(req)) {
			return resp, nil
		}
		if err != nil {
			final := ctx.Err() != nil || !t.transient(err) || attempt >= t.retries || !replayable(req)
			if final {
				err = t.unreachable(err)
				var ue *UnreachableError
				if errors.As(err, &ue) && !t.answered.Load() {
					t.dead.CompareAndSwap(nil, ue)
				}
			}
			// Only now: done wakes the requests waiting for this one's
			// answer, and a server found dead must be seen so by them.
			t.pacer.done(req, nil, 0)
			if final {
				return nil, err
			}
		}
		if err := t.clock.Sleep(ctx, t.delay(attempt)); err != nil {
			return nil, err
		}
		attempt++
	}
}

// attempt sends the request once and reads the whole body: a connection
// dropped mid-body is a transient failure like any other, and must be
// retried here. The pacer learns an answer here, a failure from the
// caller (after it has judged the server).
func (t *transport) attempt(ctx context.Context, req *http.Request, body []byte) (*http.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	r := req.WithContext(ctx)
	if body != nil {
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, t.timedOut(ctx, err)
	}
	data, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, t.timedOut(ctx, err)
	}
	t.answered.Store(true)
	t.pacer.done(req, resp.Header, resp.StatusCode)
	resp.Body = io.NopCloser(bytes.NewReader(data))
	return resp, nil
}

// timedOut names an attempt's own deadline as a timeout, rather than the
// bare "context deadline exceeded".
func (t *transport) timedOut(ctx context.Context, err error) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return errNoAnswer
	}
	return err
}

var errNoAnswer = errors.New("no answer")

// limited turns a 429 into a *RateLimitError with the reset the pacer
// learned from it.
func (t *transport) limited(req *http.Request, resp *http.Response) *RateLimitError {
	rate, _ := t.pacer.rate(familyOf(req))
	if r, ok := parseRate(resp.Header, t.clock.Now()); ok {
		rate = r
	}
	if at, ok := retryAfter(resp.Header, t.clock.Now()); ok {
		rate.Reset = at
	}
	if rate.Reset.IsZero() {
		rate.Reset = t.clock.Now().Add(time.Minute)
	}
	rate.Remaining = 0
	return &RateLimitError{Method: req.Method, Path: req.URL.Path, Rate: rate,
		Daily: familyOf(req) == familyFollow && rate.Reset.Sub(t.clock.Now()) > 10*time.Minute}
}

// unreachable types the errors that mean the instance is not there, so
// a command can say so in one line naming the host.
func (t *transport) unreachable(err error) error {
	if errors.Is(err, errNoAnswer) || errors.Is(err, syscall.ECONNREFUSED) || isDNS(err) {
		return &UnreachableError{Host: t.host, Err: err, Timeout: t.timeout}
	}
	return err
}

func isDNS(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de)
}

// UnreachableError is an instance that could not be reached: its name
// did not resolve, it refused the connection, or it did not answer.
type UnreachableError struct {
	Host    string
	Err     error
	Timeout time.Duration
}

func (e *UnreachableError) Error() string {
	var de *net.DNSError
	reason := e.Err.Error()
	switch {
	case errors.Is(e.Err, errNoAnswer):
		reason = fmt.Sprintf("timed out (no answer within %s)", e.Timeout.Round(time.Second))
	case errors.Is(e.Err, syscall.ECONNREFUSED):
		reason = "connection refused"
	case errors.As(e.Err, &de) && de.IsNotFound:
		reason = "name not found"
	}
	return "could not reach " + e.Host + ": " + reason
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Is makes every UnreachableError match ErrUnreachable.
func (e *UnreachableError) Is(target error) bool { return target == ErrUnreachable }

// delay is exponential backoff with full jitter.
func (t *transport) delay(attempt int) time.Duration {
	d := t.backoff << attempt
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func retryStatus(s int) bool {
	return s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout
}

// transient says whether a transport error may pass on a second try.
// Before the server has answered once in this run, a refused connection
// or a silence is not retried: that is the wrong address or a dead host,
// and retrying only delays saying so. Later it is a blip (a restart, a
// proxy) in a run that was going well.
func (t *transport) transient(err error) bool {
	var ne net.Error
	switch {
	case isDNS(err):
		return false
	case errors.Is(err, errNoAnswer) || errors.Is(err, syscall.ECONNREFUSED) || errors.As(err, &ne) && ne.Timeout():
		return t.answered.Load()
	case errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return true
	}
	// net/http reports a connection the server closed without answering
	// only in words (persistConn's errServerClosedIdle and friends).
	return strings.Contains(err.Error(), "server closed")
}

// replayable says whether sending the request twice is harmless. Everything
// we send is, on Mastodon, except creating a list or a post: a retry after
// a lost response could make a second one.
func replayable(req *http.Request) bool {
	p := strings.TrimSuffix(req.URL.Path, "/")
	// A bulk import sent twice is worked through twice (import.go).
	return !(req.Method == http.MethodPost && (p == "/api/v1/lists" || p == "/api/v1/statuses" || p == "/api/v1/import"))
}

var _ http.RoundTripper = (*transport)(nil)
