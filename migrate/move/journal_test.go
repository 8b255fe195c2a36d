package move

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

func TestJournalNextStep(t *testing.T) {
	dir := t.TempDir()
	path := JournalPath(dir, "me@old.example", "me@new.example")
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	m, err := OpenJournal(path, "me@old.example", "me@new.example", now)
	if err != nil {
		t.Fatal(err)
	}
	if m.Next() != StepReady {
		t.Fatalf("fresh journal: next %q", m.Next())
	}
	info := &journal.MoveInfo{OldID: "7", OldURI: "https://old.example/users/me", OldFollowers: 40}
	m.Mark(StepReady, journal.StatusDone, "", info, now)
	m.Mark(StepAlias, journal.StatusStarted, "", nil, now)
	m.Close()

	// A kill here: the next run continues at the alias, with what the
	// first step learned.
	m, err = OpenJournal(path, "me@old.example", "me@new.example", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Next() != StepAlias || m.Info().OldFollowers != 40 || m.Info().OldID != "7" {
		t.Fatalf("after reopening: next %q, info %+v", m.Next(), m.Info())
	}
	for _, s := range []string{StepAlias, StepRequest, StepMoved} {
		m.Mark(s, journal.StatusDone, "", nil, now)
	}
	if m.Next() != "" || !strings.HasPrefix(m.State(), "moved") {
		t.Fatalf("complete: next %q, state %q", m.Next(), m.State())
	}
	if paths, _ := Journals(dir); len(paths) != 1 || paths[0] != path {
		t.Errorf("Journals: %v", paths)
	}
	if paths, _ := journal.List(dir); len(paths) != 0 {
		t.Errorf("a move journal is listed as a migration: %v", paths)
	}
}

func TestCheckMigration(t *testing.T) {
	dir := t.TempDir()
	if c, _ := CheckMigration(dir, "me@new.example"); c.Finished || c.Journals != 0 || !strings.Contains(c.Summary()[0], "no migration") {
		t.Fatalf("no journal: %+v", c)
	}
	j, _ := journal.Open(filepath.Join(dir, "me@new.example-abc.journal"), journal.Header{Account: "me@new.example", Options: journal.RunConfig{To: "me@new.example"}})
	until := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: journal.StatusDeferred, Until: &until})
	j.Record(journal.Record{ID: "follow b@x", Category: "follows", Status: journal.StatusDeferred, Until: &until})
	j.Record(journal.Record{ID: "follow c@x", Category: "follows", Status: journal.StatusDone})
	c, err := CheckMigration(dir, "@Me@new.example")
	if err != nil || c.Finished || c.Journals != 1 || len(c.Waiting) != 2 {
		t.Fatalf("unfinished: %+v, %v", c, err)
	}
	if s := strings.Join(c.Summary(), "\n"); !strings.Contains(s, "2 follows wait for the daily follow limit (until 2026-11-29 00:00 UTC)") {
		t.Errorf("summary: %s", s)
	}
	if other, _ := CheckMigration(dir, "you@new.example"); other.Journals != 0 {
		t.Errorf("another account's journal counted: %+v", other)
	}
	j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: journal.StatusDone})
	j.Record(journal.Record{ID: "follow b@x", Category: "follows", Status: journal.StatusDone})
	j.Finish()
	j.Close()
	if c, _ := CheckMigration(dir, "me@new.example"); !c.Finished {
		t.Errorf("finished: %+v", c)
	}
}

// TestJournalPathValidOnWindows: a move between handles with ports (test
// instances on loopback) is journaled under a name Windows takes; the
// name itself is checked against Windows' rules in statefile's
// TestName.
func TestJournalPathValidOnWindows(t *testing.T) {
	dir := t.TempDir()
	got := JournalPath(dir, "@Me@127.0.0.1:8080", "me@[::1]:3000")
	if want := filepath.Join(dir, "me@[__1]_3000-from-me@127.0.0.1_8080.move"); got != want {
		t.Errorf("%s, want %s", got, want)
	}
}
