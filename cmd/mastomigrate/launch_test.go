package main

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestNewLaunch: only no arguments in a console window of its own (a
// double-click in Windows Explorer) start the page; a terminal's shell
// shares its console, and there everything runs as typed.
func TestNewLaunch(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		alone    bool
		want     launch
		wantAsks int
	}{
		{name: "double-clicked", alone: true, want: launch{args: []string{"ui"}, explorer: true}, wantAsks: 1},
		{name: "no args in a terminal", alone: false, want: launch{}, wantAsks: 1},
		{name: "empty args from Explorer", args: []string{}, alone: true, want: launch{args: []string{"ui"}, explorer: true}, wantAsks: 1},
		{name: "a command in its own console", args: []string{"plan", "export.zip"}, alone: true, want: launch{args: []string{"plan", "export.zip"}}},
		{name: "help in its own console", args: []string{"--help"}, alone: true, want: launch{args: []string{"--help"}}},
		{name: "a command in a terminal", args: []string{"status"}, want: launch{args: []string{"status"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asks := 0
			got := newLaunch(tt.args, func() bool { asks++; return tt.alone })
			if len(got.args) == 0 && len(tt.want.args) == 0 {
				got.args, tt.want.args = nil, nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("newLaunch(%q, alone=%v) = %+v, want %+v", tt.args, tt.alone, got, tt.want)
			}
			if asks != tt.wantAsks {
				t.Errorf("the console was asked %d times, want %d", asks, tt.wantAsks)
			}
		})
	}
}

// TestPressEnterToClose: the wait reads up to the end of the line and no
// further, and a closed input ends it too instead of hanging.
func TestPressEnterToClose(t *testing.T) {
	tests := []struct {
		name, in, wantLeft string
	}{
		{name: "enter", in: "\nnext", wantLeft: "next"},
		{name: "a word, then enter", in: "ok\nnext", wantLeft: "next"},
		{name: "closed input", in: "", wantLeft: ""},
		{name: "closed mid-line", in: "ok", wantLeft: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := strings.NewReader(tt.in)
			var out strings.Builder
			pressEnterToClose(iotest.OneByteReader(in), &out)
			if out.String() != "\nPress Enter to close this window." {
				t.Errorf("said %q", out.String())
			}
			if left := tt.in[len(tt.in)-in.Len():]; left != tt.wantLeft {
				t.Errorf("left %q unread, want %q", left, tt.wantLeft)
			}
		})
	}
}

// TestExplorerLaunch: double-clicked, the program says what is going
// on, opens the page in the browser, and whatever ends it, the window
// waits for Enter; from a terminal, no arguments show the help and
// nothing waits.
func TestExplorerLaunch(t *testing.T) {
	tests := []struct {
		name        string
		alone       bool
		stateErr    error
		wantCode    int
		wantBrowser bool
		wantErr     []string
		wantOut     string
	}{
		{name: "double-clicked", alone: true, wantBrowser: true,
			wantErr: []string{explorerNote, "Opening your browser", "Press Enter to close this window."}},
		{name: "double-clicked, failing", alone: true, stateErr: errors.New("no home folder"), wantCode: exitError,
			wantErr: []string{explorerNote, "mastomigrate: no home folder\n", "Press Enter to close this window."}},
		{name: "no args in a terminal", wantOut: uiHint + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testStreams()
			dir := t.TempDir()
			f.TokensPath = func() (string, error) { return filepath.Join(dir, "tokens.json"), nil }
			f.StateDir = func() (string, error) { return dir, tt.stateErr }
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var opened string
			f.OpenBrowser = func(url string) error {
				opened = url
				cancel() // the person read the page and closed the window
				return nil
			}
			l := newLaunch(nil, func() bool { return tt.alone })
			if code := l.run(ctx, f); code != tt.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.wantCode, errOut)
			}
			f.IO.In = strings.NewReader("\n")
			l.end(f.IO)
			if tt.wantBrowser && (opened == "" || out.String() != opened+"\n") {
				t.Errorf("opened %q in the browser, printed %q", opened, out)
			}
			if !tt.wantBrowser && opened != "" {
				t.Errorf("opened %q in the browser", opened)
			}
			rest := errOut.String()
			for _, want := range tt.wantErr {
				i := strings.Index(rest, want)
				if i < 0 {
					t.Fatalf("stderr lacks %q (in this order) in:\n%s", want, errOut)
				}
				rest = rest[i+len(want):]
			}
			if rest != "" {
				t.Errorf("stderr goes on after the last expected text: %q", rest)
			}
			if tt.wantOut != "" && !strings.HasSuffix(out.String(), tt.wantOut) {
				t.Errorf("stdout does not end with %q:\n%s", tt.wantOut, out)
			}
		})
	}
}

// TestHelpPointsToUI: the root's help, also what no arguments show, ends
// with the page's line; a command's own help does not.
func TestHelpPointsToUI(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{args: nil, want: true},
		{args: []string{"--help"}, want: true},
		{args: []string{"help"}, want: true},
		{args: []string{"plan", "--help"}, want: false},
		{args: []string{"help", "ui"}, want: false},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSpace("mastomigrate "+strings.Join(tt.args, " ")), func(t *testing.T) {
			f, out, _ := testStreams()
			if code := run(context.Background(), tt.args, f); code != exitOK {
				t.Fatalf("exit %d", code)
			}
			if got := strings.HasSuffix(out.String(), "\n"+uiHint+"\n"); got != tt.want {
				t.Errorf("ends with the page's line: %v, want %v:\n%s", got, tt.want, out)
			}
			if n := strings.Count(out.String(), "mastomigrate ui"); tt.want && n != 1 {
				t.Errorf("the page is named %d times, want once:\n%s", n, out)
			}
		})
	}
}
