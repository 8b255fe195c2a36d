package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

const sampleDir = "../../testdata/sample/"

func TestPlanIncludeFlag(t *testing.T) {
	f, out, errOut := testStreams()
	if code := run(context.Background(), []string{"plan", "--include", "likes,profile", sampleDir + "mastodon-archive.zip"}, f); code != 0 {
		t.Fatalf("plan --include: exit %d: %s", code, errOut)
	}
	if strings.Contains(out.String(), "only with --include") {
		t.Errorf("plan --include likes,profile still says only with --include:\n%s", out)
	}
	f, out, errOut = testStreams()
	if code := run(context.Background(), []string{"plan", "--include", "toots", sampleDir + "csv"}, f); code != exitUsage ||
		!strings.Contains(errOut.String(), "`--include` takes likes, profile, not \"toots\"") {
		t.Errorf("plan --include toots: exit %d, stderr %q", code, errOut)
	}
	// The old flag still works.
	f, out, errOut = testStreams()
	if code := run(context.Background(), []string{"plan", "--include-likes", sampleDir + "mastodon-archive.zip"}, f); code != 0 ||
		!strings.Contains(out.String(), "each like notifies its author") || strings.Contains(out.String(), "only with --include likes") {
		t.Errorf("plan --include-likes: exit %d: %s%s", code, out, errOut)
	}
}

func TestPlanExplainAndWidth(t *testing.T) {
	f, out, errOut := testStreams()
	f.IO.Width = 60
	if code := run(context.Background(), []string{"plan", "--explain", sampleDir + "mastodon-archive.zip", sampleDir + "csv"}, f); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, line := range strings.Split(out.String(), "\n") {
		if len([]rune(line)) > 60 {
			t.Errorf("line over 60 columns: %q", line)
		}
	}
	if !strings.Contains(out.String(), "instead:") {
		t.Errorf("--explain has no instead:\n%s", out)
	}
}

// On a terminal, reading shows which export and how far; piped, nothing.
func TestPlanShowsReadingProgress(t *testing.T) {
	f, _, errOut := testStreams()
	f.IO.ErrTTY = true
	f.IO.Now = func() time.Time { return time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC) }
	if code := run(context.Background(), []string{"plan", sampleDir + "mastodon-archive.tar.gz"}, f); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "Reading mastodon-archive.tar.gz…") || !strings.HasSuffix(errOut.String(), "\r\033[K") {
		t.Errorf("stderr %q", errOut)
	}
	f, _, errOut = testStreams()
	run(context.Background(), []string{"plan", sampleDir + "mastodon-archive.tar.gz"}, f)
	if errOut.Len() != 0 {
		t.Errorf("piped stderr %q, want nothing", errOut)
	}
}
