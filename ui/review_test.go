package ui_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/migrate"
)

// journal leaves a migration journal in dir, finished or not.
func journal(t *testing.T, dir string, finished bool) {
	t.Helper()
	j, err := migrate.OpenJournal(filepath.Join(dir, fmt.Sprintf("me@new.example-%v.journal", finished)),
		migrate.Header{Account: "me@new.example", Options: migrate.RunConfig{To: "me@new.example"}})
	if err != nil {
		t.Fatal(err)
	}
	j.Record(migrate.Record{ID: "follow a@x", Category: "follows", Status: migrate.StatusDone})
	if finished {
		j.Finish()
	}
	j.Close()
}

// TestHome: the page opens on the status of an unfinished migration
// only; a finished one is history, and the page opens on the exports.
func TestHome(t *testing.T) {
	tests := []struct {
		name     string
		journals []bool // finished, for each journal left
		want     string
	}{
		{"no migration", nil, "<h1>Your exports</h1>"},
		{"a finished migration", []bool{true}, "<h1>Your exports</h1>"},
		{"an unfinished migration", []bool{false}, "<h1>Run the migration</h1>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPage(t)
			for _, finished := range tt.journals {
				journal(t, p.stateDir, finished)
			}
			if _, body := p.Get("/"); !strings.Contains(body, tt.want) {
				t.Errorf("the page opens on:\n%s\nwant %s", body, tt.want)
			}
		})
	}
}
