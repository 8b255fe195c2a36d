package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestStateDir: journals go to XDG_STATE_HOME when set, stay in an
// earlier version's ~/.local/state/mastomigrate when it is there, and
// otherwise go to the system's own place (%LocalAppData% on Windows,
// ~/Library/Application Support on macOS) or ~/.local/state.
func TestStateDir(t *testing.T) {
	withLegacy, fresh := t.TempDir(), t.TempDir()
	legacy := filepath.Join(withLegacy, ".local", "state", "mastomigrate")
	if err := os.MkdirAll(legacy, 0o700); err != nil {
		t.Fatal(err)
	}
	native := filepath.Join(fresh, "AppData", "Local")
	dirOf := func(d string) func() (string, error) { return func() (string, error) { return d, nil } }
	failing := func() (string, error) { return "", errors.New("%LocalAppData% is not defined") }
	for _, tt := range []struct {
		name         string
		xdg          string
		home, native func() (string, error)
		want         string
		wantErr      bool
	}{
		{"XDG_STATE_HOME wins", "/x/state", dirOf(withLegacy), dirOf(native), filepath.Join("/x/state", "mastomigrate"), false},
		{"an earlier version's folder is kept", "", dirOf(withLegacy), dirOf(native), legacy, false},
		{"the system's own place", "", dirOf(fresh), dirOf(native), filepath.Join(native, "mastomigrate"), false},
		{"no place of its own (Linux)", "", dirOf(fresh), nil, filepath.Join(fresh, ".local", "state", "mastomigrate"), false},
		{"no home", "", failing, dirOf(native), "", true},
		{"the system's place unknown", "", dirOf(fresh), failing, "", true},
	} {
		got, err := stateDir(tt.xdg, tt.home, tt.native)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: %q, %v; want %q (error %v)", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
