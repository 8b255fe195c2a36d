package migrate

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/archive"
)

func TestMoveJournalNextStep(t *testing.T) {
	dir := t.TempDir()
	path := MoveJournalPath(dir, "me@old.example", "me@new.example")
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	m, err := OpenMoveJournal(path, "me@old.example", "me@new.example", now)
	if err != nil {
		t.Fatal(err)
	}
	if m.Next() != MoveReady {
		t.Fatalf("fresh journal: next %q", m.Next())
	}
	info := &MoveInfo{OldID: "7", OldURI: "https://old.example/users/me", OldFollowers: 40}
	m.Mark(MoveReady, StatusDone, "", info, now)
	m.Mark(MoveAlias, StatusStarted, "", nil, now)
	m.Close()

	// A kill here: the next run continues at the alias, with what the
	// first step learned.
	m, err = OpenMoveJournal(path, "me@old.example", "me@new.example", now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if m.Next() != MoveAlias || m.Info().OldFollowers != 40 || m.Info().OldID != "7" {
		t.Fatalf("after reopening: next %q, info %+v", m.Next(), m.Info())
	}
	for _, s := range []string{MoveAlias, MoveRequest, MoveMoved} {
		m.Mark(s, StatusDone, "", nil, now)
	}
	if m.Next() != "" || !strings.HasPrefix(m.State(), "moved") {
		t.Fatalf("complete: next %q, state %q", m.Next(), m.State())
	}
	if paths, _ := MoveJournals(dir); len(paths) != 1 || paths[0] != path {
		t.Errorf("MoveJournals: %v", paths)
	}
	if paths, _ := Journals(dir); len(paths) != 0 {
		t.Errorf("a move journal is listed as a migration: %v", paths)
	}
}

func TestCheckMigration(t *testing.T) {
	dir := t.TempDir()
	if c, _ := CheckMigration(dir, "me@new.example"); c.Finished || c.Journals != 0 || !strings.Contains(c.Summary()[0], "no migration") {
		t.Fatalf("no journal: %+v", c)
	}
	j, _ := OpenJournal(filepath.Join(dir, "me@new.example-abc.journal"), Header{Account: "me@new.example", Options: RunConfig{To: "me@new.example"}})
	until := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	j.Record(Record{ID: "follow a@x", Category: "follows", Status: StatusDeferred, Until: &until})
	j.Record(Record{ID: "follow b@x", Category: "follows", Status: StatusDeferred, Until: &until})
	j.Record(Record{ID: "follow c@x", Category: "follows", Status: StatusDone})
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
	j.Record(Record{ID: "follow a@x", Category: "follows", Status: StatusDone})
	j.Record(Record{ID: "follow b@x", Category: "follows", Status: StatusDone})
	j.Finish()
	j.Close()
	if c, _ := CheckMigration(dir, "me@new.example"); !c.Finished {
		t.Errorf("finished: %+v", c)
	}
}

// TestPlanNamesMoveCommand: the plan's followers entry says which command
// moves them.
func TestPlanNamesMoveCommand(t *testing.T) {
	for _, n := range NewPlan(&archive.Export{}).NotCarried {
		if n.What == "followers" && !strings.Contains(n.Instead, "mastomigrate move --from OLD --to NEW") {
			t.Errorf("followers: %q does not name the command", n.Instead)
		}
	}
}
