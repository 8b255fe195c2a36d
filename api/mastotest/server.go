// Package mastotest is a fake Mastodon instance for tests and benchmarks,
// in the manner of net/http/httptest: an in-memory server on loopback that
// answers the endpoints mastomigrate uses the way Mastodon does, with its
// pagination, error bodies, status codes and rate limits, a clock the test
// controls, injected faults, and counters for assertions.
//
// It plays several servers (Flavour: Mastodon 4.2, 4.3, 4.5 and
// GoToSocial 0.20), each with its own status codes, error texts, rate
// limits and follow semantics, no kinder than the real ones: remote
// follows stay requests until accepted (WithAcceptDelay), posts can be
// unreachable or deleted, a follow can be cut off after the server acted
// (CutOffFollows), and unknown routes answer a bare 404 a client must
// probe to tell from an item's.
//
// Each behaviour cites the source file it follows, in mastodon/mastodon
// or superseriousbusiness/gotosocial.
package mastotest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
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

// ManualClock is a clock that moves only when told to: by Advance, or by
// a sleeper (Sleep moves it at once). Shared by the server and the client
// (it is an api.Clock too), it lets a test live through rate-limit windows
// and days without depending on the machine's speed.
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

// Sleep moves the clock forward by d at once, as if the time had passed.
func (c *ManualClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if d > 0 {
		c.Advance(d)
	}
	return nil
}

// Advance moves the clock forward.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Limits are the server's rate limits and caps; a zero field is off.
// MastodonLimits and GoToSocialLimits are the real defaults, and each
// flavour starts with its own (Flavour.Limits); tests shrink them.
type Limits struct {
	Requests           int           // per token (config/initializers/rack_attack.rb, throttle 'throttle_per_token_api')
	RequestsPeriod     time.Duration //
	UserRequests       int           // per user ('throttle_authenticated_api')
	UserRequestsPeriod time.Duration //
	Paginated          int           // per user, requests with max_id/min_id/since_id/page ('throttle_authenticated_paging')
	PaginatedPeriod    time.Duration //
	// IPRequests is GoToSocial's limiter: per client IP, shared by /api,
	// /auth and /oauth, its window starting at the first request
	// (internal/middleware/ratelimit.go, ulule/limiter's memory store;
	// cmd/gotosocial/action/server/server.go gives the auth and client
	// modules the same clLimit).
	IPRequests       int
	IPRequestsPeriod time.Duration
	// Apps is Mastodon's throttle of app registrations (POST
	// /api/v1/apps) per client IP: 'throttle_oauth_application_
	// registrations/ip', 5 per 10 minutes (config/initializers/
	// rack_attack.rb; spec/config/initializers/rack_attack_spec.rb),
	// added by mastodon/mastodon#30316 in 4.2.9 and 4.3.0 (CHANGELOG.md,
	// 4.2.9 "Add rate-limit on OAuth application registration"), so every
	// flavour played here (4.2.13 on) has it.
	Apps          int
	AppsPeriod    time.Duration
	FollowsPerDay int // account and tag follows: app/models/follow.rb, tag_follow.rb rate_limit family :follows, app/lib/rate_limiter.rb
	FollowCap     int // app/validators/follow_limit_validator.rb
	MaxLists      int // app/models/list.rb PER_ACCOUNT_LIMIT
}

// MastodonLimits are Mastodon 4.x's defaults. Windows are aligned to the
// epoch, as rack-attack keys its counters by now / period.
func MastodonLimits() Limits {
	return Limits{Requests: 300, RequestsPeriod: 5 * time.Minute, UserRequests: 1500, UserRequestsPeriod: 5 * time.Minute,
		Paginated: 300, PaginatedPeriod: 15 * time.Minute, Apps: 5, AppsPeriod: 10 * time.Minute,
		FollowsPerDay: 400, FollowCap: 7500, MaxLists: 50}
}

// GoToSocialLimits are GoToSocial 0.20's defaults: advanced-rate-limit-
// requests 300 per 5 minutes per IP, and no follow limit, follow cap,
// list limit or paging throttle.
func GoToSocialLimits() Limits {
	return Limits{IPRequests: 300, IPRequestsPeriod: 5 * time.Minute}
}

// Faults are failures injected at the given rates (0 to 1).
type Faults struct {
	ServerErrors float64       // answer 503 {"error": ...}
	Drops        float64       // close the connection without an answer
	SlowBodies   float64       // send half the body, pause, send the rest
	SlowPause    time.Duration // the pause of a slow body (wall time)
	Latency      time.Duration // added to every request (wall time)
	// Broken are requests ("POST /api/v1/accounts/100004/block", the path
	// as sent) answered with this status every time, after the rate
	// limits and without acting: a server's bug with one item, such as
	// Mastodon 4.2–4.3's 500 for every refused featured tag.
	Broken map[string]int
	// Unbound are, by route ("POST /api/v1/accounts/:id/mute"), the form
	// parameters the server does not bind: the write is answered 200 as if
	// they had not been sent, as a server of another version or software
	// does with a field it does not know. No flavour's source drops these
	// (GoToSocial's missing follow languages are its flavour's own,
	// followTakesLanguages): a test-only fault, for the read-backs.
	Unbound map[string][]string
	// Lost are routes ("POST /api/v1/accounts/:id/block") answered as if
	// done without acting: a write lost on its way to the database. No
	// flavour's source does it: a test-only fault, for the read-backs.
	Lost map[string]bool
}

// Server is a fake Mastodon instance with one user, "me".
type Server struct {
	URL    string // base URL, no trailing slash
	Domain string // the instance's domain, as /api/v2/instance says and handles end
	Token  string // a valid token for "me"
	MeID   string

	srv    *httptest.Server
	clock  Clock
	closed chan struct{} // closed by Close: hung handlers give up

	mu          sync.Mutex
	limits      Limits
	limitsSet   bool
	faults      Faults
	rng         *rand.Rand
	counts      map[string]int
	writes      int
	tokenWrites map[string]int
	throttled   int
	seq         int64
	tokens      map[string]string // token -> account id
	accounts    map[string]*Account
	statuses    map[string]*Status
	follows     map[string]*follow // by target id
	blocks      map[string]int64
	mutes       map[string]*mute
	domains     map[string]int64
	lists       map[string]*list
	books       map[string]int64 // status id -> seq
	favs        map[string]int64
	windows     map[string]int        // epoch-aligned rate-limit counters by key and window
	anchored    map[string]*anchorWin // windows that start at the first request, by key
	apps        map[string]*app
	codes       map[string]*grant
	noPKCE      bool
	missing     map[string]bool // endpoints this server lacks (GoToSocial-like gaps)
	profile     Profile
	nextID      int
	flavour     Flavour
	domainSet   bool
	hostDomain  bool
	acceptDelay time.Duration
	cutFollows  int           // follows still to cut off (CutOffFollows)
	maxInFlight int           // concurrency throttle (WithConcurrencyLimit)
	retryAfter  time.Duration //
	inFlight    int
	gate        chan struct{} // while non-nil, handlers wait for it to close (Hold)
	move        *moveState    // the account move (move.go)
	posts       *postStore    // statuses.go
	imports     *importQueue  // GoToSocial's bulk import (import.go)
	extras      *extraState   // extras.go
}

// Account is one account the fake knows of, or can learn of by search.
type Account struct {
	ID        string
	Username  string
	Domain    string // "" for local accounts
	Locked    bool
	Suspended bool
	MovedTo   string // id of the account it moved to
	// BlocksMe is an account that blocks "me": following it is refused.
	BlocksMe bool
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
	// Unreachable posts live on a server that does not answer; Deleted
	// ones were deleted there. Search with resolve=true fetches the URI
	// every time, so it finds neither, even when the post is known
	// (app/services/resolve_url_service.rb). A deleted post is also gone
	// by id.
	Unreachable bool
	Deleted     bool
}

type follow struct {
	seq       int64
	reblogs   bool
	notify    bool
	languages []string
	requested bool
	// acceptAt is when the remote side's Accept arrives, for a request
	// that will be accepted; zero means never (or until AcceptFollow).
	acceptAt time.Time
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

// anchorWin is a window that starts at its first request (ulule/limiter's
// memory store, as GoToSocial uses it).
type anchorWin struct {
	reset time.Time
	count int
}

// Option configures a new server.
type Option func(*Server)

// WithClock sets the server's clock.
func WithClock(c Clock) Option { return func(s *Server) { s.clock = c } }

// WithLimits replaces the flavour's default limits.
func WithLimits(l Limits) Option { return func(s *Server) { s.limits, s.limitsSet = l, true } }

// WithFaults injects failures, drawn from a generator seeded with seed.
func WithFaults(f Faults, seed uint64) Option {
	return func(s *Server) { s.faults, s.rng = f, rand.New(rand.NewPCG(seed, seed)) }
}

// SetFaults replaces the injected faults, e.g. to lift them for a rerun.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// WithoutPKCE behaves like Mastodon before 4.3, which ignores PKCE; the
// Mastodon42 flavour does so by itself.
func WithoutPKCE() Option { return func(s *Server) { s.noPKCE = true } }

// WithoutEndpoints answers these routes ("METHOD /pattern") as unknown
// routes, as servers with gaps in the Mastodon API do.
func WithoutEndpoints(routes ...string) Option {
	return func(s *Server) {
		for _, r := range routes {
			s.missing[r] = true
		}
	}
}

// WithDomain sets the instance's domain (default "new.example" on
// Mastodon flavours, the listening host:port on GoToSocial).
func WithDomain(d string) Option {
	return func(s *Server) { s.Domain, s.domainSet, s.hostDomain = strings.ToLower(d), true, false }
}

// WithHostDomain makes the domain the server's own host:port, so handles
// read "me@127.0.0.1:PORT", as GoToSocial's do and as Mastodon's
// development server's do ("user@localhost:3000").
func WithHostDomain() Option { return func(s *Server) { s.domainSet, s.hostDomain = true, true } }

// WithAcceptDelay sets how long, on the server's clock, a remote account
// takes to accept a follow: until then the follow is a request
// (relationships say requested: true, following: false, and /following
// leaves it out). Zero, the default, accepts at once; a negative delay
// never does. Locked accounts wait for AcceptFollow whatever the delay
// (app/services/follow_service.rb: a remote follow is a FollowRequest
// until the Accept arrives).
func WithAcceptDelay(d time.Duration) Option { return func(s *Server) { s.acceptDelay = d } }

// WithConcurrencyLimit turns on GoToSocial's concurrency throttle: with
// more than n requests in the server at once, the next is answered 429
// with Retry-After (whole seconds) and {"error":"server capacity
// exceeded"} (internal/middleware/throttling.go; the real n is
// GOMAXPROCS × multiplier², and advanced-throttling-retry-after sets the
// header). It applies after the rate limit, to every flavour it is given.
func WithConcurrencyLimit(n int, retryAfter time.Duration) Option {
	return func(s *Server) { s.maxInFlight, s.retryAfter = n, retryAfter }
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
		Domain: "new.example", clock: wallClock{}, rng: rand.New(rand.NewPCG(1, 1)),
		counts: map[string]int{}, tokenWrites: map[string]int{}, tokens: map[string]string{}, accounts: map[string]*Account{},
		statuses: map[string]*Status{}, follows: map[string]*follow{}, blocks: map[string]int64{},
		mutes: map[string]*mute{}, domains: map[string]int64{}, lists: map[string]*list{},
		books: map[string]int64{}, favs: map[string]int64{}, windows: map[string]int{}, anchored: map[string]*anchorWin{},
		apps: map[string]*app{}, codes: map[string]*grant{}, missing: map[string]bool{},
		flavour: Mastodon45, closed: make(chan struct{}),
	}
	for _, o := range opts {
		o(s)
	}
	if !s.limitsSet {
		s.limits = s.flavour.Limits()
	}
	if !s.domainSet && s.flavour.hostDomain() {
		s.hostDomain = true
	}
	s.MeID = s.AddAccount(Account{Username: "me"})
	s.Token = "token-" + strconv.FormatUint(s.rng.Uint64(), 36)
	s.tokens[s.Token] = s.MeID
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	if s.hostDomain {
		u, _ := url.Parse(s.URL)
		s.Domain = u.Host
	}
	return s
}

// Close shuts the server down; handlers held by Hold or CutOffFollows
// give up.
func (s *Server) Close() {
	s.mu.Lock()
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	s.mu.Unlock()
	s.srv.Close()
}

// Clock is the clock the server reads; a test shares it with the client
// when it is also an api.Clock.
func (s *Server) Clock() Clock { return s.clock }

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

// UpdateAccount changes a known account in place, e.g. to suspend it or
// move it after the test seeded follows of it.
func (s *Server) UpdateAccount(id string, change func(*Account)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.accounts[id]; ok {
		change(a)
		a.ID = id
	}
}

// AddStatus adds a status and returns its id.
func (s *Server) AddStatus(uri string, unknown bool) string {
	return s.AddPost(Status{URI: uri, Unknown: unknown})
}

// AddPost adds a status with all its fields (Unreachable, Deleted) and
// returns its id.
func (s *Server) AddPost(st Status) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	st.ID = s.id()
	s.statuses[st.ID] = &st
	return st.ID
}

// SetPost changes a known post, e.g. to mark it deleted or unreachable
// after it was found.
func (s *Server) SetPost(id string, unreachable, deleted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.statuses[id]; ok {
		st.Unreachable, st.Deleted = unreachable, deleted
	}
}

// AcceptFollow accepts the pending follow request to an account (a locked
// one, or a remote one whose Accept has not arrived) by handle, and
// reports whether there was one.
func (s *Server) AcceptFollow(handle string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.findAcct(handle)
	if a == nil {
		return false
	}
	f, ok := s.follows[a.ID]
	if !ok || !f.requested {
		return false
	}
	f.requested = false
	return true
}

// CutOffFollows makes the next n follow requests act and then hang until
// the client gives up (its request context is done) or the server
// closes, and never answer: a client cut off after the server acted. On
// GoToSocial the follow then stays a request nobody accepts, even to an
// unlocked account (Flavour.stuckWhenCutOff). The general "act, then drop
// the answer" is Faults.Drops.
func (s *Server) CutOffFollows(n int) {
	s.mu.Lock()
	s.cutFollows = n
	s.mu.Unlock()
}

// Hold makes every request that passes the throttles wait before its
// handler until release is called (or the client gives up), so a test can
// keep requests in flight, e.g. to reach WithConcurrencyLimit.
func (s *Server) Hold() (release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := make(chan struct{})
	s.gate = g
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			if s.gate == g {
				s.gate = nil
			}
			s.mu.Unlock()
			close(g)
		})
	}
}

// InFlight is how many requests are inside the server now (past the
// rate limit, not yet answered).
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inFlight
}

// NewToken issues another token for "me", as a second login would: the
// per-token throttle and TokenWrites count it apart, the per-user ones
// together.
func (s *Server) NewToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := "token-" + strconv.FormatUint(s.rng.Uint64(), 36)
	s.tokens[tok] = s.MeID
	return tok
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

// TokenWrites is how many requests made with a token changed state.
func (s *Server) TokenWrites(token string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokenWrites[token]
}

func (s *Server) nextSeq() int64 {
	s.seq++
	return s.seq
}

// settle applies the Accepts that have arrived by now.
func (s *Server) settle() {
	now := s.clock.Now()
	for _, f := range s.follows {
		if f.requested && !f.acceptAt.IsZero() && !now.Before(f.acceptAt) {
			f.requested, f.acceptAt = false, time.Time{}
		}
	}
	s.settleImports(now)
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
	token  string
	ids    []string
	form   url.Values
	header http.Header // extra headers to send
	cut    bool        // the client will be gone before the answer (CutOffFollows)
	lost   bool        // answer as if done, without acting (Faults.Lost)
}

func (c *call) get(k string) string { return c.form.Get(k) }

var routes []*route

func handle(method, pattern string, h func(*Server, *call) (int, any)) *route {
	re := "^" + regexp.MustCompile(`:[a-z]+`).ReplaceAllString(regexp.QuoteMeta(pattern), `([^/]+)`) + "$"
	r := &route{method: method, pattern: pattern, re: regexp.MustCompile(re), h: h}
	routes = append(routes, r)
	return r
}

const followRoute = "POST /api/v1/accounts/:id/follow"

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
	// A real server's Date is its own clock's; clients compare the rate
	// limit's reset with it (RFC 9110 §6.6.1).
	c := &call{r: r, w: w, ids: ids, form: r.Form, header: http.Header{"Date": {s.clock.Now().UTC().Format(http.TimeFormat)}}}

	s.mu.Lock()
	s.counts[name]++
	s.settle()
	f := s.faults
	drop := f.Drops > 0 && s.rng.Float64() < f.Drops
	// Half the dropped connections lose the answer after the work is done,
	// as when a proxy times out: the client cannot tell which happened.
	dropAfter := drop && s.rng.IntN(2) == 0
	fail := f.ServerErrors > 0 && s.rng.Float64() < f.ServerErrors
	slow := f.SlowBodies > 0 && s.rng.Float64() < f.SlowBodies
	missing := rt == nil || s.missing[name] || !s.flavour.hasRoute(name)
	status, body, limited := s.gateway(rt, c, missing)
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
	if limited || missing {
		writeAnswer(w, c.header, status, body)
		return
	}
	if code, ok := f.Broken[r.Method+" "+r.URL.Path]; ok {
		// Rails answers an exception it does not rescue with the status's
		// words (ActionDispatch::PublicExceptions).
		writeAnswer(w, c.header, code, apiError(http.StatusText(code)))
		return
	}

	// GoToSocial's concurrency throttle comes after its rate limit
	// (cmd/gotosocial/action/server/server.go: "apply throttling *after*
	// rate limiting").
	s.mu.Lock()
	if s.maxInFlight > 0 && s.inFlight >= s.maxInFlight {
		s.throttled++
		s.mu.Unlock()
		c.header.Set("Retry-After", strconv.Itoa(int(s.retryAfter/time.Second)))
		writeAnswer(w, c.header, http.StatusTooManyRequests, apiError("server capacity exceeded"))
		return
	}
	s.inFlight++
	gate := s.gate
	for _, p := range f.Unbound[name] {
		c.form.Del(p)
	}
	c.lost = f.Lost[name]
	if name == followRoute && s.cutFollows > 0 {
		s.cutFollows--
		c.cut = true
	}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.inFlight--
		s.mu.Unlock()
	}()
	if gate != nil {
		select {
		case <-gate:
		case <-s.closed:
		case <-r.Context().Done():
			return
		}
	}

	s.mu.Lock()
	status, body = s.dispatch(rt, c)
	s.mu.Unlock()
	if c.cut {
		// The server acted; the client is gone before the answer.
		select {
		case <-r.Context().Done():
		case <-s.closed:
		}
		hijackClose(w)
		return
	}
	if dropAfter {
		hijackClose(w)
		return
	}
	if slow {
		b, _ := json.Marshal(body)
		for k, v := range c.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(status)
		w.Write(b[:len(b)/2])
		w.(http.Flusher).Flush()
		time.Sleep(f.SlowPause)
		w.Write(b[len(b)/2:])
		return
	}
	writeAnswer(w, c.header, status, body)
}

func writeAnswer(w http.ResponseWriter, h http.Header, status int, body any) {
	for k, v := range h {
		w.Header()[k] = v
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

// gateway runs what stands before the handler, with s.mu held: the rate
// limits and, for routes the server lacks, the unknown-route answer. It
// returns limited (or the 404 for a missing route) when the request stops
// here. The order follows each server:
//   - GoToSocial: the per-IP limiter runs for its known routes before
//     authentication, public ones included; unknown routes pass through
//     no limiter (gin's NoRoute handler has only the global middlewares).
//   - Mastodon: rack-attack runs before routing, so an authenticated
//     request to an unknown /api route still counts.
func (s *Server) gateway(rt *route, c *call, missing bool) (int, any, bool) {
	if missing {
		if tok, me, ok := s.auth(c); ok && !s.flavour.GoToSocial() {
			c.token, c.me = tok, me
			if status, body, limited := s.throttle(c); limited {
				s.throttled++
				return status, body, true
			}
		}
		status, body := s.flavour.unknownRoute()
		return status, body, false
	}
	if status, body, limited := s.throttleIP(c); limited {
		s.throttled++
		return status, body, true
	}
	if rt.public {
		return 0, nil, false
	}
	tok, me, ok := s.auth(c)
	if !ok {
		// Doorkeeper's answer (app/controllers/api/base_controller.rb).
		return http.StatusUnauthorized, apiError("The access token is invalid"), true
	}
	c.token, c.me = tok, me
	if status, body, limited := s.throttle(c); limited {
		s.throttled++
		return status, body, true
	}
	return 0, nil, false
}

func (s *Server) auth(c *call) (tok, me string, ok bool) {
	tok = strings.TrimPrefix(c.r.Header.Get("Authorization"), "Bearer ")
	me, ok = s.tokens[tok]
	return tok, me, ok && tok != ""
}

// dispatch runs a handler, with s.mu held.
func (s *Server) dispatch(rt *route, c *call) (int, any) {
	status, body := s.serveMove(rt, c) // rt.h, with what a move changes (move.go)
	if rt.method != http.MethodGet && status < 300 {
		s.writes++
		if c.token != "" {
			s.tokenWrites[c.token]++
		}
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

// apiError is Mastodon's error body (app/controllers/concerns/api/error_handling.rb),
// and GoToSocial's too (internal/api/util/errorhandling.go).
func apiError(msg string) map[string]string { return map[string]string{"error": msg} }

var (
	notFound  = func() (int, any) { return http.StatusNotFound, apiError("Record not found") }
	forbidden = func() (int, any) { return http.StatusForbidden, apiError("This action is not allowed") }
)

func invalid(msg string) (int, any) {
	return http.StatusUnprocessableEntity, apiError("Validation failed: " + msg)
}

// throttled is one throttle's state after counting a request.
type throttled struct {
	limit, count int
	reset        time.Time
}

// throttle applies Mastodon's rate limits (config/initializers/
// rack_attack.rb) in fixed windows aligned to the epoch: per user, per
// token, and per user for paged requests. Like rack-attack it counts the
// throttles in their order and stops at the first one exceeded, whose
// numbers the 429 carries. Otherwise the headers describe whichever
// throttle has the fewest requests left
// (app/controllers/concerns/api/rate_limit_headers.rb, api_throttle_data),
// so paged requests often show the 15-minute window.
func (s *Server) throttle(c *call) (int, any, bool) {
	now := s.clock.Now()
	l := s.limits
	var seen []throttled
	for _, t := range []struct {
		key    string
		limit  int
		period time.Duration
		on     bool
	}{
		{"user:" + c.me, l.UserRequests, l.UserRequestsPeriod, l.UserRequests > 0},
		{"api:" + c.token, l.Requests, l.RequestsPeriod, l.Requests > 0},
		{"paging:" + c.me, l.Paginated, l.PaginatedPeriod, l.Paginated > 0 && isPaging(c.form)},
	} {
		if !t.on {
			continue
		}
		n, reset := s.window(t.key, t.period, now)
		if n > t.limit {
			return s.tooMany(c.header, t.limit, reset)
		}
		seen = append(seen, throttled{t.limit, n, reset})
	}
	if len(seen) > 0 {
		best := seen[0]
		for _, t := range seen[1:] {
			if t.limit-t.count < best.limit-best.count {
				best = t
			}
		}
		s.setRate(c.header, best.limit, best.limit-best.count, best.reset)
	}
	return 0, nil, false
}

// throttleIP is GoToSocial's limiter (internal/middleware/ratelimit.go):
// per client IP, a window that starts at the first request and ends
// IPRequestsPeriod later (ulule/limiter's memory store), headers on every
// answer with Reset in whole seconds (time.Unix(context.Reset, 0)) written
// as ISO 8601 with milliseconds, and when spent a 429
// {"error":"rate limit reached"} without Retry-After.
func (s *Server) throttleIP(c *call) (int, any, bool) {
	l := s.limits
	if l.IPRequests <= 0 {
		return 0, nil, false
	}
	now := s.clock.Now()
	ip := remoteIP(c.r)
	w := s.anchored["ip:"+ip]
	if w == nil || !now.Before(w.reset) {
		w = &anchorWin{reset: now.Add(l.IPRequestsPeriod)}
		s.anchored["ip:"+ip] = w
	}
	w.count++
	reset := time.Unix(w.reset.Unix(), 0)
	s.setRate(c.header, l.IPRequests, l.IPRequests-w.count, reset)
	if w.count > l.IPRequests {
		return http.StatusTooManyRequests, apiError("rate limit reached"), true
	}
	return 0, nil, false
}

// remoteIP is the client's address, which per-IP throttles count by.
func remoteIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}

// window counts one more request in the fixed window holding now.
func (s *Server) window(key string, period time.Duration, now time.Time) (int, time.Time) {
	k, end := windowKey(key, period, now)
	s.windows[k]++
	return s.windows[k], end
}

// windowKey is the counter of key's window at now, and the window's end.
func windowKey(key string, period time.Duration, now time.Time) (string, time.Time) {
	start := now.Truncate(period)
	return key + "@" + strconv.FormatInt(start.Unix(), 10), start.Add(period)
}

func isPaging(q url.Values) bool {
	for _, k := range []string{"max_id", "min_id", "since_id", "page"} {
		if q.Get(k) != "" {
			return true
		}
	}
	return false
}

func (s *Server) setRate(h http.Header, limit, remaining int, reset time.Time) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(max(remaining, 0)))
	h.Set("X-RateLimit-Reset", s.flavour.formatReset(reset))
}

// tooMany is rack-attack's throttled response in Mastodon
// (config/initializers/rack_attack.rb throttled_responder): the
// throttle's limit, nothing remaining, the end of its window, and no
// Retry-After.
func (s *Server) tooMany(h http.Header, limit int, reset time.Time) (int, any, bool) {
	s.setRate(h, limit, 0, reset)
	return http.StatusTooManyRequests, apiError("Too many requests"), true
}

// page answers a paginated list: items sorted by descending seq (the
// relationship record's id), max_id and since/min_id filters, a limit
// bounded by twice the default (app/controllers/concerns/api/pagination.rb
// limit_param), and a Link header as pageHiding says.
func page[T any](s *Server, c *call, items []seqItem[T], def int) []T {
	return pageHiding(s, c, items, nil, def)
}

// pageHiding is page for a list holding rows the server leaves out of
// its answers (hidden, by seq: a suspended account, a deleted post, an
// expired mute on GoToSocial). Mastodon filters them in SQL before the
// limit, and links rel="next" when the page is full. GoToSocial 0.20
// takes a page of raw rows, builds rel="next"/"prev" from them and
// filters afterwards (internal/paging/response.go PackageResponse, fed by
// e.g. internal/processing/account/mute.go MutesGet and
// internal/processing/common/account.go GetVisibleAPIAccountsPaged): every
// page with raw rows links onwards, so a page can be short, or empty, and
// still have a next; only a page without raw rows has no Link.
func pageHiding[T any](s *Server, c *call, items []seqItem[T], hidden map[int64]bool, def int) []T {
	lim := def
	if v := c.get("limit"); v != "" {
		n, _ := strconv.Atoi(v)
		lim = min(abs(n), def*2)
	}
	gts := s.flavour.GoToSocial()
	sort.Slice(items, func(i, j int) bool { return items[i].seq > items[j].seq })
	var rows []seqItem[T]
	maxID, _ := strconv.ParseInt(c.get("max_id"), 10, 64)
	minID, _ := strconv.ParseInt(c.get("since_id")+c.get("min_id"), 10, 64)
	for _, it := range items {
		if (maxID > 0 && it.seq >= maxID) || (minID > 0 && it.seq <= minID) || (hidden[it.seq] && !gts) {
			continue
		}
		if len(rows) == lim {
			break
		}
		rows = append(rows, it)
	}
	out := []T{}
	for _, it := range rows {
		if !hidden[it.seq] {
			out = append(out, it.v)
		}
	}
	link := func(rel, key string, seq int64) string {
		q := url.Values{"limit": {strconv.Itoa(lim)}, key: {strconv.FormatInt(seq, 10)}}
		return fmt.Sprintf(`<%s%s?%s>; rel="%s"`, s.URL, c.r.URL.Path, q.Encode(), rel)
	}
	switch {
	case gts && len(rows) > 0:
		c.header.Set("Link", link("next", "max_id", rows[len(rows)-1].seq)+", "+link("prev", "min_id", rows[0].seq))
	case !gts && len(rows) == lim && lim > 0:
		c.header.Set("Link", link("next", "max_id", rows[len(rows)-1].seq))
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
