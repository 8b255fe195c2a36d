package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's example session from this run")

// echoIn answers a prompt and echoes the answer, as a terminal would.
type echoIn struct {
	answer *strings.Reader
	echo   func([]byte)
}

func (e *echoIn) Read(p []byte) (int, error) {
	n, err := e.answer.Read(p)
	e.echo(p[:n])
	return n, err
}

const (
	sessionStart = "<!-- session: written by `go test ./cmd/mastomigrate -run TestReadmeSession -update-readme`; do not edit -->"
	sessionEnd   = "<!-- end of session -->"
)

// TestReadmeSession runs the README's example session against the fake
// server and checks that the README shows exactly what it printed.
func TestReadmeSession(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	path, err := filepath.Abs("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	session := runSession(t)
	text := string(readme)
	i, j := strings.Index(text, sessionStart), strings.Index(text, sessionEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the session markers %q and %q", sessionStart, sessionEnd)
	}
	block := sessionStart + "\n\n```console\n" + session + "```\n\n"
	if text[i:j] == block {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(text[:i]+block+text[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's example session differs from a real run (rewrite it with -update-readme):\n%s", firstDifference(text[i:j], block))
}

// firstDifference shows the first line where two texts part, with the
// lines before it.
func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for k := 0; k < len(w) || k < len(g); k++ {
		if k >= len(w) || k >= len(g) || w[k] != g[k] {
			from := max(0, k-5)
			var b strings.Builder
			for _, l := range g[from:min(k, len(g))] {
				b.WriteString("  " + l + "\n")
			}
			if k < len(w) {
				b.WriteString("- " + w[k] + "\n")
			}
			if k < len(g) {
				b.WriteString("+ " + g[k] + "\n")
			}
			return b.String()
		}
	}
	return ""
}

func runSession(t *testing.T) string {
	start := time.Date(2026, 11, 27, 7, 40, 0, 0, time.UTC)
	clock := mastotest.NewManualClock(start) // moves only when the client sleeps or the test says
	limits := mastotest.MastodonLimits()
	// 4 follows a day so that the resume shows (Mastodon allows 400), and
	// 50 requests per 5 minutes, so that one request is in flight at a time
	// and the order of the output is the same on every run.
	limits.FollowsPerDay, limits.Requests = 4, 50
	s := mastotest.NewServer(t, mastotest.WithClock(clock), mastotest.WithLimits(limits))
	migratetest.SeedSample(s)

	home := t.TempDir()
	copyTo := func(from, to string) {
		b, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(filepath.Dir(to), 0o755)
		if err := os.WriteFile(to, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	copyTo(sampleDir+"mastodon-archive.zip", filepath.Join(home, "archive.zip"))
	csvs, _ := filepath.Glob(sampleDir + "csv/*.csv")
	for _, c := range csvs {
		copyTo(c, filepath.Join(home, "csv", filepath.Base(c)))
	}

	f, _, _ := testStreams()
	f.Clock = clock
	f.OpenBrowser = browse
	tokens := filepath.Join(home, "config", "tokens.json")
	f.TokensPath = func() (string, error) { return tokens, nil }
	state := filepath.Join(home, "state")
	f.StateDir = func() (string, error) { return state, nil }
	t.Chdir(home)

	var all strings.Builder
	// step runs one command line as a person would type it, and keeps what
	// it printed; the plan, shown in full above the session, is elided.
	step := func(line, in, elided, until string) int {
		var cur lockedBuffer
		f.IO.Out, f.IO.ErrOut = &cur, &cur
		f.IO.In, f.IO.InTTY = strings.NewReader(""), false
		if in != "" {
			f.IO.In, f.IO.InTTY = &echoIn{answer: strings.NewReader(in), echo: func(b []byte) { cur.Write(b) }}, true
		}
		code := run(context.Background(), strings.Fields(line), f)
		out := cur.b.String()
		if a, b := strings.Index(out, "Plan for "), strings.Index(out, until); elided != "" && a >= 0 && b > a {
			out = out[:a] + elided + out[b:]
		}
		fmt.Fprintf(&all, "$ mastomigrate %s\n%s", strings.ReplaceAll(line, s.URL, "new.example"), out)
		return code
	}
	step("login "+s.URL, "", "", "")
	fmt.Fprintln(&all)
	step("plan archive.zip csv --to me@new.example", "", "…(what will and will not be carried over, as without --to)…", "\nOn me@new.example")
	fmt.Fprintln(&all)
	// The plan's lookups run 4 at a time, so the time they take may vary by
	// a few paced seconds; the migration starts at a set time.
	if d := start.Add(7 * time.Minute).Sub(clock.Now()); d > 0 {
		clock.Advance(d)
	} else {
		t.Fatalf("the plan took the clock past %v", clock.Now())
	}
	code := step("migrate archive.zip csv --to me@new.example", "y\n", "…(the same plan, with what is on me@new.example)…", "\nMake ")
	fmt.Fprintf(&all, "$ echo $?\n%d\n\n", code)
	step("status", "", "", "")
	fmt.Fprintln(&all)
	step("report", "", "", "")
	fmt.Fprintln(&all)
	// Sleep through to the next UTC day.
	now := clock.Now()
	clock.Advance(now.Truncate(24 * time.Hour).Add(24*time.Hour + time.Minute).Sub(now))
	fmt.Fprintln(&all, "# the next day (or run the same migrate command again)")
	step("resume --yes", "", "…(the plan, as it stands now)…", "\nSummary")

	out := all.String()
	host := strings.TrimPrefix(s.URL, "http://")
	for _, r := range []struct{ from, to string }{
		{home, "/home/alex"},
		{s.URL, "https://new.example"},
		{host, "new.example"},
	} {
		out = strings.ReplaceAll(out, r.from, r.to)
	}
	out = regexp.MustCompile(`https://new\.example/oauth/authorize\S*`).ReplaceAllString(out, "https://new.example/oauth/authorize?…")
	// Progress lines are for logs; a terminal shows bars, then clears them.
	out = regexp.MustCompile(`(?m)^[a-z ]+: \d+ of \d+\n`).ReplaceAllString(out, "")
	return out
}
