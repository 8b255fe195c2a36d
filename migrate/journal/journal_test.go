package journal

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, err := Open(path, Header{Account: "me@new.example", Digest: "d"})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	j.Record(Record{ID: "follow a@x", Category: "follows", Status: StatusStarted})
	j.Record(Record{ID: "follow a@x", Category: "follows", Status: StatusDone})
	j.Record(Record{ID: "follow b@x", Category: "follows", Status: StatusDeferred, Until: &until, Step: &Step{ID: "follow b@x", Item: "b@x"}})
	j.RememberAccount("a@x", "17", "a@x", true)
	j.Close()

	j, err = Load(path)
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
	j, _ := Open(path, Header{Account: "me@new.example"})
	j.Record(Record{ID: "follow a@x", Status: StatusDone})
	j.Close()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"type":"step","id":"follow b@x","sta`)
	f.Close()

	j, err := Open(path, Header{})
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
	j, err = Load(path)
	if err != nil || j.Torn {
		t.Fatalf("after appending past a torn line: %v, torn %v", err, j.Torn)
	}
	if r, _ := j.Last("follow c@x"); r.Status != StatusDone {
		t.Errorf("c: %+v", r)
	}
}

func TestJournalDamageInTheMiddle(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, _ := Open(path, Header{Account: "me@new.example"})
	j.Record(Record{ID: "follow a@x", Status: StatusDone})
	j.Close()
	data, _ := os.ReadFile(path)
	lines := strings.SplitAfter(string(data), "\n")
	lines[0] = "garbage\n"
	os.WriteFile(path, []byte(strings.Join(lines, "")), 0o600)
	_, err := Load(path)
	if err == nil || !strings.Contains(err.Error(), "line 1 is damaged") {
		t.Errorf("got %v", err)
	}
}

// TestJournalEarlier: what earlier runs came to, as this run sees it —
// not what this run records, and not a bare "started".
func TestJournalEarlier(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a.journal")
	j, err := Open(path, Header{Account: "me@new.example", Digest: "d"})
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

	j, err = Open(path, Header{Account: "me@new.example", Digest: "d"})
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
		{Path(dir, "me@127.0.0.1:8080", "0123456789abcdef"), "me@127.0.0.1_8080-0123456789abcdef.journal"},
		{Path(dir, "con.x@new.example", "0123456789abcdef"), "con_.x@new.example-0123456789abcdef.journal"},
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
	if got := Path(dir, "me@new.example:8443", "fedcba9876543210"); got != old {
		t.Errorf("the journal of an earlier version is %s, now looked for at %s", old, got)
	}
	j, err := Open(Path(dir, "me@new.example:8443", "fedcba9876543210"), Header{Account: "me@new.example:8443"})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if found, _ := List(dir); fmt.Sprint(found) != fmt.Sprint([]string{old}) {
		t.Errorf("journals %v, want only %s", found, old)
	}
}
