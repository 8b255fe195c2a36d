package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/mattn/go-mastodon"
	"github.com/tomnomnom/linkheader"
)

// Options configure a Client. The zero value talks to a real server.
type Options struct {
	Token string // never logged; sent only to the instance's own host
	// Transport is the underlying round tripper (tests point it at the
	// fake server); nil means http.DefaultTransport.
	Transport http.RoundTripper
	Clock     Clock
	// Retries bounds retries of 502/503/504 and dropped connections.
	Retries int
	Backoff time.Duration
	// PaginatedLimit is the paginated-request allowance per 15 minutes,
	// which Mastodon does not report until spent; 0 means Mastodon's 300.
	PaginatedLimit int
	UserAgent      string
	// Timeout bounds one attempt of a request, from sending to the end of
	// the answer; 0 means 30 seconds. Waiting for the allowance is not
	// counted.
	Timeout time.Duration
	// Waiting, when set, is told each time a request waits for the rate
	// limit (a 429, perhaps from a window an earlier run spent, or an
	// allowance spent for a while), so a person sees why nothing moves.
	// It must not block.
	Waiting func(Wait)
}

// Client talks to one instance as one account.
type Client struct {
	base   *url.URL
	domain string // the instance's host, for comparing local handles
	hc     *http.Client
	mc     *mastodon.Client
	tr     *transport

	mu    sync.Mutex
	cache map[string]*resolution

	serverOnce sync.Once
	server     Server
}

// ParseInstance turns what a person types ("example.social",
// "https://example.social/") into the instance's base URL. Plain http is
// refused unless the host is loopback: the token would cross the network
// in the clear.
func ParseInstance(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "://") {
		// An account's handle names its instance: me@127.0.0.1:8080.
		if i := strings.LastIndexByte(s, '@'); i >= 0 {
			s = s[i+1:]
		}
		s = "https://" + s
		// A development or test instance on this machine, reached by its
		// port (GoToSocial's 127.0.0.1:8080, Mastodon's localhost:3000),
		// speaks plain http; the token never leaves the machine.
		if u, err := url.Parse(s); err == nil && u.Port() != "" && isLoopback(u.Hostname()) {
			s = "http://" + strings.TrimPrefix(s, "https://")
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%q is not an instance address", s)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	switch u.Scheme {
	case "https":
	case "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("refusing plain http for %s: the token would travel unencrypted (use https)", u.Host)
		}
	default:
		return nil, fmt.Errorf("%q is not an http(s) address", s)
	}
	u.Path, u.RawQuery, u.Fragment, u.User = "", "", "", nil
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// New returns a client for the instance.
func New(instance string, o Options) (*Client, error) {
	base, err := ParseInstance(instance)
	if err != nil {
		return nil, err
	}
	if o.Transport == nil {
		o.Transport = http.DefaultTransport
	}
	if o.Clock == nil {
		o.Clock = SystemClock
	}
	if o.Retries == 0 {
		o.Retries = 4
	}
	if o.Backoff == 0 {
		o.Backoff = 500 * time.Millisecond
	}
	if o.PaginatedLimit == 0 {
		o.PaginatedLimit = PaginatedLimit
	}
	if o.Timeout == 0 {
		o.Timeout = 30 * time.Second
	}
	if o.UserAgent == "" {
		o.UserAgent = "mastomigrate (+https://github.com/mastomigrate/mastomigrate)"
	}
	tr := &transport{base: o.Transport, host: base.Host, token: o.Token, pacer: newPacer(o.Clock, o.PaginatedLimit),
		clock: o.Clock, retries: o.Retries, backoff: o.Backoff, timeout: o.Timeout, ua: o.UserAgent}
	tr.pacer.waiting = o.Waiting
	// No overall timeout: a request may wait minutes for its allowance.
	// Each attempt is bounded by the transport instead.
	hc := &http.Client{Transport: tr}
	mc := mastodon.NewClient(&mastodon.Config{Server: base.String()})
	mc.Client = *hc
	return &Client{base: base, domain: base.Hostname(), hc: hc, mc: mc, tr: tr, cache: map[string]*resolution{}}, nil
}

// Instance is the base URL of the instance.
func (c *Client) Instance() *url.URL { return c.base }

// Rate is the last known per-token allowance.
func (c *Client) Rate() (Rate, bool) { return c.tr.pacer.rate(familyAPI) }

// response is what a request returns besides the decoded body.
type response struct {
	status int
	next   url.Values // query of the rel="next" link, nil on the last page
}

// do sends one request: params go in the query for GET and in a form body
// otherwise. A non-2xx answer becomes an *Error (or *RateLimitError).
func (c *Client) do(ctx context.Context, method, path string, params url.Values, out any) (*response, error) {
	if method == http.MethodGet {
		return c.send(ctx, method, path+"?"+params.Encode(), "", nil, out)
	}
	var body io.Reader
	ct := ""
	if params != nil {
		body, ct = strings.NewReader(params.Encode()), "application/x-www-form-urlencoded"
	}
	return c.send(ctx, method, path, ct, body, out)
}

// send is do for a body of any kind (JSON, multipart): path may carry a
// query. The answer is decoded into out when it is 2xx.
func (c *Client) send(ctx context.Context, method, path, contentType string, body io.Reader, out any) (*response, error) {
	path, query, _ := strings.Cut(path, "?")
	u := c.base.JoinPath(path)
	u.RawQuery = query
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return nil, describe(req, resp.StatusCode, data)
	}
	r := &response{status: resp.StatusCode}
	for _, l := range linkheader.Parse(resp.Header.Get("Link")) {
		if l.Rel == "next" {
			if nu, err := url.Parse(l.URL); err == nil {
				r.next = nu.Query()
			}
		}
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("%s %s: unexpected answer: %w", method, path, err)
		}
	}
	return r, nil
}

// unwrapURLError drops net/http's *url.Error wrapper, whose message
// repeats the whole URL, and keeps our typed errors visible.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		var rl *RateLimitError
		if errors.As(ue.Err, &rl) {
			return rl
		}
		var ur *UnreachableError
		if errors.As(ue.Err, &ur) {
			return ur // it names the host, and a path would say nothing more
		}
		return fmt.Errorf("%s %s: %w", ue.Op, strings.SplitN(ue.URL, "?", 2)[0], ue.Err)
	}
	return err
}

// fromMastodon converts go-mastodon's errors to ours.
func fromMastodon(method, path string, err error) error {
	var ae *mastodon.APIError
	if errors.As(err, &ae) {
		return &Error{Status: ae.StatusCode, Method: method, Path: path, Message: ae.Message}
	}
	return unwrapURLError(err)
}

// pages reads every page of a list endpoint, following rel="next" links
// (Mastodon paginates by max_id in the Link header) for as long as there
// is one. An empty page is not the end: GoToSocial links pages before it
// filters them (internal/paging/response.go), so one can be empty with
// more behind it. A next that asks again for the page just read would
// loop, and ends the list too.
func pages[T any](ctx context.Context, c *Client, path string, q url.Values) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		params := url.Values{}
		for k, v := range q {
			params[k] = append([]string(nil), v...)
		}
		for {
			var items []T
			r, err := c.do(ctx, http.MethodGet, path, params, &items)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if r.next == nil || r.next.Encode() == params.Encode() {
				return
			}
			params = r.next
		}
	}
}

// Account is an account as the instance describes it.
type Account struct {
	ID            string     `json:"id"`
	Username      string     `json:"username"`
	Acct          string     `json:"acct"` // without @domain for local accounts
	URL           string     `json:"url"`
	URI           string     `json:"uri"`
	DisplayName   string     `json:"display_name"`
	Locked        bool       `json:"locked"`
	Suspended     bool       `json:"suspended"`
	Limited       bool       `json:"limited"`
	Moved         *Account   `json:"moved"`
	FollowingCnt  int        `json:"following_count"`
	FollowersCnt  int        `json:"followers_count"`
	MuteExpiresAt *time.Time `json:"mute_expires_at"`
}

// Relationship is the current account's relation to another.
type Relationship struct {
	ID                  string   `json:"id"`
	Following           bool     `json:"following"`
	ShowingReblogs      bool     `json:"showing_reblogs"`
	Notifying           bool     `json:"notifying"`
	Languages           []string `json:"languages"`
	Requested           bool     `json:"requested"`
	Blocking            bool     `json:"blocking"`
	Muting              bool     `json:"muting"`
	MutingNotifications bool     `json:"muting_notifications"`
	DomainBlocking      bool     `json:"domain_blocking"`
	Endorsed            bool     `json:"endorsed"`
	Note                string   `json:"note"` // the private note on the account
}

// List is one of the account's lists.
type List struct {
	ID            string `json:"id"`
	Title         string `json:"title"`
	RepliesPolicy string `json:"replies_policy"`
	Exclusive     bool   `json:"exclusive"`
}

// Status is a post, by its ids.
type Status struct {
	ID  string `json:"id"`
	URI string `json:"uri"`
	URL string `json:"url"`
	// As the account reading sees it.
	Favourited bool `json:"favourited"`
	Bookmarked bool `json:"bookmarked"`
}

// Me returns the account the token belongs to.
func (c *Client) Me(ctx context.Context) (*Account, error) {
	var a Account
	_, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, &a)
	return &a, err
}

// FullAcct is a's handle with the domain, also for local accounts.
func (c *Client) FullAcct(a *Account) string {
	if strings.Contains(a.Acct, "@") {
		return a.Acct
	}
	return a.Acct + "@" + c.domain
}

// Domain is the instance's own domain in handles. It can differ from the
// host serving the API (Mastodon's LOCAL_DOMAIN and WEB_DOMAIN), so it is
// read from the instance description (see Server).
func (c *Client) Domain(ctx context.Context) string {
	c.Server(ctx)
	return c.domain
}
