package migrate

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, err := OpenJournal(path, Header{Account: "me@new.example", Digest: "d"})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	j.Record(Record{ID: "follow a@x", Category: "follows", Status: StatusStarted})
	j.Record(Record{ID: "follow a@x", Category: "follows", Status: StatusDone})
	j.Record(Record{ID: "follow b@x", Category: "follows", Status: StatusDeferred, Until: &until, Step: &Step{ID: "follow b@x", Item: "b@x"}})
	j.RememberAccount("a@x", "17", "a@x", true)
	j.Close()

	j, err = LoadJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	if j.Header.Account != "me@new.example" || j.Torn {
		t.Errorf("header %+v, torn %v", j.Header, j.Torn)
	}
	if r, _ := j.Last("follow a@x"); r.Status != StatusDone {
		t.Errorf("a: %+v", r)
	}
	if r, _ := j.Last("follow b@x"); r.Status != StatusDeferred || !r.Until.Equal(until) || r.Step.Item != "b@x" {
		t.Errorf("b: %+v", r)
	}
	if a := j.Accounts()["a@x"]; a.AccountID != "17" || !a.Locked {
		t.Errorf("account: %+v", a)
	}
}

// TestJournalTornLine: a crash in the middle of a write leaves a last line
// without its newline; it is dropped, cut off, and the rest loads.
func TestJournalTornLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, _ := OpenJournal(path, Header{Account: "me@new.example"})
	j.Record(Record{ID: "follow a@x", Status: StatusDone})
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"step","id":"follow b@x","sta`)
	f.Close()

	j, err := OpenJournal(path, Header{})
	if err != nil {
		t.Fatal(err)
	}
	if !j.Torn {
		t.Error("torn line not reported")
	}
	if _, ok := j.Last("follow b@x"); ok {
		t.Error("the torn record was kept")
	}
	j.Record(Record{ID: "follow c@x", Status: StatusDone})
	j.Close()
	j, err = LoadJournal(path)
	if err != nil || j.Torn {
		t.Fatalf("after appending past a torn line: %v, torn %v", err, j.Torn)
	}
	if r, _ := j.Last("follow c@x"); r.Status != StatusDone {
		t.Errorf("c: %+v", r)
	}
}

func TestJournalDamageInTheMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, _ := OpenJournal(path, Header{Account: "me@new.example"})
	j.Record(Record{ID: "follow a@x", Status: StatusDone})
	j.Close()
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	lines[0] = "garbage\n"
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)
	_, err := LoadJournal(path)
	if err == nil || !strings.Contains(err.Error(), "line 1 is damaged") {
		t.Errorf("got %v", err)
	}
}

// TestPendingSettlesWhatTheTargetShows: a step left started by a crash,
// or waiting for an approval, that the diff no longer plans (the target
// has it) is journaled done; one still planned is sent again.
func TestPendingSettlesWhatTheTargetShows(t *testing.T) {
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j"), Header{Account: "me@new.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	for _, r := range []Record{
		{ID: "started gone", Category: "follows", Status: StatusStarted},
		{ID: "waiting gone", Category: "list_members", Status: StatusWaiting},
		{ID: "waiting planned", Category: "list_members", Status: StatusWaiting},
	} {
		if err := j.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	ch := &Changes{Steps: []Step{{ID: "waiting planned", Category: "list_members"}}}
	todo, _, err := Pending(ch, j, time.Now(), false)
	if err != nil {
		t.Fatal(err)
	}
	if len(todo) != 1 || todo[0].ID != "waiting planned" {
		t.Errorf("todo %v, want the planned waiting step", todo)
	}
	for _, id := range []string{"started gone", "waiting gone"} {
		if r, _ := j.Last(id); r.Status != StatusDone {
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
	j, err := OpenJournal(filepath.Join(t.TempDir(), "j.journal"), Header{Account: "me@new.example"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	until := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, r := range []Record{
		{ID: "follow before@x", Category: "follows", Status: StatusDone, Reason: "found on the target", Found: true},
		{ID: "post 1", Category: PostsCategory, Status: StatusDone, NewID: "1"},
		{ID: "block skipped@x", Category: "blocks", Status: StatusSkipped, Reason: "the account is suspended"},
		{ID: "follow deferred@x", Category: "follows", Status: StatusDeferred, Until: &until},
	} {
		if err := j.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	mark := j.Mark()
	j.Settled("block skipped@x", "follow deferred@x", "follow never@x")
	if err := j.RecordCounts([]Count{{Category: "follows", Already: 3}, {Category: "mutes"}}); err != nil {
		t.Fatal(err)
	}
	for _, r := range []Record{
		{ID: "follow a@x", Category: "follows", Status: StatusStarted},
		{ID: "follow a@x", Category: "follows", Status: StatusDone, Pending: true},
		{ID: "follow b@x", Category: "follows", Status: StatusDone, Pending: true},
		{ID: "follow a@x", Category: "follows", Status: StatusDone, Reason: "accepted"},
		{ID: "follow c@x", Category: "follows", Status: StatusDeferred, Until: &until},
		{ID: "block d@x", Category: "blocks", Status: StatusFailed},
		{ID: "mute e@x", Category: "mutes", Status: StatusStarted}, // stopped before its answer
		{ID: "media 2", Category: PostMediaCategory, Status: StatusDone, NewID: "m2"},
		{ID: "post 2", Category: PostsCategory, Status: StatusSending},
		{ID: "post 3", Category: PostsCategory, Status: StatusDone, NewID: "3", Found: true},
	} {
		if err := j.Record(r); err != nil {
			t.Fatal(err)
		}
	}
	j.Settled("post 1")
	if err := j.RecordCounts([]Count{{Category: PostsCategory, Skipped: 2}}); err != nil {
		t.Fatal(err)
	}
	sum := summarize(j.Since(mark))
	want := []SummaryRow{
		{Category: "follows", Done: 2, Already: 3, Pending: 1, Deferred: 2},
		{Category: "mutes"},
		{Category: "blocks", Skipped: 1, Failed: 1},
		{Category: PostsCategory, Already: 2, Skipped: 2, Retry: 1},
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

// TestJournalEarlier: what earlier runs came to, as this run sees it —
// not what this run records, and not a bare "started".
func TestJournalEarlier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, err := OpenJournal(path, Header{Account: "me@new.example", Digest: "d"})
	if err != nil {
		t.Fatal(err)
	}
	j.Record(Record{ID: "a", Status: StatusRetry, HTTPStatus: 500})
	j.Record(Record{ID: "b", Status: StatusRetry, HTTPStatus: 502})
	j.Record(Record{ID: "b", Status: StatusStarted}) // a crash after sending
	if r := j.Earlier("a"); r.Status != "" {
		t.Errorf("this run's own record counts as earlier: %+v", r)
	}
	j.Close()

	j, err = OpenJournal(path, Header{Account: "me@new.example", Digest: "d"})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	j.Record(Record{ID: "a", Status: StatusStarted})
	j.Record(Record{ID: "a", Status: StatusDone})
	for id, want := range map[string]int{"a": 500, "b": 502, "c": 0} {
		if got := j.Earlier(id).HTTPStatus; got != want {
			t.Errorf("Earlier(%s) carries %d, want %d", id, got, want)
		}
	}
}

// TestJournalNamesValidOnWindows: the journals of a handle with a port
// (a test instance on loopback) get names Windows takes (the names
// wanted here are checked against Windows' rules in statefile's
// TestName), and a journal written under an earlier version's name is
// still the one found.
func TestJournalNamesValidOnWindows(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ path, want string }{
		{JournalPath(dir, "me@127.0.0.1:8080", "0123456789abcdef"), "me@127.0.0.1_8080-0123456789abcdef.journal"},
		{JournalPath(dir, "con.x@new.example", "0123456789abcdef"), "con_.x@new.example-0123456789abcdef.journal"},
	} {
		name := filepath.Base(tt.path)
		if name != tt.want {
			t.Errorf("%s, want %s", name, tt.want)
		}
		if filepath.Dir(tt.path) != dir {
			t.Errorf("%s is not in %s", tt.path, dir)
		}
	}

	// An earlier version's journal, named by the old rule.
	old := filepath.Join(dir, "me@new.example_8443-fedcba9876543210.journal")
	if err := os.WriteFile(old, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := JournalPath(dir, "me@new.example:8443", "fedcba9876543210"); got != old {
		t.Errorf("the journal of an earlier version is %s, now looked for at %s", old, got)
	}
	j, err := OpenJournal(JournalPath(dir, "me@new.example:8443", "fedcba9876543210"), Header{Account: "me@new.example:8443"})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if found, _ := Journals(dir); fmt.Sprint(found) != fmt.Sprint([]string{old}) {
		t.Errorf("journals %v, want only %s", found, old)
	}
}

// TestJournalInputs: the inputs of a journal that a later run may read
// again (unfinished, or waiting for follow requests) are told apart from
// those of migrations that are over; an unreadable journal is an error,
// for what it names is not known.
func TestJournalInputs(t *testing.T) {
	tests := []struct {
		name         string
		status       Status
		finished     bool
		damaged      bool
		resume, over []string
		wantErr      bool
	}{
		{name: "unfinished", status: StatusRetry, resume: []string{"/in/a.zip"}},
		{name: "finished", status: StatusDone, finished: true, over: []string{"/in/a.zip"}},
		{name: "finished, waiting for approvals", status: StatusWaiting, finished: true, resume: []string{"/in/a.zip"}},
		{name: "damaged", damaged: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "me@new.example-1.journal")
			if tt.damaged {
				os.WriteFile(path, []byte("{not a journal\n{}\n"), 0o600)
			} else {
				j, err := OpenJournal(path, Header{Account: "me@new.example", Inputs: []string{"/in/a.zip"}})
				if err != nil {
					t.Fatal(err)
				}
				j.Record(Record{ID: "follow a@x", Category: "follows", Status: tt.status})
				if tt.finished {
					j.Finish()
				}
				j.Close()
			}
			resume, over, err := JournalInputs(dir)
			if (err != nil) != tt.wantErr || !slices.Equal(resume, tt.resume) || !slices.Equal(over, tt.over) {
				t.Errorf("resume %v, over %v, err %v; want %v, %v, error %v", resume, over, err, tt.resume, tt.over, tt.wantErr)
			}
		})
	}
}
