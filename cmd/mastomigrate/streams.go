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

func systemStreams() *streams { return fileStreams(os.Stdin, os.Stdout, os.Stderr) }

// fileStreams asks of each file whether it is a terminal, through x/term,
// which answers for Windows consoles as for Unix ttys. A Windows console
// that cannot take the escape sequences of the progress lines counts as
// none for them (plain lines then, as in a log).
func fileStreams(in, out, errOut *os.File) *streams {
	return &streams{
		In: in, Out: out, ErrOut: errOut,
		InTTY:  term.IsTerminal(int(in.Fd())),
		ErrTTY: term.IsTerminal(int(errOut.Fd())) && enableEscapes(errOut),
		Now:    time.Now,
		Width:  terminalWidth(out),
	}
}

// terminalWidth is out's width when it is a terminal.
func terminalWidth(out *os.File) int {
	if w, _, err := term.GetSize(int(out.Fd())); err == nil && w >= 40 {
		return w - 1
	}
	return 0
}
