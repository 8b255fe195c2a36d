package main

import (
	"io"
	"os"
	"time"

	"golang.org/x/term"
)

// streams is where a command reads and writes, so tests can run commands
// without a terminal: results on Out, progress and messages on ErrOut.
type streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// InTTY and ErrTTY tell whether a person is there to answer prompts
	// and to watch progress bars.
	InTTY  bool
	ErrTTY bool
	Now    func() time.Time
	// Width is the terminal's width for wrapped text; 0 means 80.
	Width int
}

func (s *streams) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *streams) width() int {
	if s.Width > 0 {
		return s.Width
	}
	return 80
}

func systemStreams() *streams {
	return &streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Now:    time.Now,
		Width:  terminalWidth(),
	}
}

// terminalWidth is stdout's width when it is a terminal.
func terminalWidth() int {
	if w, _, err := term.GetSize(int(os.Stdout.Fd())); err == nil && w >= 40 {
		return w - 1
	}
	return 0
}
