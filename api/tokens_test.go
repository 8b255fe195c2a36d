package api

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// TestWriteFileAtomicOverOpenFile: a state file is replaced while another
// handle has it open. Windows refuses the rename until that handle
// closes, here at the first wait; elsewhere the rename goes through at
// once.
func TestWriteFileAtomicOverOpenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tokens.json")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	held, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer held.Close()
	var waits []time.Duration
	sleep := func(d time.Duration) {
		waits = append(waits, d)
		held.Close()
	}
	if err := writeFileAtomic(path, []byte("new"), 0o600, sleep); err != nil {
		t.Fatalf("replacing a file held open: %v", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "new" {
		t.Errorf("the file holds %q, want %q", data, "new")
	}
	if runtime.GOOS == "windows" && len(waits) == 0 {
		t.Error("the rename over an open file went through at once; the test no longer shows the retry")
	}
	if runtime.GOOS != "windows" && len(waits) != 0 {
		t.Errorf("waited %v for a rename that works at once here", waits)
	}
	leftovers(t, filepath.Dir(path), "tokens.json")
}

// TestWriteFileAtomicRefused: a rename that cannot succeed fails after a
// bounded number of waits and leaves no temporary file.
func TestWriteFileAtomicRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tokens.json")
	if err := os.MkdirAll(filepath.Join(path, "in-the-way"), 0o700); err != nil {
		t.Fatal(err)
	}
	var waited time.Duration
	err := writeFileAtomic(path, []byte("new"), 0o600, func(d time.Duration) { waited += d })
	if err == nil {
		t.Fatal("replacing a folder with a file succeeded")
	}
	if waited > 3*time.Second {
		t.Errorf("waited %v in all before giving up", waited)
	}
	leftovers(t, dir, "tokens.json")
}

// leftovers fails when dir holds anything but want.
func leftovers(t *testing.T, dir, want string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != want {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}
