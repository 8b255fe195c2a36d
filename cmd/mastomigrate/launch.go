package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// A launch is what one start of the program runs: the command line, or
// the page for a person who double-clicked the program.
type launch struct {
	args []string
	// explorer: started with no command in a console window made for this
	// process alone, as Windows Explorer does for a double-click. The
	// window closes when the program ends, taking what it said with it.
	explorer bool
}

// newLaunch decides what to run. consoleAlone is asked only when there
// are no arguments: a command typed in a terminal runs as typed, and no
// arguments in a terminal still show the help.
func newLaunch(args []string, consoleAlone func() bool) launch {
	if len(args) == 0 && consoleAlone() {
		return launch{args: []string{"ui"}, explorer: true}
	}
	return launch{args: args}
}

// explorerNote is said in the console window Explorer opened, before
// the page starts: the window looks like something to close, and closing
// it stops the page.
const explorerNote = `mastomigrate was opened without a command, so it starts its page in your
browser. Keep this window open while you use the page: closing it stops
the page, and a migration running there pauses (start mastomigrate
again to continue it).

`

// run runs the launch's command and returns its exit code.
func (l launch) run(ctx context.Context, f *factory) int {
	if l.explorer {
		fmt.Fprint(f.IO.ErrOut, explorerNote)
	}
	return run(ctx, l.args, f)
}

// end keeps Explorer's window open, whatever ended the program, until
// the person has read what it said.
func (l launch) end(s *streams) {
	if l.explorer {
		pressEnterToClose(s.In, s.ErrOut)
	}
}

// pressEnterToClose waits for a line on in; a closed in (EOF, or the
// window going away) ends the wait too.
func pressEnterToClose(in io.Reader, w io.Writer) {
	fmt.Fprint(w, "\nPress Enter to close this window.")
	_, _ = bufio.NewReader(in).ReadString('\n')
}
