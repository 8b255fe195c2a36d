package main

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

// progress is a bar on stderr when a person watches it, and silence
// otherwise: a log or a pipe gets no control characters.
type progress struct {
	mu  sync.Mutex
	s   *streams
	bar *progressbar.ProgressBar
	msg string
}

func newProgress(s *streams, msg string) *progress { return &progress{s: s, msg: msg} }

// set moves the bar to done of total; the bar appears on first use.
func (p *progress) set(done, total int) {
	if !p.s.ErrTTY {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar == nil {
		p.bar = progressbar.NewOptions(total, progressbar.OptionSetWriter(p.s.ErrOut),
			progressbar.OptionSetDescription(p.msg), progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true), progressbar.OptionClearOnFinish(),
			progressbar.OptionThrottle(100_000_000))
	}
	p.bar.Set(done)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.Finish()
	}
}

// runProgress shows a bar per category on a terminal, and a plain line
// per category every few seconds and at its end otherwise.
type runProgress struct {
	mu    sync.Mutex
	s     *streams
	cat   string
	bar   *progress
	last  time.Time
	total int
}

func newRunProgress(s *streams) *runProgress { return &runProgress{s: s} }

func (p *runProgress) set(cat string, done, total int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if cat != p.cat {
		if p.bar != nil {
			p.bar.finish()
		}
		p.cat, p.bar, p.total = cat, newProgress(p.s, strings.ReplaceAll(cat, "_", " ")), total
	}
	if p.s.ErrTTY {
		p.bar.set(done, total)
		return
	}
	if done == total || time.Since(p.last) > 5*time.Second {
		p.last = time.Now()
		fmt.Fprintf(p.s.ErrOut, "%s: %d of %d\n", strings.ReplaceAll(cat, "_", " "), done, total)
	}
}

func (p *runProgress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.bar != nil {
		p.bar.finish()
	}
}
