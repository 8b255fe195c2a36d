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
}

func systemStreams() *streams {
	return &streams{
		In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		InTTY:  term.IsTerminal(int(os.Stdin.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
		Now:    time.Now,
	}
}
