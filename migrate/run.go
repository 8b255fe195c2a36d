package migrate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
)

// Runner carries steps out on the target and journals every outcome.
type Runner struct {
	Client      *api.Client
	Journal     *Journal
	Target      *Target
	Concurrency int
	Clock       api.Clock
	// Wait, when the daily follow limit is reached, waits for it to reset
	// (calling Waiting with the time) instead of deferring the follows.
	Wait    bool
	Waiting func(until time.Time)
	// Progress is told each category's progress as steps finish.
	Progress func(category string, done, total int)
	// Profile, when set, is sent after likes (opt-in).
	Profile *ProfileUpdate

	mu          sync.Mutex
	followUntil *time.Time // the daily follow limit is reached until then
	listIDs     map[string]string
	summary     *Summary
	// unsupported says, by category, why this server cannot do it.
	unsupported map[string]string
}

// Summary counts outcomes per category.
type Summary struct {
	Rows []*SummaryRow `json:"categories"`
	// DeferredUntil is when deferred follows may go on.
	DeferredUntil *time.Time `json:"deferred_until,omitempty"`
	// FollowLimit is the daily follow limit the server reported, if hit.
	FollowLimit int `json:"follow_limit,omitempty"`
}

// SummaryRow is one category's outcomes in this run.
type SummaryRow struct {
	Category string `json:"category"`
	Done     int    `json:"done"`
	Already  int    `json:"already_there"`
	Skipped  int    `json:"skipped"`
	Failed   int    `json:"failed"`
	Retry    int    `json:"retry"`
	Deferred int    `json:"deferred"`
}

func (s *Summary) row(cat string) *SummaryRow {
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
// left "started" by a crash is marked done when the target shows it
// (the diff left it out); otherwise it is sent again, which is safe:
// follow, block, mute, domain block and bookmark are idempotent on
// Mastodon, and "already on the list" counts as done.
func Pending(ch *Changes, j *Journal, now time.Time, wait bool) ([]Step, []Record, error) {
	inPlan := map[string]bool{}
	for _, s := range ch.Steps {
		inPlan[s.ID] = true
	}
	for _, r := range j.Steps() {
		if r.Status == StatusStarted && !inPlan[r.ID] {
			if err := j.Record(Record{ID: r.ID, Category: r.Category, Status: StatusDone, Reason: "found on the target after an interruption"}); err != nil {
				return nil, nil, err
			}
		}
	}
	var todo []Step
	var deferred []Record
	for _, s := range ch.Steps {
		r, ok := j.Last(s.ID)
		if !ok {
			todo = append(todo, s)
			continue
		}
		switch r.Status {
		case StatusDone, StatusSkipped, StatusFailed:
		case StatusDeferred:
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
// journaled, the rest stays for the next run).
func (r *Runner) Run(ctx context.Context, ch *Changes, steps []Step, deferred []Record) (*Summary, error) {
	r.summary = &Summary{}
	r.listIDs = map[string]string{}
	r.unsupported = map[string]string{}
	for title, l := range r.Target.Lists {
		r.listIDs[title] = l.List.ID
	}
	for _, c := range ch.Categories {
		r.summary.row(c.Name).Already = c.Already
	}
	for _, d := range deferred {
		r.summary.row(d.Category).Deferred++
		r.noteDeferred(*d.Until)
	}
	byCat := map[string][]Step{}
	for _, s := range steps {
		byCat[s.Category] = append(byCat[s.Category], s)
	}
	for _, cat := range Categories {
		if err := r.category(ctx, cat, byCat[cat]); err != nil {
			return r.summary, err
		}
		if ctx.Err() != nil {
			return r.summary, ctx.Err()
		}
		if cat == "likes" && r.Profile != nil {
			if err := r.profile(ctx); err != nil {
				return r.summary, err
			}
		}
	}
	return r.summary, nil
}

func (r *Runner) noteDeferred(t time.Time) {
	if r.summary.DeferredUntil == nil || t.After(*r.summary.DeferredUntil) {
		r.summary.DeferredUntil = &t
	}
}

// errAbort stops the run: the token no longer works.
type errAbort struct{ err error }

func (e errAbort) Error() string { return e.err.Error() }
func (e errAbort) Unwrap() error { return e.err }

func (r *Runner) category(ctx context.Context, cat string, steps []Step) error {
	if len(steps) == 0 {
		return nil
	}
	if cat == "list_members" {
		return r.listMembers(ctx, steps)
	}
	workers := r.Concurrency
	if cat == "lists" {
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
	return pool(ctx, workers, steps, func(ctx context.Context, s Step) error {
		defer tick()
		return r.step(ctx, s, func(ctx context.Context) error { return r.send(ctx, s) })
	})
}

// pool runs do on each item with workers goroutines. A cancelled ctx
// stops handing out items; do itself gets a context that is not
// cancelled, so a request in flight finishes and its answer is journaled.
func pool[T any](ctx context.Context, workers int, items []T, do func(context.Context, T) error) error {
	jobs := make(chan T)
	errs := make(chan error, max(workers, 1))
	var wg sync.WaitGroup
	inflight := context.WithoutCancel(ctx)
	for i := 0; i < max(workers, 1); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range jobs {
				if err := do(inflight, s); err != nil {
					select {
					case errs <- err:
					default:
					}
					return
				}
			}
		}()
	}
feed:
	for _, s := range items {
		select {
		case jobs <- s:
		case <-ctx.Done():
			break feed
		case err := <-errs:
			close(jobs)
			wg.Wait()
			return err
		}
	}
	close(jobs)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}

// step journals "started", sends, and journals the outcome.
func (r *Runner) step(ctx context.Context, s Step, send func(context.Context) error) error {
	if why, ok := r.unsupportedFor(s.Category); ok {
		return r.outcome(s, Record{Status: StatusSkipped, Reason: why})
	}
	started := false
	for {
		if s.Op == OpFollow {
			if until := r.followLimit(); until != nil {
				if !r.Wait {
					return r.outcome(s, Record{Status: StatusDeferred, Until: until, Reason: "Mastodon's daily follow limit"})
				}
				// Every follow waits for the reset, not only the one that met it.
				if err := r.Clock.Sleep(ctx, until.Sub(r.Clock.Now())+time.Second); err != nil {
					return err
				}
				continue
			}
		}
		if !started {
			if err := r.Journal.Record(Record{ID: s.ID, Category: s.Category, Status: StatusStarted}); err != nil {
				return err
			}
			started = true
		}
		err := send(ctx)
		var rl *api.RateLimitError
		if errors.As(err, &rl) && !rl.Daily {
			// The pacer normally prevents this; wait for the window.
			if werr := r.Clock.Sleep(ctx, rl.Rate.Reset.Sub(r.Clock.Now())+time.Second); werr != nil {
				return werr
			}
			continue
		}
		if errors.As(err, &rl) && rl.Daily && s.Op == OpFollow {
			r.limitFollows(rl)
			continue // deferred or waited for at the top
		}
		if errors.Is(err, api.ErrUnauthorized) {
			return errAbort{fmt.Errorf("the instance no longer accepts the token: %w", err)}
		}
		if categoryWide[s.Op] && missing(err) {
			why := fmt.Sprintf("this server does not support %s through the API (%v)", strings.ReplaceAll(s.Category, "_", " "), err)
			r.mu.Lock()
			r.unsupported[s.Category] = why
			if s.Op == OpCreateList {
				r.unsupported["list_members"] = why
			}
			r.mu.Unlock()
			return r.outcome(s, Record{Status: StatusSkipped, Reason: why})
		}
		return r.outcome(s, classify(s, err))
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
	r.summary.FollowLimit = rl.Rate.Limit
	r.mu.Unlock()
	if announce && r.Wait && r.Waiting != nil {
		r.Waiting(until)
	}
}

// categoryWide are the steps whose endpoint serves a whole category, so
// that a missing endpoint means the category cannot be done here (a 404 on
// an account's follow could be that account).
var categoryWide = map[Op]bool{OpCreateList: true, OpAddToList: true, OpBlockDomain: true, OpUnblockDomain: true,
	OpBookmark: true, OpFavourite: true, OpRemoveFromList: true, "update_profile": true}

func (r *Runner) unsupportedFor(cat string) (string, bool) {
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

// classify turns an answer into the step's outcome; step has already
// dealt with rate limits.
func classify(s Step, err error) Record {
	var ae *api.Error
	switch {
	case err == nil:
		return Record{Status: StatusDone}
	case s.Op == OpAddToList && errors.As(err, &ae) && ae.Status == 422 && strings.Contains(ae.Message, "taken"):
		return Record{Status: StatusDone, Reason: "already on the list"}
	case s.Op == OpAddToList && errors.As(err, &ae) && ae.Status == 422 && strings.Contains(ae.Message, "followed"):
		// A follow request not yet accepted: servers before Mastodon 4.2
		// list only accepted follows. The next run tries again.
		return Record{Status: StatusRetry, Reason: "waits until the follow request is accepted"}
	case errors.As(err, &ae) && ae.Status >= 400 && ae.Status < 500 && ae.Status != 408:
		return Record{Status: StatusFailed, Reason: reasonOf(ae)}
	}
	return Record{Status: StatusRetry, Reason: "temporary: " + err.Error()}
}

func reasonOf(ae *api.Error) string {
	switch {
	case ae.Status == 404:
		return "not found on the new instance (deleted, or suspended)"
	case ae.Status == 403 && ae.Message == "This action is not allowed":
		return "refused by the new instance: the account moved, blocks you, or its domain is blocked"
	case ae.Message != "":
		return fmt.Sprintf("refused by the new instance (%d): %s", ae.Status, ae.Message)
	}
	return fmt.Sprintf("refused by the new instance (%d)", ae.Status)
}

// outcome journals a step's outcome and counts it.
func (r *Runner) outcome(s Step, rec Record) error {
	rec.ID, rec.Category = s.ID, s.Category
	if rec.Status != StatusDone {
		step := s
		rec.Step = &step
	}
	if err := r.Journal.Record(rec); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	row := r.summary.row(s.Category)
	switch rec.Status {
	case StatusDone:
		row.Done++
	case StatusSkipped:
		row.Skipped++
	case StatusFailed:
		row.Failed++
	case StatusRetry:
		row.Retry++
	case StatusDeferred:
		row.Deferred++
		r.noteDeferred(*rec.Until)
	}
	return nil
}

// send makes one step's request.
func (r *Runner) send(ctx context.Context, s Step) error {
	c := r.Client
	switch s.Op {
	case OpFollow:
		o := api.FollowOptions{}
		if s.Follow != nil {
			o = api.FollowOptions{Reblogs: s.Follow.Reblogs, Notify: s.Follow.Notify, Languages: s.Follow.Languages}
		}
		_, err := c.Follow(ctx, s.AccountID, o)
		return err
	case OpCreateList:
		return r.createList(ctx, s)
	case OpMute:
		var d time.Duration
		var notifications *bool
		if s.Mute != nil {
			notifications = s.Mute.Notifications
			if s.Mute.ExpiresAt != nil {
				d = s.Mute.ExpiresAt.Sub(r.Clock.Now())
				if d < time.Second {
					return nil // expired while waiting: nothing to do
				}
			}
		}
		_, err := c.Mute(ctx, s.AccountID, notifications, d)
		return err
	case OpBlock:
		return c.Block(ctx, s.AccountID)
	case OpBlockDomain:
		return c.BlockDomain(ctx, s.Item)
	case OpBookmark, OpFavourite:
		st, err := c.FindStatus(ctx, s.Item)
		if err != nil {
			if errors.Is(err, api.ErrNotFound) {
				return &api.Error{Status: 404, Message: "post not found (deleted, or its server did not answer)"}
			}
			return err
		}
		if s.Op == OpBookmark {
			return c.Bookmark(ctx, st.ID)
		}
		return c.Favourite(ctx, st.ID)
	case OpUnfollow:
		return c.Unfollow(ctx, s.AccountID)
	case OpUnblock:
		return c.Unblock(ctx, s.AccountID)
	case OpUnmute:
		return c.Unmute(ctx, s.AccountID)
	case OpUnblockDomain:
		return c.UnblockDomain(ctx, s.Item)
	case OpRemoveFromList:
		id, ok := r.listID(s.List)
		if !ok {
			return nil
		}
		return c.RemoveFromList(ctx, id, s.AccountID)
	case OpFollowTag, OpFeatureTag, OpEndorse, OpNote, OpCreateFilter:
		return r.sendExtra(ctx, s)
	}
	return fmt.Errorf("unknown step %q", s.Op)
}

func (r *Runner) listID(title string) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	id, ok := r.listIDs[title]
	return id, ok
}

// createList makes a list. It cannot make a second one with the same
// title after a crash: a resumed run reads the target's lists before it
// diffs, the transport never retries this request, and a failed one is
// retried only by a later run, which reads them again.
func (r *Runner) createList(ctx context.Context, s Step) error {
	if _, ok := r.listID(s.List); ok {
		return nil
	}
	var policy string
	var exclusive *bool
	if s.ListSettings != nil {
		policy, exclusive = s.ListSettings.RepliesPolicy, s.ListSettings.Exclusive
	}
	l, err := r.Client.CreateList(ctx, s.List, policy, exclusive)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.listIDs[s.List] = l.ID
	r.mu.Unlock()
	return nil
}

// listBatch is how many accounts one add-to-list request carries.
const listBatch = 40

// listMembers adds members list by list, in batches. Mastodon adds a
// batch whole or not at all, so a failed batch is retried one account at
// a time: one bad member must not keep the others out.
func (r *Runner) listMembers(ctx context.Context, steps []Step) error {
	byList := map[string][]Step{}
	var order []string
	for _, s := range steps {
		if _, ok := byList[s.List]; !ok {
			order = append(order, s.List)
		}
		byList[s.List] = append(byList[s.List], s)
	}
	var batches [][]Step
	for _, title := range order {
		ss := byList[title]
		for i := 0; i < len(ss); i += listBatch {
			batches = append(batches, ss[i:min(i+listBatch, len(ss))])
		}
	}
	done := 0
	var mu sync.Mutex
	return pool(ctx, r.Concurrency, batches, func(ctx context.Context, b []Step) error {
		err := r.batch(ctx, b)
		mu.Lock()
		done += len(b)
		if r.Progress != nil {
			r.Progress("list_members", done, len(steps))
		}
		mu.Unlock()
		return err
	})
}

func (r *Runner) batch(ctx context.Context, batch []Step) error {
	id, ok := r.listID(batch[0].List)
	if !ok {
		for _, s := range batch {
			rec := Record{Status: StatusRetry, Reason: "the list " + s.List + " could not be created"}
			if why, ok := r.unsupportedFor("list_members"); ok {
				rec = Record{Status: StatusSkipped, Reason: why}
			}
			if err := r.outcome(s, rec); err != nil {
				return err
			}
		}
		return nil
	}
	var send []Step
	for _, s := range batch {
		if until := r.followLimit(); until != nil && r.followDeferred(s) {
			if err := r.outcome(s, Record{Status: StatusDeferred, Until: until, Reason: "waits for its follow (Mastodon's daily follow limit)"}); err != nil {
				return err
			}
			continue
		}
		send = append(send, s)
	}
	if len(send) == 0 {
		return nil
	}
	if len(send) > 1 {
		for _, s := range send {
			if err := r.Journal.Record(Record{ID: s.ID, Category: s.Category, Status: StatusStarted}); err != nil {
				return err
			}
		}
		ids := make([]string, len(send))
		for i, s := range send {
			ids[i] = s.AccountID
		}
		err := r.Client.AddToList(ctx, id, ids...)
		if err == nil {
			for _, s := range send {
				if err := r.outcome(s, Record{Status: StatusDone}); err != nil {
					return err
				}
			}
			return nil
		}
		if errors.Is(err, api.ErrUnauthorized) {
			return errAbort{err}
		}
	}
	for _, s := range send {
		s := s
		if err := r.step(ctx, s, func(ctx context.Context) error { return r.Client.AddToList(ctx, id, s.AccountID) }); err != nil {
			return err
		}
	}
	return nil
}

// followDeferred reports whether the step's account has a follow waiting
// for the daily limit, in this run or an earlier one.
func (r *Runner) followDeferred(s Step) bool {
	if r.Target.Following[s.AccountID] != nil || r.Target.Requested[s.AccountID] {
		return false
	}
	rec, ok := r.Journal.Last("follow " + s.Item)
	return !ok || rec.Status != StatusDone
}
