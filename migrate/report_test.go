package migrate

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestJournalInputs: the inputs of a journal that a later run may read
// again (unfinished, or waiting for follow requests) are told apart from
// those of migrations that are over; an unreadable journal is an error,
// for what it names is not known.
func TestJournalInputs(t *testing.T) {
	tests := []struct {
		name         string
		status       journal.Status
		finished     bool
		damaged      bool
		resume, over []string
		wantErr      bool
	}{
		{name: "unfinished", status: journal.StatusRetry, resume: []string{"/in/a.zip"}},
		{name: "finished", status: journal.StatusDone, finished: true, over: []string{"/in/a.zip"}},
		{name: "finished, waiting for approvals", status: journal.StatusWaiting, finished: true, resume: []string{"/in/a.zip"}},
		{name: "damaged", damaged: true, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "me@new.example-1.journal")
			if tt.damaged {
				os.WriteFile(path, []byte("{not a journal\n{}\n"), 0o600)
			} else {
				j, err := journal.Open(path, journal.Header{Account: "me@new.example", Inputs: []string{"/in/a.zip"}})
				if err != nil {
					t.Fatal(err)
				}
				j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: tt.status})
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
