package archive

import (
	"io"
	"sync"
)

// readAhead reads its source on a goroutine of its own, a few buffers
// ahead of its reader, so that inflating an entry overlaps parsing it.
// Memory is bounded by the buffers: n × size bytes. The source's error is
// returned after all the data read before it.
type readAhead struct {
	src  io.Reader
	full chan []byte // read, in order; closed after the last
	free chan []byte // ready to be filled
	quit chan struct{}
	done chan struct{}
	err  error // the source's error; set before full is closed

	cur, buf []byte // what Read has not handed out yet, and its buffer
	stop     sync.Once
}

func newReadAhead(src io.Reader, n, size int) *readAhead {
	ra := &readAhead{
		src:  src,
		full: make(chan []byte, n),
		free: make(chan []byte, n),
		quit: make(chan struct{}),
		done: make(chan struct{}),
	}
	for range n {
		ra.free <- make([]byte, size)
	}
	go ra.fill()
	return ra
}

func (ra *readAhead) fill() {
	defer close(ra.done)
	defer close(ra.full)
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.quit:
			return
		}
		n, err := 0, error(nil)
		for n < len(buf) && err == nil {
			var m int
			m, err = ra.src.Read(buf[n:])
			n += m
		}
		if n > 0 {
			ra.full <- buf[:n] // never blocks: full holds every buffer
		}
		if err != nil {
			ra.err = err
			return
		}
	}
}

func (ra *readAhead) Read(p []byte) (int, error) {
	for len(ra.cur) == 0 {
		if ra.buf != nil {
			ra.free <- ra.buf[:cap(ra.buf)]
			ra.buf = nil
		}
		b, ok := <-ra.full
		if !ok {
			return 0, ra.err
		}
		ra.cur, ra.buf = b, b
	}
	n := copy(p, ra.cur)
	ra.cur = ra.cur[n:]
	return n, nil
}

// Close stops the goroutine and waits for it, so that the source is no
// longer read when Close returns.
func (ra *readAhead) Close() error {
	ra.stop.Do(func() { close(ra.quit) })
	<-ra.done
	return nil
}

// readAheadCloser is a readAhead over an entry that must be closed after
// the goroutine has stopped reading it.
type readAheadCloser struct {
	*readAhead
	c io.Closer
}

func (r readAheadCloser) Close() error {
	r.readAhead.Close()
	return r.c.Close()
}
