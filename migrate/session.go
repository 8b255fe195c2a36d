package migrate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// Accounts opens an account's API client from the stored logins or the
// environment. The terminal implements it with its factory, the web page
// with the same token store.
type Accounts interface {
	// Open returns the client of account (user@host, or an instance
	// address with a token from the environment) and the account as the
	// login names it: only its Acct is set (the login's handle, or
	// account as given with a token from the environment). It sends no
	// request. readOnly marks the old account (--from, the move's old
	// account): its client is only ever read from, and its token may come
	// from its own variable.
	Open(ctx context.Context, account string, readOnly bool) (*api.Client, *api.Account, error)
}

// Env is what a session needs from the program that runs it.
type Env struct {
	Accounts Accounts
	StateDir string    // where journals live
	Clock    api.Clock // nil: the system clock
	HTTP     *http.Client
}

func (e Env) clock() api.Clock {
	if e.Clock == nil {
		return api.SystemClock
	}
	return e.Clock
}

func (e Env) http() *http.Client {
	if e.HTTP == nil {
		return http.DefaultClient
	}
	return e.HTTP
}

// WithDefaults is e with the system clock and http.DefaultClient where it
// names none, for the engine's packages outside this one (migrate/move).
func (e Env) WithDefaults() Env {
	e.Clock, e.HTTP = e.clock(), e.http()
	return e
}

// SessionConfig is what a person asks of a migration: `migrate`'s flags.
type SessionConfig struct {
	Exports              []string // paths on disk (files or folders), read in place
	From, To             string   // old account (optional, read-only), new account
	Include, Only, Skip  []string
	Posts                []string // visibilities --include posts carries
	Mode                 string   // merge | overwrite
	UpdateFollowSettings bool
	NoBulk, Wait, Yes    bool
	// Continued: the person has said to carry on a journaled run (the
	// page's Continue says it), so what only adds goes on without asking
	// again; removals are still asked, with the account's name typed
	// (Confirmation.TypeAccount). Yes asks nothing at all.
	Continued   bool
	Concurrency int // 0: chosen from the server's allowance
}

// Session is one migration, end to end: plan, check, lanes, replay, posts
// and summary, journaled, asking and telling through a Person.
type Session struct {
	Config SessionConfig
	env    Env
}

// NewSession prepares a migration; nothing is read until Plan or Run.
func NewSession(cfg SessionConfig, env Env) *Session {
	if cfg.Mode == "" {
		cfg.Mode = "merge"
	}
	// The plan counts posts by these as the run carries them: a face
	// that offers no choice gets the command's default, in both.
	if len(cfg.Posts) == 0 {
		cfg.Posts = posts.DefaultVisibilities
	}
	return &Session{Config: cfg, env: env}
}

// ResumeSession is the session a journal was started with.
func ResumeSession(journalPath string, env Env) (*Session, error) {
	j, err := journal.Load(journalPath)
	if err != nil {
		return nil, err
	}
	o := j.Header.Options
	return NewSession(SessionConfig{Exports: j.Header.Inputs, From: o.From, To: o.To, Include: o.Include, Only: o.Only,
		Skip: o.Skip, Posts: o.Posts, Mode: o.Mode, UpdateFollowSettings: o.UpdateFollowSettings, NoBulk: o.NoBulk}, env), nil
}

func (s *Session) includes(what string) bool { return slices.Contains(s.Config.Include, what) }

// UsageError is a mistake in what was asked, not in how it went: the
// terminal shows its usage hint.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// ErrNotConfirmed: the person declined; nothing was changed.
var ErrNotConfirmed = errors.New("not confirmed; nothing was changed")

// StoppedError is a run stopped by its context (Ctrl-C, or the page's
// pause) in Phase; Command continues it.
type StoppedError struct {
	Phase   string
	Command string
	Err     error
}

func (e *StoppedError) Error() string { return e.Err.Error() }
func (e *StoppedError) Unwrap() error { return e.Err }

// DeferredError ends a run that has follows waiting for the daily limit.
type DeferredError struct {
	Follows int       // follows waiting
	Tags    int       // hashtag follows waiting: the same daily allowance
	Others  int       // list members waiting for them, and retries
	Limit   int       // follows a day
	Until   time.Time // when the limit resets
	In      time.Duration
	Command string
}

func (e *DeferredError) Error() string {
	others := ""
	if e.Others > 0 {
		others = fmt.Sprintf(" (and %s waiting for them)", plural(e.Others, "other item"))
	}
	waiting := plural(e.Follows, "follow")
	switch {
	case e.Tags > 0 && e.Follows == 0:
		waiting = plural(e.Tags, "hashtag follow")
	case e.Tags > 0:
		waiting += " and " + plural(e.Tags, "hashtag follow")
	}
	return fmt.Sprintf("%s remain%s: Mastodon allows %d a day and starts counting again at %s (in %s); continue then with: %s",
		waiting, others, e.Limit, e.Until.UTC().Format("2006-01-02 15:04 MST"),
		HumanDuration(e.In), e.Command)
}

// RetryError ends a run that left items a later run can do: refused for
// now (server errors), or waiting for a follow still to be made.
type RetryError struct {
	Items   int
	Command string
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%s could not be done yet (see `mastomigrate report`); run again to continue: %s", plural(e.Items, "item"), e.Command)
}

// ServerFailedError ends a run that failed items for good because the
// server answered them with the same error in two runs (migrate/outcome): the
// run failed, whatever else is left for a later one.
type ServerFailedError struct {
	Items  int
	Reason string // the first item's
	// Left are the items a later run can still do, with the command.
	Left    int
	Command string
}

func (e *ServerFailedError) Error() string {
	msg := fmt.Sprintf("%s failed for an error on the server's side (%s; see `mastomigrate report`)", plural(e.Items, "item"), e.Reason)
	if e.Left > 0 {
		msg += fmt.Sprintf("; %s could not be done yet, run again to continue: %s", plural(e.Left, "other item"), e.Command)
	}
	return msg
}

// HumanDuration writes 13h58m, 45m, or under a minute.
func HumanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

// inputs are what a plan or migration carries: the exports, the old
// account read live (From), or both.
type inputs struct {
	export *archive.Export // the two combined: the live account wins
	source *Source         // nil without From
	files  *archive.Export // the exports alone, nil without any
	set    *archive.Set    // the exports, opened once; nil without any
	digest string          // names the journal; stable for the same inputs
	old    *api.Client     // the old account's client: GET requests only
}

func (in *inputs) extras() *Extras {
	if in.source == nil {
		return nil
	}
	return in.source.Extras
}

// read reads the exports, and the old account through its login. The old
// account is only read: its client sends GET requests alone, and its
// token goes to its own host only (api's transport). Close the inputs
// when done.
func (s *Session) read(ctx context.Context, p Person) (*inputs, error) {
	in := &inputs{}
	if len(s.Config.Exports) > 0 {
		progress := func(input string, bytes int64) {
			p.Notify(Event{Kind: EventProgress, Phase: PhaseRead, Item: input, Done: int(bytes)})
		}
		set, err := archive.OpenWith(ctx, archive.Options{Progress: progress}, s.Config.Exports...)
		if err != nil {
			return nil, err
		}
		in.set, in.files = set, set.Export()
	}
	if s.Config.From != "" {
		old, _, err := s.env.Accounts.Open(ctx, s.Config.From, true)
		if err != nil {
			in.close()
			return nil, fmt.Errorf("the old account (--from): %w", err)
		}
		src, err := ReadSource(ctx, old, s.includes("likes"))
		if err != nil {
			in.close()
			return nil, err
		}
		in.source, in.old = src, old
		in.export = Combine(src.Export, in.files)
		in.digest = SourceDigest(src.Account, in.files)
		return in, nil
	}
	in.export = in.files
	in.digest = journal.Digest(in.files)
	return in, nil
}

// close closes the exports.
func (in *inputs) close() {
	if in.set != nil {
		in.set.Close()
	}
}

func (in *inputs) plan(include []string) *Plan {
	p := NewPlan(in.export, include...)
	if in.source != nil {
		p.AddSource(in.source)
	}
	return p
}

// resolving tells the look-ups' progress.
func resolving(p Person) func(done, total int) {
	return func(done, total int) {
		p.Notify(Event{Kind: EventProgress, Phase: PhaseCheck, Done: done, Total: total})
	}
}

// Plan is what `plan --json` shows, with the target's state when To is
// set. It writes nothing anywhere.
func (s *Session) Plan(ctx context.Context, p Person) (*Plan, error) {
	p.Notify(Event{Kind: EventPhase, Phase: PhaseRead})
	in, err := s.read(ctx, p)
	if err != nil {
		return nil, err
	}
	defer in.close()
	plan := in.plan(s.Config.Include)
	if s.Config.To == "" {
		return plan, nil
	}
	c, _, err := s.env.Accounts.Open(ctx, s.Config.To, false)
	if err != nil {
		return nil, err
	}
	p.Notify(Event{Kind: EventPhase, Phase: PhaseCheck})
	r := &Resolver{Client: c, Workers: 4, Progress: resolving(p)}
	plan.Target, _, err = CheckSource(ctx, c, nil, in.export, in.extras(), r, Options{IncludeLikes: s.includes("likes"), Now: s.env.clock().Now()})
	if err != nil {
		return nil, err
	}
	caps := c.Server(ctx).Capabilities()
	plan.ForServer(caps)
	est := EstimateLanes(plan.Target.Steps, caps)
	plan.Lanes = &est
	plan.laneServer, plan.laneImport = caps.Name, caps.Has(category.Follows, api.LaneImport)
	if s.includes("profile") {
		u, err := s.profile(ctx, in)
		if err != nil {
			return nil, err
		}
		if u != nil {
			plan.WarnProfile(u, caps)
		}
	}
	if plan.PostCarry, err = s.postPlan(ctx, c, in, s.includes("posts")); err != nil {
		return nil, err
	}
	return plan, nil
}

// postPlan says what --include posts does on the target: always when
// asked for, and on servers that take backdated posts (to offer it).
// Posts need an outbox; without one there is nothing to say.
func (s *Session) postPlan(ctx context.Context, c *api.Client, in *inputs, asked bool) (*posts.Plan, error) {
	if in.export.Posts == nil {
		return nil, nil
	}
	srv := c.Server(ctx)
	if ok, _ := posts.Backdating(srv); !ok && !asked {
		return nil, nil
	}
	pp, err := posts.NewPlan(ctx, in.set, s.Config.Posts, srv)
	if err != nil {
		return nil, fmt.Errorf("reading the posts: %w", err)
	}
	// One request per post and one per media file, within the server's
	// allowance (the capability table's).
	if requests := pp.Carry + pp.Media; requests > 0 {
		pp.Estimate = requestsText(requests, srv.Capabilities().Allowance())
	}
	return pp, nil
}

// Run is `migrate`: plan, check, lanes, replay, posts and summary,
// journaled, asking p.Confirm before changing anything (unless Yes) and
// telling progress through p.Notify. Cancelling ctx is the pause:
// requests in flight finish and are journaled. The summary comes back
// with the errors that end a run with work left (*DeferredError,
// *RetryError, *StoppedError) when the replay ran.
func (s *Session) Run(ctx context.Context, p Person) (*Summary, error) {
	cfg := &s.Config
	clock := s.env.clock()
	p.Notify(Event{Kind: EventPhase, Phase: PhaseRead})
	in, err := s.read(ctx, p)
	if err != nil {
		return nil, err
	}
	defer in.close()
	e := in.export
	c, _, err := s.env.Accounts.Open(ctx, cfg.To, false)
	if err != nil {
		return nil, err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the new account: %w", err)
	}
	account := me.Acct + "@" + c.Domain(ctx)
	if in.source != nil && strings.EqualFold(in.source.Account, account) {
		return nil, &UsageError{fmt.Errorf("`--from` and `--to` are the same account (%s): nothing is ever written to the old account", account)}
	}
	includePosts := s.includes("posts")
	if includePosts {
		if ok, why := posts.Backdating(c.Server(ctx)); !ok {
			return nil, fmt.Errorf("refusing `--include posts` for %s: %s; nothing was sent (run without `--include posts` to carry the rest)", account, why)
		}
	}
	j, err := s.openJournal(in, account)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	if j.Torn {
		p.Notify(Event{Kind: EventNote, Level: LevelWarning, Message: "The journal's last line was cut short by a crash; it was dropped and that step will be checked again."})
	}
	for key, rec := range j.Accounts() {
		c.Remember(key, &api.Account{ID: rec.AccountID, Acct: rec.Acct, Locked: rec.Locked})
	}
	command := ResumeCommand(j.Header)

	// The allowance is known from the first answer (Me): a few requests in
	// flight use it well; Mastodon's 300 per 5 minutes gives 6.
	concurrency := cfg.Concurrency
	if concurrency <= 0 {
		concurrency = 4
		if rate, ok := c.Rate(); ok {
			concurrency = max(1, min(8, rate.Limit/50))
		}
	}
	plan := in.plan(cfg.Include)
	r := &Resolver{Client: c, Workers: concurrency, Progress: resolving(p), Found: func(key string, a *api.Account) {
		if a.Moved != nil {
			a = a.Moved
		}
		if !a.Suspended {
			j.RememberAccount(key, a.ID, a.Acct, a.Locked)
		}
	}}
	opts := Options{IncludeLikes: s.includes("likes"), Overwrite: cfg.Mode == "overwrite",
		UpdateFollowSettings: cfg.UpdateFollowSettings, Now: clock.Now(), Redo: j.Redo()}
	if err := s.bulk(ctx, p, c, me, e, j); err != nil {
		return nil, err
	}
	p.Notify(Event{Kind: EventPhase, Phase: PhaseCheck})
	ch, target, err := CheckSource(ctx, c, me, e, in.extras(), r, opts)
	if errors.Is(err, context.Canceled) {
		return nil, &StoppedError{Phase: PhaseCheck, Command: command, Err: err}
	}
	if err != nil {
		return nil, err
	}
	s.offerFastLane(ctx, p, c, j, ch.Steps)
	plan.Target = ch
	plan.ForServer(c.Server(ctx).Capabilities())
	if err := recordProblems(j, ch.Problems); err != nil {
		return nil, err
	}
	redo, err := SettleAccepted(ctx, j, target, c)
	if err != nil {
		return nil, err
	}
	if len(redo) > 0 {
		ch.category(category.Follows).ToDo += len(redo)
		ch.Steps = append(ch.Steps, redo...)
		ch.Estimate = estimate(ch.Steps, c.Allowance(ctx))
	}
	pending, deferred, err := Pending(ch, j, clock.Now(), cfg.Wait)
	if err != nil {
		return nil, err
	}
	todo := selectSteps(pending, cfg.Only, cfg.Skip)
	// With --only or --skip, what was left out is still to do later.
	partial := len(todo) < len(pending)

	var profile *ProfileUpdate
	if s.includes("profile") {
		if profile, err = s.profile(ctx, in); err != nil {
			return nil, err
		}
		if profile != nil {
			plan.WarnProfile(profile, c.Server(ctx).Capabilities())
		}
	}
	if plan.PostCarry, err = s.postPlan(ctx, c, in, includePosts); err != nil {
		return nil, err
	}
	posts := 0
	if includePosts {
		posts = postsLeft(j, plan.PostCarry)
		if e.Posts == nil {
			p.Notify(Event{Kind: EventNote, Level: LevelWarning, Message: "--include posts: none of the exports holds your posts (outbox.json, in the archive from Preferences > Import and export > Request your archive)"})
		}
	}
	p.Notify(Event{Kind: EventPlan, Plan: plan})
	if len(todo) == 0 && profile == nil && posts == 0 {
		if len(deferred) == 0 {
			return s.finish(j, account, nil, partial)
		}
	} else if err := s.confirm(ctx, p, Confirmation{Account: account, Changes: len(todo) + posts, Removals: removals(todo)}); err != nil {
		return nil, err
	}
	for _, st := range todo {
		if st.Op == journal.OpFavourite {
			p.Notify(Event{Kind: EventNote, Level: LevelWarning, Message: "Each like notifies the author of the post, as a new like would."})
			break
		}
	}

	p.Notify(Event{Kind: EventPhase, Phase: PhaseReplay})
	// The journal is the run's one count: its summary is what the
	// journal holds of the steps sent from here on (a follow request
	// accepted meanwhile is done, no longer pending), of the problems
	// skipped and the follows deferred, and what the check found there.
	mark := j.Mark()
	j.Settled(skippedProblems(ch.Problems, cfg.Only, cfg.Skip)...)
	for _, d := range deferred {
		j.Settled(d.ID)
	}
	already := make([]journal.Count, len(ch.Categories))
	for i, c := range ch.Categories {
		already[i] = journal.Count{Category: c.Name, Already: c.Already}
	}
	if err := j.RecordCounts(already); err != nil {
		return nil, err
	}
	runner := &Runner{Client: c, Journal: j, Target: target, Concurrency: concurrency, Clock: clock,
		Wait: cfg.Wait, Profile: profile,
		Progress: func(cat category.Category, done, total int) {
			p.Notify(Event{Kind: EventProgress, Phase: PhaseReplay, Category: cat, Done: done, Total: total})
		},
		Waiting: func(until time.Time) {
			p.Notify(Event{Kind: EventWait, Phase: PhaseReplay, Until: until, Reason: "Mastodon's daily follow limit"})
		}}
	runErr := runner.Run(ctx, ch, todo)
	if runErr == nil && includePosts && plan.PostCarry != nil {
		p.Notify(Event{Kind: EventPhase, Phase: PhasePosts})
		runErr = s.posts(ctx, p, c, j, me, in.set)
	}
	sum := summarize(j.Since(mark))
	sum.FollowLimit = runner.limitHit
	return s.end(j, account, sum, runErr, partial)
}

func (s *Session) openJournal(in *inputs, account string) (*journal.Journal, error) {
	cfg := s.Config
	abs := make([]string, len(cfg.Exports))
	for i, in := range cfg.Exports {
		var err error
		if abs[i], err = filepath.Abs(in); err != nil {
			return nil, err
		}
	}
	rc := journal.RunConfig{To: cfg.To, Include: cfg.Include, Only: cfg.Only, Skip: cfg.Skip, Mode: cfg.Mode,
		UpdateFollowSettings: cfg.UpdateFollowSettings, NoBulk: cfg.NoBulk, From: cfg.From}
	if s.includes("posts") {
		rc.Posts = cfg.Posts
	}
	return journal.Open(journal.Path(s.env.StateDir, account, in.digest),
		journal.Header{Account: account, Digest: in.digest, Inputs: abs, Options: rc, Created: s.env.clock().Now().UTC()})
}

// confirm asks before changing the account, unless Yes, or Continued
// and q only adds.
func (s *Session) confirm(ctx context.Context, p Person, q Confirmation) error {
	if s.Config.Yes || s.Config.Continued && !q.TypeAccount() {
		return nil
	}
	ok, err := p.Confirm(ctx, q)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotConfirmed
	}
	return nil
}

// removals counts what overwrite mode takes away.
func removals(steps []journal.Step) int {
	n := 0
	for _, s := range steps {
		switch s.Op {
		case journal.OpUnfollow, journal.OpUnblock, journal.OpUnmute, journal.OpUnblockDomain, journal.OpRemoveFromList:
			n++
		}
	}
	return n
}

func selectSteps(steps []journal.Step, only, skip []string) []journal.Step {
	var out []journal.Step
	for _, s := range steps {
		if len(only) > 0 && !slices.Contains(only, string(s.Category)) || slices.Contains(skip, string(s.Category)) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// profile is what --include profile sends: the live old account's when
// read (texts, pictures and settings), else actor.json's and the
// archive's pictures, else nil.
func (s *Session) profile(ctx context.Context, in *inputs) (*ProfileUpdate, error) {
	if in.old != nil {
		return ReadProfile(ctx, in.old, s.env.http())
	}
	if in.export.Profile == nil {
		return nil, nil
	}
	u, err := NewProfileUpdate(ctx, in.export.Profile, func(name string) ([]byte, error) {
		return archive.ReadFile(in.set, name, 16<<20)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the profile pictures: %w", err)
	}
	return u, nil
}

// postsLeft is how many posts to carry the journal does not settle yet.
func postsLeft(j *journal.Journal, pp *posts.Plan) int {
	if pp == nil || !pp.Possible {
		return 0
	}
	settled := 0
	for _, r := range j.Steps() {
		if r.Category == posts.Category && (r.Status == journal.StatusDone || r.Status == journal.StatusFailed || r.Status == journal.StatusSkipped) {
			settled++
		}
	}
	return max(pp.Carry-settled, 0)
}

// posts carries the posts after the other categories.
func (s *Session) posts(ctx context.Context, p Person, c *api.Client, j *journal.Journal, me *api.Account, set *archive.Set) error {
	pr := &posts.Runner{Client: c, Journal: j, Me: me, Exports: set, Visibilities: s.Config.Posts,
		Clock: s.env.clock(), Progress: func(done, total int) {
			p.Notify(Event{Kind: EventProgress, Phase: PhasePosts, Category: posts.Category, Done: done, Total: total})
		}}
	err := pr.Run(ctx)
	if errors.Is(err, posts.ErrBackdatingOff) {
		return fmt.Errorf("posts stopped: %w; ask the instance's admin to allow it, then continue with: %s", err, ResumeCommand(j.Header))
	}
	return err
}

// skippedProblems are the problems a run's summary counts as skipped,
// by their steps' ids: not found, suspended, the account itself; the
// journal and `report` list them (recordProblems). Moved accounts are
// carried at their new address, follows the export's own blocks end
// are not items to carry, and requests sent before are pending follows.
func skippedProblems(problems []Problem, only, skip []string) []string {
	var ids []string
	for _, p := range problems {
		if p.Kind == "moved" || p.Kind == "blocked" || p.Kind == "pending" ||
			len(only) > 0 && !slices.Contains(only, string(p.Category)) || slices.Contains(skip, string(p.Category)) {
			continue
		}
		ids = append(ids, p.Step().ID)
	}
	return ids
}

// end says how the run ended and marks the journal finished when nothing
// is left.
func (s *Session) end(j *journal.Journal, account string, sum *Summary, runErr error, partial bool) (*Summary, error) {
	command := ResumeCommand(j.Header)
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			return sum, &StoppedError{Phase: PhaseReplay, Command: command, Err: runErr}
		}
		return sum, runErr
	}
	if sum.ServerFailed > 0 {
		fe := &ServerFailedError{Items: sum.ServerFailed, Reason: sum.serverReason, Left: sum.Remaining(), Command: command}
		if fe.Left > 0 {
			return sum, fe
		}
		out, err := s.finish(j, account, sum, partial)
		if err != nil {
			return out, err
		}
		return out, fe
	}
	if n := sum.Remaining(); n > 0 {
		if sum.DeferredUntil != nil {
			follows, tags := 0, 0
			for _, r := range sum.Rows {
				switch r.Category {
				case category.Follows:
					follows = r.Deferred
				case category.FollowedTags:
					tags = r.Deferred
				}
			}
			until, limit := *sum.DeferredUntil, sum.FollowLimit
			if limit == 0 {
				limit = assumed.FollowsPerDay // deferred by an earlier run (only Mastodon defers)
			}
			return sum, &DeferredError{Follows: follows, Tags: tags, Others: n - follows - tags, Limit: limit, Until: until, In: until.Sub(s.env.clock().Now()), Command: command}
		}
		return sum, &RetryError{Items: n, Command: command}
	}
	return s.finish(j, account, sum, partial)
}

// finish marks the journal finished, unless --only or --skip left
// categories for another run. sum is nil when nothing was to be sent.
func (s *Session) finish(j *journal.Journal, account string, sum *Summary, partial bool) (*Summary, error) {
	out := sum
	if out == nil {
		out = &Summary{}
	}
	out.Account, out.Replayed, out.Partial = account, sum != nil, partial
	if partial {
		return out, nil
	}
	if err := j.Finish(); err != nil {
		return nil, err
	}
	out.Finished = true
	// Nothing more a run of ours can do now; what waits for other
	// people's approval is said, and `resume` picks it up.
	out.WaitingApproval = j.Waiting()
	return out, nil
}

// ResumeCommand is the exact command that continues a migration.
func ResumeCommand(h journal.Header) string {
	args := []string{"mastomigrate", "migrate"}
	for _, in := range h.Inputs {
		args = append(args, ShellQuote(in))
	}
	if h.Options.From != "" {
		args = append(args, "--from", ShellQuote(h.Options.From))
	}
	args = append(args, "--to", ShellQuote(h.Options.To), "--yes")
	if h.Options.Mode == "overwrite" {
		args = append(args, "--mode", "overwrite")
	}
	for flag, vals := range map[string][]string{"--include": h.Options.Include, "--only": h.Options.Only, "--skip": h.Options.Skip} {
		if len(vals) > 0 {
			args = append(args, flag, strings.Join(vals, ","))
		}
	}
	if h.Options.UpdateFollowSettings {
		args = append(args, "--update-follow-settings")
	}
	if h.Options.NoBulk {
		args = append(args, "--no-bulk")
	}
	if len(h.Options.Posts) > 0 {
		args = append(args, "--posts", strings.Join(h.Options.Posts, ","))
	}
	return strings.Join(args, " ")
}

func ShellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// recordProblems journals the plan's problems (accounts not found,
// suspended, over the follow cap) as skipped steps, so the report lists
// them with everything else that did not make it. A problem already
// journaled with the same reason is not written again.
func recordProblems(j *journal.Journal, problems []Problem) error {
	for _, p := range problems {
		if p.Kind == "moved" || p.Kind == "blocked" {
			continue // carried over at the new address, or blocked as asked
		}
		if p.Kind == "pending" {
			// A request sent before (by a bulk import, an earlier run, by
			// hand): recorded as the follow step itself, sent and pending.
			s := journal.Step{ID: journal.FollowID(p.Item), Op: journal.OpFollow, Category: p.Category, Item: p.Item}
			if r, ok := j.Last(s.ID); ok && r.Status == journal.StatusDone && r.Pending {
				continue
			}
			if err := j.Record(journal.Record{ID: s.ID, Category: s.Category, Status: journal.StatusDone, Pending: true, Reason: p.Reason, Step: &s}); err != nil {
				return err
			}
			continue
		}
		s := p.Step()
		if r, ok := j.Last(s.ID); ok && r.Reason == p.Reason {
			continue
		}
		if err := j.Record(journal.Record{ID: s.ID, Category: s.Category, Status: journal.StatusSkipped, Reason: p.Reason, Step: &s}); err != nil {
			return err
		}
	}
	return nil
}
