package main

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// checkPostsFlag checks --posts: visibilities, never direct.
func checkPostsFlag(vis []string) error {
	for _, v := range vis {
		if v == "direct" {
			return &flagError{errors.New("`--posts` takes public, unlisted and private: direct messages are never carried (they mention others, which GoToSocial refuses for old posts)")}
		}
		if !slices.Contains(posts.Visibilities, v) {
			return &flagError{fmt.Errorf("`--posts` takes %s, not %q", strings.Join(posts.Visibilities, ", "), v)}
		}
	}
	return nil
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
		eta = ", about " + migrate.HumanDuration(left) + " left"
	}
	fmt.Fprintf(p.f.IO.ErrOut, "posts: %d of %d%s\n", done, total, eta)
}

func (p *postProgress) finish() { p.bar.finish() }
