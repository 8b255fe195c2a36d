package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestFileStreamsNotTerminals: piped or redirected, a command prompts for
// nothing and draws no bars, on every system.
func TestFileStreamsNotTerminals(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	log, err := os.Create(filepath.Join(t.TempDir(), "log"))
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	s := fileStreams(r, w, log)
	if s.InTTY || s.ErrTTY || s.Width != 0 || s.width() != 80 {
		t.Errorf("pipes and a file: in tty %v, err tty %v, width %d (%d)", s.InTTY, s.ErrTTY, s.Width, s.width())
	}
}
