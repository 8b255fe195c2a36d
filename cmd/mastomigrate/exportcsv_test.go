package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// mastodonImport reads a file as Mastodon's importer does
// (app/models/form/import.rb): FILE_SIZE_LIMIT 20 MB; the first row is the
// header when its first cell is one of KNOWN_FIRST_HEADERS, otherwise the
// type's default headers apply; the default headers must all be present
// (incompatible_type); at most ROWS_PROCESSING_LIMIT rows; a following
// file may not take the account past its follow limit; the type guessed
// from headers and file name must be the chosen one (likely_mismatched).
// Cells go through the same converters: booleans cast, "Account address"
// stripped of spaces and a leading @, "#domain" lower-cased, languages
// split. It returns the rows as the importer's attributes.
func mastodonImport(name string, data []byte, typ string, followingCount int) ([]map[string]string, error) {
	expected := map[string][]string{
		"following": {"Account address", "Show boosts", "Notify on new posts", "Languages"}, "blocking": {"Account address"},
		"muting": {"Account address", "Hide notifications"}, "domain_blocking": {"#domain"}, "bookmarks": {"#uri"},
		"lists": {"List name", "Account address"},
	}
	defaults := map[string][]string{"following": {"Account address"}, "blocking": {"Account address"}, "muting": {"Account address"},
		"domain_blocking": {"#domain"}, "bookmarks": {"#uri"}, "lists": {"List name", "Account address"}}
	known := []string{"Account address", "#domain", "#uri", "List name"}
	if len(data) > 20<<20 {
		return nil, errors.New("too_large")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("invalid_csv_file: %w", err)
	}
	var body [][]string
	for _, rec := range records {
		if len(rec) == 1 && rec[0] == "" {
			continue // skip_blanks
		}
		body = append(body, rec)
	}
	if len(body) == 0 {
		return nil, errors.New("empty")
	}
	headers := body[0]
	if slices.Contains(known, headers[0]) {
		body = body[1:]
	} else {
		headers = defaults[typ]
	}
	for _, h := range defaults[typ] {
		if !slices.Contains(headers, h) {
			return nil, errors.New("incompatible_type")
		}
	}
	if len(body) > 20_000 {
		return nil, errors.New("over_rows_processing_limit")
	}
	if typ == "following" && len(body) > 7500-followingCount {
		return nil, errors.New("follow_limit_reached")
	}
	// guessed_type
	guess := ""
	has := func(h string) bool { return slices.Contains(headers, h) }
	starts := func(s string) bool { return strings.HasPrefix(name, s) }
	switch {
	case has("Hide notifications") || starts("mutes") || starts("muted_accounts"):
		guess = "muting"
	case has("Show boosts") || has("Notify on new posts") || has("Languages") || starts("follows") || starts("following_accounts"):
		guess = "following"
	case starts("blocks") || starts("blocked_accounts"):
		guess = "blocking"
	case starts("domain_blocks") || starts("blocked_domains"):
		guess = "domain_blocking"
	case starts("bookmarks"):
		guess = "bookmarks"
	case starts("lists"):
		guess = "lists"
	}
	if guess != "" && guess != typ {
		return nil, fmt.Errorf("likely_mismatched: %s looks like %s", name, guess)
	}
	boolean := regexp.MustCompile(`^(true|false|t|f|1|0|on|off|)$`)
	var rows []map[string]string
	for _, rec := range body {
		row := map[string]string{}
		for i, h := range headers {
			if i >= len(rec) || !slices.Contains(expected[typ], h) {
				continue
			}
			v := rec[i]
			switch h {
			case "Show boosts", "Notify on new posts", "Hide notifications":
				if !boolean.MatchString(strings.ToLower(v)) {
					return nil, fmt.Errorf("%q is not a boolean Mastodon casts as meant", v)
				}
			case "Account address":
				v = strings.TrimPrefix(strings.TrimSpace(v), "@")
				if !strings.Contains(v, "@") {
					return nil, fmt.Errorf("account address %q lacks its domain", v)
				}
			case "#domain":
				v = strings.ToLower(strings.TrimSpace(v))
			case "#uri", "List name":
				v = strings.TrimSpace(v)
			}
			row[h] = v
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// TestExportCSVMastodon writes the fast lane's files for a Mastodon
// target, reads them by the importer's rules, imports part of them into
// the fake (as an interrupted or partly failed import would), and checks
// that the next migrate sends only the rest.
func TestExportCSVMastodon(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.Mastodon45), generous(mastotest.Mastodon45))
	migratetest.SeedSample(s)
	bulk := writeExport(t, s, 60)
	present := s.ID("user7@server7.example")
	s.SeedFollow(present, mastotest.FollowState{Reblogs: true}) // already there: left out
	f, out, errOut := migrateFactory(t, s)
	dir := filepath.Join(t.TempDir(), "import")
	exports := []string{"../../testdata/sample/csv", bulk}
	if code := run(context.Background(), append(append([]string{"export-csv"}, exports...), "--to", s.URL, "--out", dir), f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if n := s.Writes(); n != 0 {
		t.Fatalf("export-csv made %d writes", n)
	}
	t.Logf("export-csv printed:\n%s", out)
	// The printed steps name each file with its import type.
	types := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s+\d+\. (\S+) — type "(.+?)", `).FindAllStringSubmatch(out.String(), -1) {
		types[filepath.Base(m[1])] = m[2]
	}
	byName := map[string]string{"Following list": "following", "Blocking list": "blocking", "Muting list": "muting",
		"Domain blocking list": "domain_blocking", "Bookmarks": "bookmarks", "Lists": "lists"}
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(files) == 0 || len(files) != len(types) {
		t.Fatalf("files %v, steps printed for %v\n%s", files, types, out)
	}
	parsed := map[string][]map[string]string{}
	for _, p := range files {
		data, _ := os.ReadFile(p)
		name := filepath.Base(p)
		typ := byName[types[name]]
		rows, err := mastodonImport(name, data, typ, 1)
		if err != nil {
			t.Fatalf("%s (%s): Mastodon would refuse it: %v\n%s", name, typ, err, data)
		}
		parsed[typ] = rows
	}
	follows := parsed["following"]
	seen := map[string]bool{}
	for _, r := range follows {
		a := r["Account address"]
		if seen[a] {
			t.Errorf("%s twice", a)
		}
		seen[a] = true
	}
	if seen["user7@server7.example"] {
		t.Error("an account already followed is in the file")
	}
	if !seen["max@elsewhere.example"] || seen["max@mastodon.example"] {
		t.Errorf("the moved account is not at its new address: %v", follows)
	}
	if len(parsed["blocking"]) == 0 || len(parsed["muting"]) == 0 || len(parsed["domain_blocking"]) == 0 {
		t.Fatalf("missing kinds: %v", parsed)
	}

	// A partial import: the first half of follows, blocks and mutes, and
	// the first domain block, arrive.
	half := func(rows []map[string]string) []map[string]string { return rows[:len(rows)/2] }
	seeded := map[string]int{}
	for _, r := range half(follows) {
		s.SeedFollow(s.ID(r["Account address"]), mastotest.FollowState{Reblogs: r["Show boosts"] == "true", Notify: r["Notify on new posts"] == "true"})
		seeded["follow"]++
	}
	for _, r := range half(parsed["blocking"]) {
		s.SeedBlock(s.ID(r["Account address"]))
		seeded["block"]++
	}
	for _, r := range half(parsed["muting"]) {
		s.SeedMute(s.ID(r["Account address"]), mastotest.MuteState{Notifications: r["Hide notifications"] == "true"})
		seeded["mute"]++
	}
	s.SeedDomainBlock(parsed["domain_blocking"][0]["#domain"])
	seeded["domain"]++

	f2, _, errOut2 := migrateFactory(t, s)
	f2.StateDir = f.StateDir
	if code := run(context.Background(), append(append([]string{"migrate"}, exports...), "--to", s.URL, "--yes"), f2); code != 0 {
		t.Fatalf("migrate: exit %d\n%s", code, errOut2)
	}
	for route, want := range map[string]int{
		"POST /api/v1/accounts/:id/follow": len(follows) - seeded["follow"],
		"POST /api/v1/accounts/:id/block":  len(parsed["blocking"]) - seeded["block"],
		"POST /api/v1/accounts/:id/mute":   len(parsed["muting"]) - seeded["mute"],
		"POST /api/v1/domain_blocks":       len(parsed["domain_blocking"]) - seeded["domain"],
	} {
		if got := s.Count(route); got != want {
			t.Errorf("%s: %d requests, want %d (only the missing items)", route, got, want)
		}
	}
}

// TestFastLaneOffered: on Mastodon, when the follows would take days by
// API, plan shows both lanes and offers export-csv, migrate says so too
// (with a command that can be copied, paths with spaces quoted), and
// status remembers it.
func TestFastLaneOffered(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.Mastodon45), generous(mastotest.Mastodon45))
	export := filepath.Join(t.TempDir(), "My Downloads")
	if err := os.Rename(writeExport(t, s, 900), export); err != nil {
		t.Fatal(err)
	}
	f, out, errOut := migrateFactory(t, s)
	if code := run(context.Background(), []string{"plan", export, "--to", s.URL}, f); code != 0 {
		t.Fatalf("plan: exit %d\n%s", code, errOut)
	}
	if want := "Time by lane (Mastodon 4.3+): API: 900 follows at 400 a day, about 3 days; web import: minutes"; !strings.Contains(out.String(), want) {
		t.Errorf("plan lacks %q:\n%s", want, out)
	}
	if !strings.Contains(out.String(), "mastomigrate export-csv") {
		t.Errorf("plan does not offer export-csv:\n%s", out)
	}
	f2, _, errOut2 := migrateFactory(t, s)
	f2.StateDir = f.StateDir
	run(context.Background(), []string{"migrate", export, "--to", s.URL, "--yes"}, f2)
	if !strings.Contains(errOut2.String(), "Faster: mastomigrate export-csv '"+export+"' --to ") {
		t.Errorf("migrate does not offer the fast lane:\n%s", errOut2)
	}
	f3, out3, _ := migrateFactory(t, s)
	f3.StateDir = f.StateDir
	run(context.Background(), []string{"status"}, f3)
	if !strings.Contains(out3.String(), "fast lane offered (export-csv; by API about 3 days)") {
		t.Errorf("status does not remember the offer:\n%s", out3)
	}
}
