// Package mastotest is a fake Mastodon instance for tests and benchmarks,
// in the manner of net/http/httptest: an in-memory server on loopback that
// answers the endpoints mastomigrate uses the way Mastodon does, with its
// pagination, error bodies, status codes and rate limits, a clock the test
// controls, injected faults, and counters for assertions.
//
// Each behaviour cites the Mastodon source file (in mastodon/mastodon) it
// follows.
package mastotest

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Clock is where the server reads the time; share a fast one with the
// client to live through rate-limit windows quickly.
type Clock interface{ Now() time.Time }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }

// ManualClock is a clock that moves only when told to.
type ManualClock struct {
	mu sync.Mutex
	t  time.Time
}

func NewManualClock(t time.Time) *ManualClock { return &ManualClock{t: t} }

func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Limits are the server's rate limits; MastodonLimits are the defaults.
type Limits struct {
	Requests        int           // per token (config/initializers/rack_attack.rb, throttle 'throttle_authenticated_api')
	RequestsPeriod  time.Duration //
	Paginated       int           // per user ('throttle_authenticated_paging')
	PaginatedPeriod time.Duration //
	FollowsPerDay   int           // app/models/follow.rb rate_limit family :follows, app/lib/rate_limiter.rb
	FollowCap       int           // app/validators/follow_limit_validator.rb
	MaxLists        int           // app/models/list.rb PER_ACCOUNT_LIMIT
}

// MastodonLimits are Mastodon 4.x's defaults.
func MastodonLimits() Limits {
	return Limits{Requests: 300, RequestsPeriod: 5 * time.Minute, Paginated: 300, PaginatedPeriod: 15 * time.Minute,
		FollowsPerDay: 400, FollowCap: 7500, MaxLists: 50}
}

// Faults are failures injected at the given rates (0 to 1).
type Faults struct {
	ServerErrors float64       // answer 503 {"error": ...}
	Drops        float64       // close the connection without an answer
	SlowBodies   float64       // send half the body, pause, send the rest
	SlowPause    time.Duration // the pause of a slow body (wall time)
	Latency      time.Duration // added to every request (wall time)
}

// Server is a fake Mastodon instance with one user, "me".
type Server struct {
	URL    string // base URL, no trailing slash
	Domain string // the instance's LOCAL_DOMAIN, as /api/v2/instance says
	Token  string // a valid token for "me"
	MeID   string

	srv   *httptest.Server
	clock Clock

	mu        sync.Mutex
	limits    Limits
	faults    Faults
	rng       *rand.Rand
	counts    map[string]int
	writes    int
	throttled int
	seq       int64
	tokens    map[string]string // token -> account id
	accounts  map[string]*Account
	statuses  map[string]*Status
	follows   map[string]*follow // by target id
	blocks    map[string]int64
	mutes     map[string]*mute
	domains   map[string]int64
	lists     map[string]*list
	books     map[string]int64 // status id -> seq
	favs      map[string]int64
	windows   map[string]int // rate-limit counters by key and window
	apps      map[string]*app
	codes     map[string]*grant
	pkce      bool
	missing   map[string]bool // endpoints this server lacks (GoToSocial-like gaps)
	profile   Profile
	nextID    int
	flavour   Flavour
	posts     *postStore // statuses.go
}

// Account is one account the fake knows of, or can learn of by search.
type Account struct {
	ID        string
	Username  string
	Domain    string // "" for local accounts
	Locked    bool
	Suspended bool
	MovedTo   string // id of the account it moved to
	// Unknown accounts are remote ones the server has not seen: lookup
	// does not find them, search with resolve=true does (by WebFinger).
	Unknown bool
	// FollowersCount matters for the follow cap above 7,500.
	FollowersCount int
}

// Status is a post the fake can find by URI.
type Status struct {
	ID      string
	URI     string
	Unknown bool // found only by search with resolve=true
}

type follow struct {
	seq       int64
	reblogs   bool
	notify    bool
	languages []string
	requested bool
}

type mute struct {
	seq           int64
	notifications bool
	expiresAt     *time.Time
}

type list struct {
	ID            string
	Title         string
	RepliesPolicy string
	Exclusive     bool
	members       map[string]int64
}

// Option configures a new server.
type Option func(*Server)

// WithClock sets the server's clock.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithLimits replaces Mastodon's default limits.
func WithLimits(l Limits) Option { return func(s *Server) { s.limits = l } }

// WithFaults injects failures, drawn from a generator seeded with seed.
func WithFaults(f Faults, seed uint64) Option {
	return func(s *Server) { s.faults, s.rng = f, rand.New(rand.NewPCG(seed, seed)) }
}

// WithoutPKCE behaves like Mastodon before 4.3, which ignores PKCE.
func WithoutPKCE() Option { return func(s *Server) { s.pkce = false } }

// WithoutEndpoints answers these routes ("METHOD /pattern") with 404, as
// servers with gaps in the Mastodon API do.
func WithoutEndpoints(routes ...string) Option {
	return func(s *Server) {
		for _, r := range routes {
			s.missing[r] = true
		}
	}
}

// NewServer starts a fake instance; it is closed when the test ends.
func NewServer(tb testing.TB, opts ...Option) *Server {
	s := newServer(opts...)
	tb.Cleanup(s.Close)
	return s
}

// Start starts a fake instance outside a test (for the bench program and
// the end-to-end tests that run the binary); call Close.
func Start(opts ...Option) *Server { return newServer(opts...) }

func newServer(opts ...Option) *Server {
	s := &Server{
		Domain: "new.example", clock: wallClock{}, limits: MastodonLimits(), rng: rand.New(rand.NewPCG(1, 1)),
		counts: map[string]int{}, tokens: map[string]string{}, accounts: map[string]*Account{},
		statuses: map[string]*Status{}, follows: map[string]*follow{}, blocks: map[string]int64{},
		mutes: map[string]*mute{}, domains: map[string]int64{}, lists: map[string]*list{},
		books: map[string]int64{}, favs: map[string]int64{}, windows: map[string]int{},
		apps: map[string]*app{}, codes: map[string]*grant{}, pkce: true, missing: map[string]bool{},
		flavour: Mastodon45,
	}
	for _, o := range opts {
		o(s)
	}
	s.MeID = s.AddAccount(Account{Username: "me"})
	s.Token = "token-" + strconv.FormatUint(s.rng.Uint64(), 36)
	s.tokens[s.Token] = s.MeID
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Client returns an HTTP client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

func (s *Server) id() string {
	s.nextID++
	return strconv.Itoa(100000 + s.nextID)
}

// AddAccount adds an account and returns its id.
func (s *Server) AddAccount(a Account) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	a.Domain = strings.ToLower(a.Domain)
	a.ID = s.id()
	s.accounts[a.ID] = &a
	return a.ID
}

// AddStatus adds a status and returns its id.
func (s *Server) AddStatus(uri string, unknown bool) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &Status{ID: s.id(), URI: uri, Unknown: unknown}
	s.statuses[st.ID] = st
	return st.ID
}

// Count is how many requests a route ("POST /api/v1/accounts/:id/follow")
// received, or all requests for "".
func (s *Server) Count(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if route == "" {
		n := 0
		for _, c := range s.counts {
			n += c
		}
		return n
	}
	return s.counts[route]
}

// Counts returns a copy of the request counters by route.
func (s *Server) Counts() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.counts)
}

// Throttled is how many requests were answered 429.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}

// Writes is how many requests changed state.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.writes
}

func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

// route is one endpoint: a method, a pattern with :id parts, a handler.
type route struct {
	method  string
	pattern string
	re      *regexp.Regexp
	h       func(s *Server, c *call) (int, any)
	// public routes need no token (OAuth, instance).
	public bool
}

// call is one request being answered, with the parsed path ids.
type call struct {
	r      *http.Request
	w      http.ResponseWriter
	me     string
	ids    []string
	form   url.Values
	header http.Header // extra headers to send
}

func (c *call) get(k string) string { return c.form.Get(k) }

var routes []*route

func handle(method, pattern string, h func(*Server, *call) (int, any)) *route {
	re := "^" + regexp.MustCompile(`:[a-z]+`).ReplaceAllString(regexp.QuoteMeta(pattern), `([^/]+)`) + "$"
	r := &route{method: method, pattern: pattern, re: regexp.MustCompile(re), h: h}
	routes = append(routes, r)
	return r
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		writeJSON(w, http.StatusBadRequest, apiError("Invalid form"))
		return
	}
	var rt *route
	var ids []string
	for _, cand := range routes {
		if cand.method != r.Method {
			continue
		}
		if m := cand.re.FindStringSubmatch(r.URL.Path); m != nil {
			rt, ids = cand, m[1:]
			break
		}
	}
	name := r.Method + " " + r.URL.Path
	if rt != nil {
		name = rt.method + " " + rt.pattern
	}

	s.mu.Lock()
	s.counts[name]++
	f := s.faults
	drop := f.Drops > 0 && s.rng.Float64() < f.Drops
	// Half the dropped connections lose the answer after the work is done,
	// as when a proxy times out: the client cannot tell which happened.
	dropAfter := drop && s.rng.IntN(2) == 0
	fail := f.ServerErrors > 0 && s.rng.Float64() < f.ServerErrors
	slow := f.SlowBodies > 0 && s.rng.Float64() < f.SlowBodies
	missing := s.missing[name]
	s.mu.Unlock()

	if f.Latency > 0 {
		time.Sleep(f.Latency)
	}
	if drop && !dropAfter {
		hijackClose(w)
		return
	}
	if fail {
		writeJSON(w, http.StatusServiceUnavailable, apiError("Service Unavailable"))
		return
	}
	if rt == nil || missing {
		// Rails answers unknown routes 404 (app/controllers/api/base_controller.rb
		// has no catch-all); name the route so a test sees what was missed.
		writeJSON(w, http.StatusNotFound, apiError("Not found: "+r.Method+" "+r.URL.Path))
		return
	}

	c := &call{r: r, w: w, ids: ids, form: r.Form, header: http.Header{}}
	s.mu.Lock()
	status, body := s.dispatch(rt, c)
	s.mu.Unlock()
	if dropAfter {
		hijackClose(w)
		return
	}
	for k, v := range c.header {
		w.Header()[k] = v
	}
	if slow {
		b, _ := json.Marshal(body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(status)
		w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		time.Sleep(f.SlowPause)
		w.Write(b[len(b)/2:])
		return
	}
	writeJSON(w, status, body)
}

// parseForm reads the query and a form body. Rails (through Rack) reads
// form bodies of DELETE requests too, which net/http's ParseForm skips;
// Mastodon's DELETE /api/v1/domain_blocks takes its domain there.
func parseForm(r *http.Request) error {
	if r.Method != http.MethodDelete {
		return r.ParseForm()
	}
	r.Method = http.MethodPost
	err := r.ParseForm()
	r.Method = http.MethodDelete
	return err
}

// dispatch authenticates, rate-limits and runs a handler, with s.mu held.
func (s *Server) dispatch(rt *route, c *call) (int, any) {
	if !rt.public {
		tok := strings.TrimPrefix(c.r.Header.Get("Authorization"), "Bearer ")
		me, ok := s.tokens[tok]
		if !ok || tok == "" {
			// Doorkeeper's answer (app/controllers/api/base_controller.rb).
			return http.StatusUnauthorized, apiError("The access token is invalid")
		}
		c.me = me
		if status, body, limited := s.throttle(tok, c); limited {
			s.throttled++
			return status, body
		}
	}
	status, body := rt.h(s, c)
	if rt.method != http.MethodGet && status < 300 {
		s.writes++
	}
	if status == http.StatusTooManyRequests {
		s.throttled++
	}
	return status, body
}

// hijackClose closes the connection without an answer.
func hijackClose(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	if h, ok := body.(rawHTML); ok {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		w.Write([]byte(h))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(body)
}

// apiError is Mastodon's error body (app/controllers/concerns/api/error_handling.rb).
func apiError(msg string) map[string]string { return map[string]string{"error": msg} }

var (
	notFound  = func() (int, any) { return http.StatusNotFound, apiError("Record not found") }
	forbidden = func() (int, any) { return http.StatusForbidden, apiError("This action is not allowed") }
)

func invalid(msg string) (int, any) {
	return http.StatusUnprocessableEntity, apiError("Validation failed: " + msg)
}

// throttle applies Mastodon's rate limits in fixed windows aligned to the
// epoch (rack-attack's behaviour), and sets the headers every API
// response carries (app/controllers/concerns/api/rate_limit_headers.rb):
// those of the per-token throttle. A paginated request also counts against
// the paging throttle, whose headers appear only on its 429.
func (s *Server) throttle(token string, c *call) (int, any, bool) {
	now := s.clock.Now()
	l := s.limits
	if l.Requests > 0 {
		n, reset := s.window("api:"+token, l.RequestsPeriod, now)
		setRate(c.header, l.Requests, l.Requests-n, reset)
		if n > l.Requests {
			return tooMany(c.header, l.Requests, reset)
		}
	}
	if l.Paginated > 0 && isPaging(c.form) {
		n, reset := s.window("paging:"+c.me, l.PaginatedPeriod, now)
		if n > l.Paginated {
			return tooMany(c.header, l.Paginated, reset)
		}
	}
	return 0, nil, false
}

// window counts one more request in the fixed window holding now.
func (s *Server) window(key string, period time.Duration, now time.Time) (int, time.Time) {
	start := now.Truncate(period)
	k := key + "@" + strconv.FormatInt(start.Unix(), 10)
	s.windows[k]++
	return s.windows[k], start.Add(period)
}

func isPaging(q url.Values) bool {
	for _, k := range []string{"max_id", "min_id", "since_id", "page"} {
		if q.Has(k) {
			return true
		}
	}
	return false
}

func setRate(h http.Header, limit, remaining int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
	// Ruby's Time#iso8601(6): microseconds and a Z-less offset for UTC is
	// written as "Z" by Rails for utc times.
	h.Set("X-RateLimit-Reset", reset.UTC().Format("2006-01-02T15:04:05.000000Z"))
}

// tooMany is rack-attack's throttled response in Mastodon
// (config/initializers/rack_attack.rb): no Retry-After.
func tooMany(h http.Header, limit int, reset time.Time) (int, any, bool) {
	setRate(h, limit, 0, reset)
	return http.StatusTooManyRequests, apiError("Too many requests"), true
}

// page answers a paginated list: items sorted by descending seq (the
// relationship record's id), max_id and since/min_id filters, a limit
// bounded by twice the default (app/controllers/concerns/api/pagination.rb
// limit_param), and a Link header with rel="next" when the page is full.
func page[T any](s *Server, c *call, items []seqItem[T], def int) []T {
	lim := def
	if v := c.get("limit"); v != "" {
		n, _ := strconv.Atoi(v)
		lim = min(abs(n), def*2)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].seq > items[j].seq })
	var out []T
	var last int64
	maxID, _ := strconv.ParseInt(c.get("max_id"), 10, 64)
	minID, _ := strconv.ParseInt(c.get("since_id")+c.get("min_id"), 10, 64)
	for _, it := range items {
		if (maxID > 0 && it.seq >= maxID) || (minID > 0 && it.seq <= minID) {
			continue
		}
		if len(out) == lim {
			break
		}
		out = append(out, it.v)
		last = it.seq
	}
	if out == nil {
		out = []T{}
	}
	if len(out) == lim && lim > 0 {
		q := url.Values{"limit": {strconv.Itoa(lim)}, "max_id": {strconv.FormatInt(last, 10)}}
		c.header.Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.URL, c.r.URL.Path, q.Encode()))
	}
	return out
}

type seqItem[T any] struct {
	seq int64
	v   T
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
