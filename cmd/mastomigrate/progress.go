package main

import (
	"sync"

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
