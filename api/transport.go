package api

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"time"
)

// transport is the RoundTripper under every request to the instance. It
// adds the token (only for the instance's own host), paces requests to
// the server's allowance, retries transient failures, and turns a 429
// into a *RateLimitError at once, so go-mastodon's blind 429 loop (which
// sleeps for hours, ignoring the reset time) never runs.
type transport struct {
	base    http.RoundTripper
	host    string // the instance's host[:port]; the token goes nowhere else
	token   string
	pacer   *pacer
	clock   Clock
	retries int
	backoff time.Duration // first retry delay; doubles, with jitter
	ua      string
}

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
	for attempt := 0; ; attempt++ {
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		if err := t.pacer.acquire(ctx, req); err != nil {
			return nil, err
		}
		resp, err := t.base.RoundTrip(req)
		if err == nil {
			// Read the body now: a connection dropped mid-body is a
			// transient failure like any other, and must be retried here.
			var data []byte
			data, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil {
				t.pacer.done(req, resp.Header, resp.StatusCode)
				resp.Body = io.NopCloser(bytes.NewReader(data))
				if resp.StatusCode == http.StatusTooManyRequests {
					rate, _ := t.pacer.rate(familyOf(req))
					if r, ok := parseRate(resp.Header, t.clock.Now()); ok {
						rate = r
					}
					if at, ok := retryAfter(resp.Header, t.clock.Now()); ok {
						rate.Reset = at
					}
					rate.Remaining = 0
					return nil, &RateLimitError{Method: req.Method, Path: req.URL.Path, Rate: rate,
						Daily: familyOf(req) == familyFollow && rate.Reset.Sub(t.clock.Now()) > 10*time.Minute}
				}
				if !retryStatus(resp.StatusCode) || attempt >= t.retries || !replayable(req) {
					return resp, nil
				}
				err = nil
			} else {
				t.pacer.done(req, nil, 0)
			}
		} else {
			t.pacer.done(req, nil, 0)
		}
		if err != nil && (ctx.Err() != nil || !transient(err) || attempt >= t.retries || !replayable(req)) {
			return nil, err
		}
		if err := t.clock.Sleep(ctx, t.delay(attempt)); err != nil {
			return nil, err
		}
	}
}

// delay is exponential backoff with full jitter.
func (t *transport) delay(attempt int) time.Duration {
	d := t.backoff << attempt
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func retryStatus(s int) bool {
	return s == http.StatusBadGateway || s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout
}

// transient says whether a transport error may pass on a second try.
func transient(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe") ||
		strings.Contains(msg, "connection refused") || strings.Contains(msg, "server closed")
}

// replayable says whether sending the request twice is harmless. Everything
// we send is, on Mastodon, except creating a list or a post: a retry after
// a lost response could make a second one.
func replayable(req *http.Request) bool {
	p := strings.TrimSuffix(req.URL.Path, "/")
	return !(req.Method == http.MethodPost && (p == "/api/v1/lists" || p == "/api/v1/statuses"))
}

var _ http.RoundTripper = (*transport)(nil)
