package main

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// openPty opens a pseudo-terminal of the given width and returns its
// terminal side.
func openPty(t *testing.T, cols uint16) *os.File {
	t.Helper()
	ptmx, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { ptmx.Close() })
	if err := unix.IoctlSetPointerInt(int(ptmx.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(ptmx.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	pts, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pts.Close() })
	if err := unix.IoctlSetWinsize(int(pts.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Col: cols, Row: 24}); err != nil {
		t.Fatal(err)
	}
	return pts
}

// TestFileStreamsTerminal: on a terminal, prompts and bars are on and
// text wraps to its width (one column spare); a terminal too narrow to be
// believed keeps the default.
func TestFileStreamsTerminal(t *testing.T) {
	for _, tt := range []struct {
		cols      uint16
		wantWidth int
	}{{120, 119}, {40, 39}, {39, 0}} {
		pts := openPty(t, tt.cols)
		s := fileStreams(pts, pts, pts)
		if !s.InTTY || !s.ErrTTY || s.Width != tt.wantWidth {
			t.Errorf("%d columns: in tty %v, err tty %v, width %d; want ttys and width %d", tt.cols, s.InTTY, s.ErrTTY, s.Width, tt.wantWidth)
		}
	}
}
