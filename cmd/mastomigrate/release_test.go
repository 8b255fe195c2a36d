package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"text/template"
)

// startCommand is the script macOS users double-click, in the repository.
const startCommand = "packaging/macos/Start mastomigrate.command"

// archiveFile is one `- src:` entry of .goreleaser.yaml's archives.files:
// its source glob (a goreleaser template) and the keys under it.
type archiveFile struct {
	src  string
	keys map[string]string
}

// srcLine is an archive file entry whose source is single-quoted, as the
// template in ours must be.
var srcLine = regexp.MustCompile(`^(\s*)- src: '((?:[^']|'')*)'\s*$`)

// archiveFiles reads the `- src:` entries of the archives section, with
// no YAML library: enough for the shape .goreleaser.yaml has, and a
// change of that shape fails the test rather than passing it.
func archiveFiles(t *testing.T, yaml string) []archiveFile {
	t.Helper()
	var files []archiveFile
	inArchives := false
	var cur *archiveFile
	indent := 0
	for _, line := range strings.Split(yaml, "\n") {
		if line != "" && line[0] != ' ' && line[0] != '#' {
			inArchives = strings.HasPrefix(line, "archives:")
			cur = nil
			continue
		}
		if !inArchives {
			continue
		}
		if m := srcLine.FindStringSubmatch(line); m != nil {
			files = append(files, archiveFile{src: strings.ReplaceAll(m[2], "''", "'"), keys: map[string]string{}})
			cur, indent = &files[len(files)-1], len(m[1])
			continue
		}
		trimmed := strings.TrimSpace(line)
		if cur == nil || trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if len(line)-len(strings.TrimLeft(line, " ")) <= indent {
			cur = nil
			continue
		}
		if k, v, ok := strings.Cut(trimmed, ":"); ok {
			cur.keys[k] = strings.TrimSpace(v)
		}
	}
	return files
}

// TestReleaseShipsStartCommand: the darwin archives, and only they, get
// the script at their top, executable, beside the binary. goreleaser is
// not installed here (.ci/run runs `goreleaser check` where it is), so
// this reads the config and evaluates its template as goreleaser would
// for each system, against the repository's files.
func TestReleaseShipsStartCommand(t *testing.T) {
	root := filepath.Join("..", "..")
	data, err := os.ReadFile(filepath.Join(root, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var found []archiveFile
	for _, f := range archiveFiles(t, string(data)) {
		if strings.Contains(f.src, ".command") {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf(".goreleaser.yaml has %d archive files naming a .command, want 1", len(found))
	}
	f := found[0]
	if f.keys["strip_parent"] != "true" || f.keys["mode"] != "0755" {
		t.Errorf("the script's entry has %v, want strip_parent: true (at the archive's top) and mode: 0755", f.keys)
	}
	tmpl, err := template.New("src").Parse(f.src)
	if err != nil {
		t.Fatalf("src %q: %v", f.src, err)
	}
	for _, goos := range []string{"darwin", "linux", "windows"} {
		var glob strings.Builder
		if err := tmpl.Execute(&glob, struct{ Os string }{goos}); err != nil {
			t.Fatalf("src %q for %s: %v", f.src, goos, err)
		}
		// goreleaser globs from the repository's top.
		matches, err := filepath.Glob(filepath.Join(root, glob.String()))
		if err != nil {
			t.Fatalf("glob %q for %s: %v", glob.String(), goos, err)
		}
		want := []string{}
		if goos == "darwin" {
			want = []string{filepath.Join(root, filepath.FromSlash(startCommand))}
		}
		if strings.Join(matches, "|") != strings.Join(want, "|") {
			t.Errorf("for %s the glob %q matches %q, want %q", goos, glob.String(), matches, want)
		}
	}

	// A release is built from a clone: the mode that counts is git's.
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git to ask for the script's mode")
	}
	cmd := exec.Command("git", "ls-files", "-s", "--", startCommand)
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("not in a git work tree (%v)", err)
	}
	if !strings.HasPrefix(string(out), "100755 ") {
		t.Errorf("git has %q as %q, want mode 100755 (git update-index --chmod=+x)", startCommand, strings.TrimSpace(string(out)))
	}
}

// TestStartCommandRunsUI runs the script as Terminal does, by its full
// path from the home folder, beside a stand-in binary that prints how it
// was called: it must start `mastomigrate ui` from its own folder, also
// when that folder's name has spaces.
func TestStartCommandRunsUI(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a macOS shell script")
	}
	script, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(startCommand)))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "mastomigrate 1.2 darwin")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, filepath.Base(startCommand))
	stub := "#!/bin/sh\nprintf '%s\\n' \"$0\" \"$@\"\n"
	if err := os.WriteFile(path, script, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mastomigrate"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path)
	cmd.Dir = t.TempDir()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if want := filepath.Join(dir, "mastomigrate") + "\nui\n"; string(out) != want {
		t.Errorf("the script ran %q, want %q", out, want)
	}
}
