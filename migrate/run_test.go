package migrate

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// TestPendingSettlesWhatTheTargetShows: a step left started by a crash,
// or waiting for an approval, that the diff no longer plans (the target
// has it) is journaled done; one still planned is sent again.
func TestPendingSettlesWhatTheTargetShows(t *testing.T) {
	j, err := journal.Open(filepath.Join(t.TempDir(), "j"), journal.Header{Account: "me@new.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, r := range []journal.Record{
		{ID: "started gone", Category: "follows", Status: journal.StatusStarted},
		{ID: "waiting gone", Category: "list_members", Status: journal.StatusWaiting},
		{ID: "waiting planned", Category: "list_members", Status: journal.StatusWaiting},
	} {
		if err := j.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	ch := &Changes{Steps: []journal.Step{{ID: "waiting planned", Category: "list_members"}}}
	todo, _, err := Pending(ch, j, time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(todo) != 1 || todo[0].ID != "waiting planned" {
		t.Errorf("todo %v, want the planned waiting step", todo)
	}
	for _, id := range []string{"started gone", "waiting gone"} {
		if r, _ := j.Last(id); r.Status != journal.StatusDone {
			t.Errorf("%s: %s, want done", id, r.Status)
		}
	}
}

// TestSummaryFromJournal: a run's summary counts the journal's latest
// record of each step recorded or found settled since the mark, once,
// and the counts recorded: a follow request accepted later in the run is
// done, not pending; a post an earlier run carried, or found on the
// target, is already there; a post sent without an answer is to retry;
// media files count with their posts; what was recorded before the mark
// is not this run's, unless the run found it settled. The rows come in
// the replay's order, the posts last.
func TestSummaryFromJournal(t *testing.T) {
	j, err := journal.Open(filepath.Join(t.TempDir(), "j.journal"), journal.Header{Account: "me@new.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	until := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, r := range []journal.Record{
		{ID: "follow before@x", Category: "follows", Status: journal.StatusDone, Reason: "found on the target", Found: true},
		{ID: "post 1", Category: posts.Category, Status: journal.StatusDone, NewID: "1"},
		{ID: "block skipped@x", Category: "blocks", Status: journal.StatusSkipped, Reason: "the account is suspended"},
		{ID: "follow deferred@x", Category: "follows", Status: journal.StatusDeferred, Until: &until},
	} {
		if err := j.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	mark := j.Mark()
	j.Settled("block skipped@x", "follow deferred@x", "follow never@x")
	if err := j.RecordCounts([]journal.Count{{Category: "follows", Already: 3}, {Category: "mutes"}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []journal.Record{
		{ID: "follow a@x", Category: "follows", Status: journal.StatusStarted},
		{ID: "follow a@x", Category: "follows", Status: journal.StatusDone, Pending: true},
		{ID: "follow b@x", Category: "follows", Status: journal.StatusDone, Pending: true},
		{ID: "follow a@x", Category: "follows", Status: journal.StatusDone, Reason: "accepted"},
		{ID: "follow c@x", Category: "follows", Status: journal.StatusDeferred, Until: &until},
		{ID: "block d@x", Category: "blocks", Status: journal.StatusFailed},
		{ID: "mute e@x", Category: "mutes", Status: journal.StatusStarted}, // stopped before its answer
		{ID: "media 2", Category: posts.MediaCategory, Status: journal.StatusDone, NewID: "m2"},
		{ID: "post 2", Category: posts.Category, Status: journal.StatusSending},
		{ID: "post 3", Category: posts.Category, Status: journal.StatusDone, NewID: "3", Found: true},
	} {
		if err := j.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	j.Settled("post 1")
	if err := j.RecordCounts([]journal.Count{{Category: posts.Category, Skipped: 2}}); err != nil {
		t.Fatal(err)
	}
	sum := summarize(j.Since(mark))
	want := []SummaryRow{
		{Category: "follows", Done: 2, Already: 3, Pending: 1, Deferred: 2},
		{Category: "mutes"},
		{Category: "blocks", Skipped: 1, Failed: 1},
		{Category: posts.Category, Already: 2, Skipped: 2, Retry: 1},
	}
	if len(sum.Rows) != len(want) {
		t.Fatalf("rows %+v", sum.Rows)
	}
	for i, r := range sum.Rows {
		if *r != want[i] {
			t.Errorf("row %+v, want %+v", *r, want[i])
		}
	}
	if sum.DeferredUntil == nil || !sum.DeferredUntil.Equal(until) {
		t.Errorf("deferred until %v", sum.DeferredUntil)
	}
}
