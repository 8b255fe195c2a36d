package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/domainname"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/outcome"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// Runner carries steps out on the target and journals every outcome.
type Runner struct {
	Client      *api.Client
	Journal     *journal.Journal
	Target      *Target
	Concurrency int
	Clock       api.Clock
	// Wait, when the daily follow limit is reached, waits for it to reset
	// (calling Waiting with the time) instead of deferring the follows.
	Wait    bool
	Waiting func(until time.Time)
	// Progress is told each category's progress as steps finish.
	Progress func(cat category.Category, done, total int)
	// Profile, when set, is sent after likes (opt-in).
	Profile *ProfileUpdate

	mu          sync.Mutex
	limitHit    int        // the daily follow limit the server reported, once hit
	followUntil *time.Time // the daily follow limit is reached until then
	listIDs     map[string]string
	// unsupported says, by category, why this server cannot do it.
	unsupported map[category.Category]string
	// pendingIDs are the follows of this run that came back as requests,
	// by account id.
	pendingIDs map[string]journal.Step
	// unverified are, by category, the steps done whose answer could not
	// show all they sent: read back once the category is done (readback.go).
	unverified map[category.Category][]journal.Step
}

// Summary counts outcomes per category.
type Summary struct {
	Rows []*SummaryRow `json:"categories"`
	// DeferredUntil is when deferred follows may go on.
	DeferredUntil *time.Time `json:"deferred_until,omitempty"`
	// FollowLimit is the daily follow limit the server reported, if hit.
	FollowLimit int `json:"follow_limit,omitempty"`
	// ServerFailed are the items this run failed for a server error met
	// in two runs (migrate/outcome): the run ends in failure.
	ServerFailed int `json:"server_failed,omitempty"`
	// serverReason is the first of their reasons.
	serverReason string

	// How the run ended, for the face to say (not in the JSON):
	Account         string `json:"-"` // the new account's full handle
	Replayed        bool   `json:"-"` // the replay ran: Rows is this run's
	Partial         bool   `json:"-"` // --only or --skip left categories for another run
	Finished        bool   `json:"-"` // the journal is marked finished
	WaitingApproval bool   `json:"-"` // finished but for what waits for follow requests
}

// SummaryRow is one category's outcomes in this run.
type SummaryRow struct {
	Category category.Category `json:"category"`
	Done     int               `json:"done"`
	Already  int               `json:"already_there"`
	Skipped  int               `json:"skipped"`
	Failed   int               `json:"failed"`
	Retry    int               `json:"retry"`
	Deferred int               `json:"deferred"`
	// Pending are follows sent that wait for the other side to accept;
	// Waiting, list members waiting for those (where the server needs an
	// accepted follow). Neither is work a later run of ours can finish.
	Pending int `json:"pending"`
	Waiting int `json:"waiting"`
}

// Carried is what this run sent and is there now: the done less the
// follow requests still waiting for the other side, which count once
// accepted. Every face shows this as done.
func (r *SummaryRow) Carried() int { return r.Done - r.Pending }

// Awaiting is what waits for other people: follow requests sent, and list
// members waiting for them. No run of ours can hurry either.
func (r *SummaryRow) Awaiting() int { return r.Pending + r.Waiting }

func (s *Summary) row(cat category.Category) *SummaryRow {
	for _, r := range s.Rows {
		if r.Category == cat {
			return r
		}
	}
	r := &SummaryRow{Category: cat}
	s.Rows = append(s.Rows, r)
	return r
}

// Remaining is how many items a later run still has to do.
func (s *Summary) Remaining() int {
	n := 0
	for _, r := range s.Rows {
		n += r.Deferred + r.Retry
	}
	return n
}

// Pending removes from ch the steps the journal says are settled: done,
// skipped, failed for good, or deferred to a time still to come. A step
// left "started" by a crash, waiting for an approval, or taken without
// all it sent (Record.NotStuck) is marked done when the target shows it
// (the diff left it out); otherwise it is sent again, which is safe:
// follow, block, mute, domain block and bookmark are idempotent, and
// "already on the list" counts as done.
func Pending(ch *Changes, j *journal.Journal, now time.Time, wait bool) ([]journal.Step, []journal.Record, error) {
	inPlan := map[string]bool{}
	for _, s := range ch.Steps {
		inPlan[s.ID] = true
	}
	for _, r := range j.Steps() {
		unsettled := r.Status == journal.StatusStarted || r.Status == journal.StatusWaiting || r.Status == journal.StatusRetry && len(r.NotStuck) > 0
		if unsettled && !inPlan[r.ID] {
			if err := j.Record(journal.Record{ID: r.ID, Category: r.Category, Status: journal.StatusDone, Reason: "found on the target", Found: true}); err != nil {
				return nil, nil, err
			}
		}
	}
	var todo []journal.Step
	var deferred []journal.Record
	for _, s := range ch.Steps {
		r, ok := j.Last(s.ID)
		if !ok {
			todo = append(todo, s)
			continue
		}
		switch r.Status {
		case journal.StatusDone, journal.StatusSkipped, journal.StatusFailed:
		case journal.StatusDeferred:
			if r.Until != nil && r.Until.After(now) && !wait {
				deferred = append(deferred, r)
			} else {
				todo = append(todo, s)
			}
		default:
			todo = append(todo, s)
		}
	}
	return todo, deferred, nil
}

// Run carries out steps, category by category in replay order, each with
// up to Concurrency requests in flight. It returns when every step has an
// outcome, or when ctx is cancelled (in-flight requests are let finish and
// journaled, the rest stays for the next run). Every outcome is in the
// journal, which the run's summary is counted from.
func (r *Runner) Run(ctx context.Context, ch *Changes, steps []journal.Step) error {
	r.listIDs = map[string]string{}
	r.unsupported = map[category.Category]string{}
	r.pendingIDs = map[string]journal.Step{}
	r.unverified = nil
	for title, l := range r.Target.Lists {
		r.listIDs[title] = l.List.ID
	}
	// A category is unsupported only when reading it showed the server has
	// no such route; a 404 on one item says nothing about the others.
	for what, why := range ch.Unreadable {
		for _, cat := range category.ProbedBy(what) {
			r.unsupported[cat] = fmt.Sprintf("this server has no %s API (%s)", strings.ReplaceAll(what, "_", " "), why)
		}
	}
	// Some servers answer a category's read but have no way to write it
	// (GoToSocial lists no featured tags, and takes none): the capability
	// table says so before anything is sent, where no probe said more.
	if caps := r.Client.Server(ctx).Capabilities(); !caps.Probe {
		for _, cat := range Categories {
			if _, probed := r.unsupported[cat]; !probed && caps.Refuses(cat) {
				r.unsupported[cat] = caps.Name + " has no " + strings.ReplaceAll(string(cat), "_", " ")
			}
		}
	}
	byCat := map[category.Category][]journal.Step{}
	for _, s := range steps {
		byCat[s.Category] = append(byCat[s.Category], s)
	}
	for _, cat := range Categories {
		if err := r.category(ctx, cat, byCat[cat]); err != nil {
			return err
		}
		if cat == category.Follows {
			if err := r.recheckPending(ctx); err != nil {
				return err
			}
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if cat == category.Likes && r.Profile != nil {
			if err := r.profile(ctx); err != nil {
				return err
			}
		}
	}
	return nil
}

// serverFailure counts a failed record that a server error failed.
func (s *Summary) serverFailure(rec journal.Record) {
	if rec.HTTPStatus < 500 {
		return
	}
	s.ServerFailed++
	if s.serverReason == "" {
		s.serverReason = rec.Reason
		if rec.Step != nil {
			s.serverReason = rec.Step.Item + ": " + rec.Reason
		}
	}
}

func (s *Summary) noteDeferred(t time.Time) {
	if s.DeferredUntil == nil || t.After(*s.DeferredUntil) {
		s.DeferredUntil = &t
	}
}

func (r *Runner) category(ctx context.Context, cat category.Category, steps []journal.Step) error {
	if len(steps) == 0 {
		return nil
	}
	if cat == category.ListMembers {
		return r.listMembers(ctx, steps)
	}
	workers := r.Concurrency
	if cat == category.Lists {
		workers = 1 // creating lists is not idempotent; one at a time
	}
	var done int
	var mu sync.Mutex
	tick := func() {
		mu.Lock()
		done++
		if r.Progress != nil {
			r.Progress(cat, done, len(steps))
		}
		mu.Unlock()
	}
	if err := pool(ctx, workers, steps, func(ctx context.Context, s journal.Step) error {
		defer tick()
		return r.step(ctx, s, func(ctx context.Context) (journal.Record, error) { return r.send(ctx, s) })
	}); err != nil {
		return err
	}
	return r.readBack(ctx, cat)
}

// pool runs do on each item with up to workers at a time. A cancelled
// ctx or a failed item stops handing out items, and every wait ends at
// once; a write already sent is let finish by the client, so its answer
// is journaled.
func pool[T any](ctx context.Context, workers int, items []T, do func(context.Context, T) error) error {
	var g errgroup.Group
	g.SetLimit(max(workers, 1))
	var failed atomic.Bool
	for _, it := range items {
		if ctx.Err() != nil || failed.Load() {
			break
		}
		g.Go(func() error {
			if ctx.Err() != nil || failed.Load() {
				return nil // stopped while this one waited for a turn
			}
			if err := do(ctx, it); err != nil {
				failed.Store(true)
				return err
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}

// step journals "started", sends, and journals the outcome.
func (r *Runner) step(ctx context.Context, s journal.Step, send func(context.Context) (journal.Record, error)) error {
	if why, ok := r.unsupportedFor(s.Category); ok {
		return r.outcome(s, journal.Record{Status: journal.StatusSkipped, Reason: why})
	}
	started := false
	for {
		if spendsDailyFollows(s.Op) {
			if until := r.followLimit(); until != nil {
				if !r.Wait {
					return r.outcome(s, journal.Record{Status: journal.StatusDeferred, Until: until, Reason: "Mastodon's daily follow limit"})
				}
				// Every follow waits for the reset, not only the one that met it.
				if err := r.Clock.Sleep(ctx, until.Sub(r.Clock.Now())+time.Second); err != nil {
					return err
				}
				continue
			}
		}
		if !started {
			if err := r.Journal.Record(journal.Record{ID: s.ID, Category: s.Category, Status: journal.StatusStarted}); err != nil {
				return err
			}
			started = true
		}
		rec, err := send(ctx)
		if ctx.Err() != nil && errors.Is(err, context.Canceled) {
			// Stopped before an answer: "started" stays, and the next run
			// checks the target before sending again.
			return err
		}
		if err == nil {
			if rec.Status == "" {
				rec.Status = journal.StatusDone
			}
			return r.outcome(s, rec)
		}
		switch out, rule := outcome.Of(outcome.Attempt{Op: s.Op}, err); out {
		case outcome.Defer:
			var rl *api.RateLimitError
			errors.As(err, &rl)
			r.limitFollows(rl)
			continue // deferred or waited for at the top
		case outcome.Abort:
			return outcome.Aborted(rule, err)
		}
		return r.outcome(s, outcome.Classify(s, err, r.Journal.Earlier(s.ID)))
	}
}

// limitFollows notes that the daily follow limit is reached until the
// reset rl gives, and announces a wait once per reset.
func (r *Runner) limitFollows(rl *api.RateLimitError) {
	until := rl.Rate.Reset
	r.mu.Lock()
	announce := r.followUntil == nil || !r.followUntil.Equal(until)
	if r.followUntil == nil || until.After(*r.followUntil) {
		r.followUntil = &until
	}
	r.limitHit = rl.Rate.Limit
	r.mu.Unlock()
	if announce && r.Wait && r.Waiting != nil {
		r.Waiting(until)
	}
}

func (r *Runner) unsupportedFor(cat category.Category) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	why, ok := r.unsupported[cat]
	return why, ok
}

func (r *Runner) followLimit() *time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.followUntil != nil && r.followUntil.After(r.Clock.Now()) {
		t := *r.followUntil
		return &t
	}
	return nil
}

// outcome journals a step's outcome and counts it.
func (r *Runner) outcome(s journal.Step, rec journal.Record) error {
	rec.ID, rec.Category = s.ID, s.Category
	if rec.Status != journal.StatusDone || rec.Pending {
		step := s
		rec.Step = &step
	}
	if err := r.Journal.Record(rec); err != nil {
		return err
	}
	if rec.Pending && s.AccountID != "" {
		r.mu.Lock()
		r.pendingIDs[s.AccountID] = s
		r.mu.Unlock()
	}
	return nil
}

// summarize counts a run's summary from the journal's records of it
// (Journal.Since): the steps it sent or found settled, and what it found
// needed no step. The rows come in the replay's order, the posts last.
func summarize(recs []journal.RunRecord) *Summary {
	s := &Summary{}
	s.tally(recs)
	order := func(cat category.Category) int {
		if cat == posts.Category {
			return len(category.Registry)
		}
		return category.Index(cat)
	}
	slices.SortStableFunc(s.Rows, func(a, b *SummaryRow) int { return order(a.Category) - order(b.Category) })
	return s
}

// tally counts recs: a done step is already there when an earlier run
// did it or it found the change made, and a post sent without an answer
// is to retry (looked for, or sent again, next time).
func (s *Summary) tally(recs []journal.RunRecord) {
	for _, rec := range recs {
		if rec.Type == "counts" {
			for _, c := range rec.Counts {
				row := s.row(c.Category)
				row.Already += c.Already
				row.Skipped += c.Skipped
			}
			continue
		}
		if rec.Category == posts.MediaCategory {
			continue // counted with their posts
		}
		row := s.row(rec.Category)
		switch rec.Status {
		case journal.StatusDone:
			if rec.Before || rec.Found {
				row.Already++
				continue
			}
			row.Done++
			if rec.Pending {
				row.Pending++
			}
		case journal.StatusSending:
			row.Retry++
		case journal.StatusWaiting:
			row.Waiting++
		case journal.StatusSkipped:
			row.Skipped++
		case journal.StatusFailed:
			row.Failed++
			if !rec.Before {
				s.serverFailure(rec.Record)
			}
		case journal.StatusRetry:
			row.Retry++
		case journal.StatusDeferred:
			row.Deferred++
			s.noteDeferred(*rec.Until)
		}
	}
}

// send makes one step's request. What it returns describes success (a
// pending follow, say); a refusal comes back as the error.
func (r *Runner) send(ctx context.Context, s journal.Step) (journal.Record, error) {
	c := r.Client
	switch s.Op {
	case journal.OpFollow, journal.OpRefollow:
		o := api.FollowOptions{}
		if s.Follow != nil {
			o = api.FollowOptions{Reblogs: s.Follow.Reblogs, Notify: s.Follow.Notify, Languages: s.Follow.Languages}
		}
		if s.Op == journal.OpRefollow {
			if err := c.Unfollow(ctx, s.AccountID); err != nil {
				return journal.Record{}, err
			}
		}
		rel, err := c.Follow(ctx, s.AccountID, o)
		if err != nil {
			return journal.Record{}, err
		}
		// Both servers answer the relationship read after the follow
		// (app/controllers/api/v1/accounts_controller.rb#follow renders the
		// follow or request saved; GoToSocial's processing/account/follow.go
		// RelationshipGet): its settings are the read-back.
		if drift := followDrift(s.Follow, rel, c.Server(ctx).Capabilities()); len(drift) > 0 {
			return notStuck("followed", drift), nil
		}
		if !rel.Requested {
			return journal.Record{}, nil
		}
		return journal.Record{Pending: true, Reason: pendingReason(s.Item)}, nil
	case journal.OpCreateList:
		return r.createList(ctx, s)
	case journal.OpMute:
		var d time.Duration
		// An export that does not say meant Mastodon's default, which
		// hides them; importcsv writes the same.
		notifications := true
		if s.Mute != nil {
			if s.Mute.Notifications != nil {
				notifications = *s.Mute.Notifications
			}
			if s.Mute.ExpiresAt != nil {
				d = s.Mute.ExpiresAt.Sub(r.Clock.Now())
				if d < time.Second {
					return journal.Record{Reason: "the mute expired while waiting"}, nil
				}
			}
		}
		// The answer is the relationship read after the mute (Mastodon's
		// accounts_controller.rb#mute, GoToSocial's processing/account/
		// mute.go); it has no end, which the mutes' list shows (readBack).
		rel, err := c.Mute(ctx, s.AccountID, notifications, d)
		if err != nil {
			return journal.Record{}, err
		}
		if drift := muteDrift(s.Mute, rel); len(drift) > 0 {
			return notStuck("muted", drift), nil
		}
		if d > 0 {
			r.verifyLater(s)
		}
		return journal.Record{}, nil
	case journal.OpBlock:
		rel, err := c.Block(ctx, s.AccountID)
		if err == nil && !rel.Blocking {
			return notStuck("blocked", []string{"the block"}), nil
		}
		return journal.Record{}, err
	case journal.OpBlockDomain:
		// Sent as Mastodon stores it: it looks the raw value up, so another
		// spelling of a domain it has is refused as taken (a plan written
		// before the diff normalised domains may carry one).
		dom, err := domainname.Normalize(s.Item)
		if err != nil {
			return journal.Record{Status: journal.StatusSkipped, Reason: "not sent: " + err.Error() + " (the server refuses it)"}, nil
		}
		return journal.Record{}, c.BlockDomain(ctx, dom)
	case journal.OpBookmark, journal.OpFavourite:
		st, err := c.FindStatus(ctx, s.Item)
		if err != nil {
			return journal.Record{}, err
		}
		if s.Op == journal.OpBookmark {
			st, err := c.Bookmark(ctx, st.ID)
			if err == nil && !st.Bookmarked {
				return notStuck("bookmarked", []string{"the bookmark"}), nil
			}
			return journal.Record{}, err
		}
		st, err = c.Favourite(ctx, st.ID)
		if err == nil && !st.Favourited {
			return notStuck("liked", []string{"the like"}), nil
		}
		return journal.Record{}, err
	case journal.OpUnfollow:
		return journal.Record{}, c.Unfollow(ctx, s.AccountID)
	case journal.OpUnblock:
		return journal.Record{}, c.Unblock(ctx, s.AccountID)
	case journal.OpUnmute:
		return journal.Record{}, c.Unmute(ctx, s.AccountID)
	case journal.OpUnblockDomain:
		return journal.Record{}, c.UnblockDomain(ctx, s.Item)
	case journal.OpRemoveFromList:
		id, ok := r.listID(s.List)
		if !ok {
			return journal.Record{}, nil
		}
		return journal.Record{}, c.RemoveFromList(ctx, id, s.AccountID)
	case journal.OpFollowTag, journal.OpFeatureTag, journal.OpEndorse, journal.OpNote, journal.OpCreateFilter:
		return r.sendExtra(ctx, s)
	}
	return journal.Record{}, fmt.Errorf("unknown step %q", s.Op)
}

func (r *Runner) listID(title string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.listIDs[title]
	return id, ok
}

// createList makes a list, or sets the settings of one there (a list
// made by an earlier run whose settings did not stick, Options.Redo). It
// cannot make a second one with the same title after a crash: a resumed
// run reads the target's lists before it diffs, the transport never
// retries this request, and a failed one is retried only by a later run,
// which reads them again. The answer is the list as saved (Mastodon's
// lists_controller.rb renders the record after create! or update!;
// GoToSocial's processing/list converts the stored list): its settings
// are the read-back.
func (r *Runner) createList(ctx context.Context, s journal.Step) (journal.Record, error) {
	var policy string
	var exclusive *bool
	if s.ListSettings != nil {
		policy, exclusive = s.ListSettings.RepliesPolicy, s.ListSettings.Exclusive
	}
	id, ok := r.listID(s.List)
	if ok && policy == "" && exclusive == nil {
		return journal.Record{}, nil
	}
	var l *api.List
	var err error
	if ok {
		l, err = r.Client.UpdateList(ctx, id, s.List, policy, exclusive)
	} else {
		l, err = r.Client.CreateList(ctx, s.List, policy, exclusive)
	}
	if err != nil {
		return journal.Record{}, err
	}
	r.mu.Lock()
	r.listIDs[s.List] = l.ID
	r.mu.Unlock()
	if drift := listDrift(s.ListSettings, l); len(drift) > 0 {
		return notStuck("made", drift), nil
	}
	return journal.Record{}, nil
}

// listBatch is how many accounts one add-to-list request carries.
const listBatch = 40

// listMembers adds members list by list, in batches. Mastodon adds a
// batch whole or not at all, so a failed batch is retried one account at
// a time: one bad member must not keep the others out.
func (r *Runner) listMembers(ctx context.Context, steps []journal.Step) error {
	byList := map[string][]journal.Step{}
	var order []string
	var removals []journal.Step
	for _, s := range steps {
		if s.Op == journal.OpRemoveFromList { // overwrite mode: one at a time, as sent
			removals = append(removals, s)
			continue
		}
		if _, ok := byList[s.List]; !ok {
			order = append(order, s.List)
		}
		byList[s.List] = append(byList[s.List], s)
	}
	var batches [][]journal.Step
	for _, title := range order {
		ss := byList[title]
		for i := 0; i < len(ss); i += listBatch {
			batches = append(batches, ss[i:min(i+listBatch, len(ss))])
		}
	}
	for _, s := range removals {
		batches = append(batches, []journal.Step{s})
	}
	done := 0
	var mu sync.Mutex
	return pool(ctx, r.Concurrency, batches, func(ctx context.Context, b []journal.Step) error {
		err := r.batch(ctx, b)
		mu.Lock()
		done += len(b)
		if r.Progress != nil {
			r.Progress(category.ListMembers, done, len(steps))
		}
		mu.Unlock()
		return err
	})
}

func (r *Runner) batch(ctx context.Context, batch []journal.Step) error {
	if s := batch[0]; s.Op == journal.OpRemoveFromList {
		return r.step(ctx, s, func(ctx context.Context) (journal.Record, error) { return r.send(ctx, s) })
	}
	id, ok := r.listID(batch[0].List)
	if !ok {
		for _, s := range batch {
			rec := journal.Record{Status: journal.StatusRetry, Reason: "the list " + s.List + " could not be created"}
			if why, ok := r.unsupportedFor(category.ListMembers); ok {
				rec = journal.Record{Status: journal.StatusSkipped, Reason: why}
			}
			if err := r.outcome(s, rec); err != nil {
				return err
			}
		}
		return nil
	}
	var send []journal.Step
	for _, s := range batch {
		if until := r.followLimit(); until != nil && r.followDeferred(s) {
			if err := r.outcome(s, journal.Record{Status: journal.StatusDeferred, Until: until, Reason: "waits for its follow (Mastodon's daily follow limit)"}); err != nil {
				return err
			}
			continue
		}
		send = append(send, s)
	}
	if len(send) == 0 {
		return nil
	}
	for _, s := range send {
		if err := r.Journal.Record(journal.Record{ID: s.ID, Category: s.Category, Status: journal.StatusStarted}); err != nil {
			return err
		}
	}
	ids := make([]string, len(send))
	for i, s := range send {
		ids[i] = s.AccountID
	}
	err := r.Client.AddToList(ctx, id, ids...)
	if err == nil {
		return r.checkMembers(ctx, id, send)
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return err
	}
	if abort := outcome.Fatal(err); abort != nil {
		return abort
	}
	return r.settle(ctx, id, send)
}

// checkMembers reads the list back after a batch was answered 200 (the
// answer is an empty object on both servers): a member not there did not
// stick, and is added again by the next run.
func (r *Runner) checkMembers(ctx context.Context, listID string, batch []journal.Step) error {
	members := map[string]bool{}
	for a, err := range r.Client.ListAccounts(ctx, listID) {
		if err != nil {
			return r.failBatch(batch, fmt.Errorf("reading the list back: %w", err))
		}
		members[a.ID] = true
	}
	for _, s := range batch {
		rec := journal.Record{Status: journal.StatusDone}
		if !members[s.AccountID] {
			rec = notStuck("added", []string{"not on the list"})
		}
		if err := r.outcome(s, rec); err != nil {
			return err
		}
	}
	return nil
}

// settle finds out, after a refused add, what each member of the batch
// needs: servers add a batch whole or not at all, and their answers name
// one reason in words that differ by server and version (404 or 422 for
// "not followed", 422 for "already there"). The target's state says it
// plainly: who is on the list already, and who is followed or requested.
func (r *Runner) settle(ctx context.Context, listID string, batch []journal.Step) error {
	members := map[string]bool{}
	for a, err := range r.Client.ListAccounts(ctx, listID) {
		if err != nil {
			return r.failBatch(batch, err)
		}
		members[a.ID] = true
	}
	ids := make([]string, len(batch))
	for i, s := range batch {
		ids[i] = s.AccountID
	}
	rels, err := r.Client.Relationships(ctx, ids)
	if err != nil {
		return r.failBatch(batch, err)
	}
	needAccepted := r.Client.Server(ctx).ListNeedsAcceptedFollow()
	for _, s := range batch {
		m := outcome.Member{OnList: members[s.AccountID], NeedAccepted: needAccepted}
		if rel := rels[s.AccountID]; rel != nil {
			m.Known, m.Following, m.Requested = true, rel.Following, rel.Requested
		}
		if m.Known && !m.OnList && !m.Following && !m.Requested {
			// GoToSocial answers "not followed" also for an account it
			// does not have or has suspended (RelationshipGet never looks
			// it up): the account says whether a follow can still come.
			m.Gone = r.gone(ctx, s.AccountID)
		}
		var rec journal.Record
		switch outcome.SettleMember(m) {
		case outcome.Done:
			rec = journal.Record{Status: journal.StatusDone, Reason: "already on the list"}
		case outcome.Waiting:
			rec = journal.Record{Status: journal.StatusWaiting, Reason: waitingReason(s)}
		case outcome.NotFollowed:
			rec = r.notFollowed(s)
		default:
			if err := r.step(ctx, s, func(ctx context.Context) (journal.Record, error) {
				return journal.Record{}, r.Client.AddToList(ctx, listID, s.AccountID)
			}); err != nil {
				return err
			}
			continue
		}
		if err := r.outcome(s, rec); err != nil {
			return err
		}
	}
	return nil
}

// gone says whether the target reads the account as not found or
// suspended. Any other answer leaves the relationship to decide.
func (r *Runner) gone(ctx context.Context, id string) bool {
	a, err := r.Client.Account(ctx, id)
	return errors.Is(err, api.ErrNotFound) || err == nil && a.Suspended
}

// failBatch gives every member the outcome of an error that stopped
// settling them (the run ends on a fatal one).
func (r *Runner) failBatch(batch []journal.Step, err error) error {
	if abort := outcome.Fatal(err); abort != nil {
		return abort
	}
	for _, s := range batch {
		if err := r.outcome(s, outcome.Classify(s, err, r.Journal.Earlier(s.ID))); err != nil {
			return err
		}
	}
	return nil
}

// notFollowed is the outcome of a member its list cannot take because the
// account is not followed: it waits for a follow still to come, and fails
// with the follow's reason when the follow was refused.
func (r *Runner) notFollowed(s journal.Step) journal.Record {
	if rec, ok := r.Journal.Last(journal.FollowID(s.Item)); ok && (rec.Status == journal.StatusFailed || rec.Status == journal.StatusSkipped) {
		return journal.Record{Status: journal.StatusFailed, Reason: "not followed, so not added: " + rec.Reason}
	}
	return journal.Record{Status: journal.StatusRetry, Reason: "not followed yet: the follow comes first, then the next run adds it"}
}

func waitingReason(s journal.Step) string {
	return "waits until " + s.Item + " accepts the follow request (this server lists only accepted follows)"
}

// SettleAccepted journals as plain follows the pending follows of earlier
// runs that the target now shows accepted, so that report and status stop
// listing them. Where a request's settings do not show until it is
// accepted (api.Capabilities.RequestSettings: GoToSocial), they are read
// back now, in batches of relationships: a follow whose settings did not
// stick is kept for a retry and returned, for this run to send again.
func SettleAccepted(ctx context.Context, j *journal.Journal, t *Target, c *api.Client) ([]journal.Step, error) {
	following := map[string]string{} // full handle -> account id
	for id, a := range t.Following {
		following[strings.ToLower(c.FullAcct(a))] = id
	}
	var accepted []journal.Record
	var ids []string
	for _, r := range j.Steps() {
		if r.Status != journal.StatusDone || !r.Pending || r.Step == nil || following[strings.ToLower(r.Step.Item)] == "" {
			continue
		}
		accepted = append(accepted, r)
		ids = append(ids, following[strings.ToLower(r.Step.Item)])
	}
	caps := c.Server(ctx).Capabilities()
	var rels map[string]*api.Relationship
	if len(ids) > 0 && !caps.RequestSettings {
		var err error
		if rels, err = c.Relationships(ctx, ids); err != nil {
			return nil, fmt.Errorf("reading the accepted follows' settings: %w", err)
		}
	}
	var redo []journal.Step
	for i, r := range accepted {
		rec := journal.Record{Status: journal.StatusDone, Reason: "accepted"}
		if rel := rels[ids[i]]; rel != nil {
			if drift := followDrift(r.Step.Follow, rel, caps); len(drift) > 0 {
				s := *r.Step
				s.Op, s.AccountID, s.Note = journal.OpFollow, ids[i], "set the follow's settings again: they did not stick"
				rec = notStuck("followed", drift)
				rec.Step = &s
				redo = append(redo, s)
			}
		}
		rec.ID, rec.Category = r.ID, r.Category
		if err := j.Record(rec); err != nil {
			return nil, err
		}
	}
	return redo, nil
}

// recheckPending reads again the follows this run sent that came back as
// requests: most are accepted within moments (a remote server's Accept,
// GoToSocial answering "requested" for every remote follow), and only
// those still waiting for a person are pending.
func (r *Runner) recheckPending(ctx context.Context) error {
	r.mu.Lock()
	steps := make(map[string]journal.Step, len(r.pendingIDs))
	ids := make([]string, 0, len(r.pendingIDs))
	for id, s := range r.pendingIDs {
		steps[id] = s
		ids = append(ids, id)
	}
	r.mu.Unlock()
	if len(ids) == 0 {
		return nil
	}
	rels, err := r.Client.Relationships(ctx, ids)
	if err != nil {
		return nil // the next run reads them anyway
	}
	caps := r.Client.Server(ctx).Capabilities()
	for id, rel := range rels {
		if !rel.Following || rel.Requested {
			continue
		}
		// Accepted: its settings show now, where a request's did not.
		s := steps[id]
		if drift := followDrift(s.Follow, rel, caps); len(drift) > 0 {
			if err := r.outcome(s, notStuck("followed", drift)); err != nil {
				return err
			}
		} else if err := r.Journal.Record(journal.Record{ID: s.ID, Category: s.Category, Status: journal.StatusDone, Reason: "accepted"}); err != nil {
			return err
		}
		r.mu.Lock()
		delete(r.pendingIDs, id)
		r.mu.Unlock()
	}
	return nil
}

// followDeferred reports whether the step's account has a follow waiting
// for the daily limit, in this run or an earlier one.
func (r *Runner) followDeferred(s journal.Step) bool {
	if r.Target.Following[s.AccountID] != nil || r.Target.Requested[s.AccountID] {
		return false
	}
	rec, ok := r.Journal.Last(journal.FollowID(s.Item))
	return !ok || rec.Status != journal.StatusDone
}
