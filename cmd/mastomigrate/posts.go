package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// checkPostsFlag checks --posts: visibilities, never direct.
func checkPostsFlag(vis []string) error {
	for _, v := range vis {
		if v == "direct" {
			return &flagError{errors.New("`--posts` takes public, unlisted and private: direct messages are never carried (they mention others, which GoToSocial refuses for old posts)")}
		}
		if !slices.Contains(migrate.PostVisibilities, v) {
			return &flagError{fmt.Errorf("`--posts` takes %s, not %q", strings.Join(migrate.PostVisibilities, ", "), v)}
		}
	}
	return nil
}

// refusePosts stops a migration with --include posts to a server that
// would publish old posts as new, before anything is sent.
func refusePosts(ctx context.Context, c *api.Client, account string) error {
	if ok, why := migrate.Backdating(c.Server(ctx)); !ok {
		return fmt.Errorf("refusing `--include posts` for %s: %s; nothing was sent (run without `--include posts` to carry the rest)", account, why)
	}
	return nil
}

// postPlan says what --include posts does on the target: always when
// asked for, and on servers that take backdated posts (to offer it).
// Posts need an outbox; without one there is nothing to say.
func postPlan(ctx context.Context, c *api.Client, exports []string, hasOutbox, asked bool, vis []string) (*migrate.PostPlan, error) {
	if !hasOutbox {
		return nil, nil
	}
	srv := c.Server(ctx)
	if ok, _ := migrate.Backdating(srv); !ok && !asked {
		return nil, nil
	}
	pp, err := migrate.PlanPosts(ctx, exports, vis, srv)
	if err != nil {
		return nil, fmt.Errorf("reading the posts: %w", err)
	}
	return pp, nil
}

// postsLeft is how many posts to carry the journal does not settle yet.
func postsLeft(j *migrate.Journal, pp *migrate.PostPlan) int {
	if pp == nil || !pp.Possible {
		return 0
	}
	settled := 0
	for _, r := range j.Steps() {
		if r.Category == migrate.PostsCategory && (r.Status == migrate.StatusDone || r.Status == migrate.StatusFailed || r.Status == migrate.StatusSkipped) {
			settled++
		}
	}
	return max(pp.Carry-settled, 0)
}

// postProgress shows the posts' progress with an estimate of the time
// left, from the injected clock: a bar on a terminal, otherwise a line
// every minute and at the end.
type postProgress struct {
	mu    sync.Mutex
	f     *factory
	bar   *progress
	start time.Time
	first int // posts settled before this run's first
	last  time.Time
}

func newPostProgress(f *factory) *postProgress {
	return &postProgress{f: f, bar: newProgress(f.IO, "posts"), first: -1}
}

func (p *postProgress) set(done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.f.Clock.Now()
	if p.first < 0 {
		p.first, p.start = done-1, now // the first post of this run just settled
	}
	if p.f.IO.ErrTTY {
		p.bar.set(done, total)
		return
	}
	if done != total && now.Sub(p.last) < time.Minute {
		return
	}
	p.last = now
	eta := ""
	if n := done - p.first; n > 0 && done < total {
		left := time.Duration(float64(now.Sub(p.start)) / float64(n) * float64(total-done))
		eta = ", about " + humanDuration(left) + " left"
	}
	fmt.Fprintf(p.f.IO.ErrOut, "posts: %d of %d%s\n", done, total, eta)
}

func (p *postProgress) finish() { p.bar.finish() }

// runPosts carries the posts after the other categories.
func runPosts(ctx context.Context, f *factory, c *api.Client, j *migrate.Journal, me *api.Account, opts *migrateOptions, sum *migrate.Summary) error {
	prog := newPostProgress(f)
	pr := &migrate.PostRunner{Client: c, Journal: j, Me: me, Inputs: opts.Exports, Visibilities: opts.Posts,
		Clock: f.Clock, Progress: prog.set}
	err := pr.Run(ctx, sum)
	prog.finish()
	if errors.Is(err, migrate.ErrBackdatingOff) {
		return fmt.Errorf("posts stopped: %w; ask the instance's admin to allow it, then continue with: %s", err, resumeCommand(j.Header))
	}
	return err
}
