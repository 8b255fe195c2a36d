package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
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
		!strings.Contains(errOut.String(), "`--include` takes likes, profile, posts, not \"toots\"") {
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

// Every key of plan --json, and every code and "what", is in the README.
func TestPlanJSONKeysDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	f, out, errOut := testStreams()
	if code := run(context.Background(), []string{"plan", "--json", sampleDir + "mastodon-archive.zip", sampleDir + "csv"}, f); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var v any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		t.Fatal(err)
	}
	keys := map[string]bool{"target": true, "examples": true}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				keys[k] = true
				if k == "what" || k == "code" {
					keys[x.(string)] = true
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(v)
	for _, code := range []string{"follow_cap", "follow_daily_limit", "importer_limit", "account_without_domain"} {
		keys[code] = true
	}
	for k := range keys {
		if !bytes.Contains(readme, []byte("`"+k+"`")) {
			t.Errorf("README.md does not document `%s` of plan --json", k)
		}
	}
	m := v.(map[string]any)
	for _, k := range []string{"warnings", "not_in_exports", "ignored", "include"} {
		if _, ok := m[k].([]any); !ok {
			t.Errorf("%s is %v, want an array", k, m[k])
		}
	}
}

// plan ~/Downloads/export/ with the archive's zip, csv.zip and a stray file.
func TestPlanDownloadsFolder(t *testing.T) {
	dir := t.TempDir()
	for from, to := range map[string]string{"mastodon-archive.zip": "archive-20261101.zip", "csv.zip": "csv.zip"} {
		b, err := os.ReadFile(sampleDir + from)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(dir+"/"+to, b, 0o644)
	}
	os.WriteFile(dir+"/notes.txt", []byte("todo\n"), 0o644)
	f, out, errOut := testStreams()
	if code := run(context.Background(), []string{"plan", dir}, f); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	one := strings.Join(strings.Fields(out.String()), " ")
	for _, want := range []string{"Ignored (not exports): " + filepath.ToSlash(dir) + "/notes.txt", "follows 8 with", "toots (8:"} {
		if !strings.Contains(one, want) {
			t.Errorf("plan lacks %q:\n%s", want, out)
		}
	}
}
