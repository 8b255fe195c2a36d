package ui_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/ui"
	"github.com/mastomigrate/mastomigrate/ui/uitest"
)

// leaveJournal leaves a migration journal in dir, finished or not.
func leaveJournal(t *testing.T, dir string, finished bool) {
	t.Helper()
	j, err := journal.Open(filepath.Join(dir, fmt.Sprintf("me@new.example-%v.journal", finished)),
		journal.Header{Account: "me@new.example", Options: journal.RunConfig{To: "me@new.example"}})
	if err != nil {
		t.Fatal(err)
	}
	j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: journal.StatusDone})
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
				leaveJournal(t, p.stateDir, finished)
			}
			if _, body := p.Get("/"); !strings.Contains(body, tt.want) {
				t.Errorf("the page opens on:\n%s\nwant %s", body, tt.want)
			}
		})
	}
}

// TestPlanMadeOnce: a plan reads every export (a 1 GiB archive takes a
// while), so it is made once for the same inputs, target and extras, and
// made again when one of them changes.
func TestPlanMadeOnce(t *testing.T) {
	p := newPage(t)
	dir := t.TempDir()
	follows := filepath.Join(dir, "following_accounts.csv")
	os.WriteFile(follows, []byte("Account address,Show boosts\nana@mastodon.example,true\n"), 0o600)
	p.Post("/exports/path", url.Values{"path": {follows}})
	to := p.storeLogin()
	steps := []struct {
		name string
		do   func()
		want int // plans made so far
	}{
		{"the plan screen", func() { p.Get("/plan") }, 1},
		{"again, and as JSON", func() { p.Get("/plan"); p.Get("/plan.json"); p.Get("/plan") }, 1},
		{"an extra ticked", func() { p.Post("/plan/include", url.Values{"include": {"likes"}}) }, 2},
		{"the same extra again", func() { p.Post("/plan/include", url.Values{"include": {"likes"}}) }, 2},
		{"a target chosen", func() { p.Post("/accounts/use", url.Values{"role": {"to"}, "account": {to}}); p.Get("/plan") }, 3},
		{"the file changed on disk", func() {
			os.WriteFile(follows, []byte("Account address,Show boosts\nana@mastodon.example,true\nbob@mastodon.example,true\n"), 0o600)
			os.Chtimes(follows, time.Now(), time.Now().Add(time.Hour))
			p.Get("/plan")
		}, 4},
		{"an export added", func() {
			abs, _ := filepath.Abs(sample[0])
			p.Post("/exports/path", url.Values{"path": {abs}})
			p.Get("/plan")
		}, 5},
		{"the screens in turn", func() { p.Get("/exports"); p.Get("/accounts"); p.Get("/plan"); p.Get("/run"); p.Get("/plan") }, 5},
	}
	for _, st := range steps {
		st.do()
		if got := p.srv.Plans(); got != st.want {
			t.Errorf("after %s: %d plans made, want %d", st.name, got, st.want)
		}
	}
}

// upload sends the sample's CSV files as the page's upload form does,
// and returns where they were kept.
func (p *page) upload() []string {
	p.t.Helper()
	csvs, _ := filepath.Glob(filepath.Join(sample[1], "*.csv"))
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, c := range csvs {
		data, err := os.ReadFile(c)
		if err != nil {
			p.t.Fatal(err)
		}
		fw, _ := mw.CreateFormFile("files", filepath.Base(c))
		fw.Write(data)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, p.Base+"/exports/upload", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", p.Base)
	if code, body := p.Do(req); code != http.StatusOK {
		p.t.Fatalf("upload: %d %s", code, body)
	}
	kept, _ := filepath.Glob(filepath.Join(p.stateDir, "uploads", "*", "*.csv"))
	if len(kept) != len(csvs) {
		p.t.Fatalf("uploads kept: %v", kept)
	}
	return kept
}

// TestUploadsFreed: an uploaded copy is removed when it is taken off the
// list before a run, and when the migration that used it is over; never
// while a journal that can be resumed names it.
func TestUploadsFreed(t *testing.T) {
	left := func(p *page) int {
		kept, _ := filepath.Glob(filepath.Join(p.stateDir, "uploads", "*", "*"))
		return len(kept)
	}
	t.Run("taken off the list before a run", func(t *testing.T) {
		p := newPage(t)
		kept := p.upload()
		p.Post("/exports/remove", url.Values{"path": {kept[0]}})
		if _, err := os.Stat(filepath.Dir(kept[0])); !os.IsNotExist(err) {
			t.Errorf("%s kept after it was taken off the list (%v)", kept[0], err)
		}
		if got := left(p); got != len(kept)-1 {
			t.Errorf("%d uploads left, want %d", got, len(kept)-1)
		}
	})
	t.Run("the migration finished", func(t *testing.T) {
		p := newPage(t)
		p.upload()
		p.Post("/accounts/use", url.Values{"role": {"to"}, "account": {p.storeLogin()}})
		p.Post("/run/start", nil)
		p.Confirm(true, nil)
		if s := p.WaitFor("the end", uitest.Ended); s.State != "finished" {
			t.Fatalf("state %q: %s", s.State, s.Message)
		}
		if got := left(p); got != 0 {
			t.Errorf("%d uploads left after the migration finished", got)
		}
		if _, body := p.Get("/exports"); !strings.Contains(body, `<p id="export-list">Nothing yet.</p>`) {
			t.Errorf("removed uploads still listed:\n%s", body)
		}
	})
	t.Run("paused: resume needs them", func(t *testing.T) {
		p := newPage(t)
		kept := p.upload()
		p.Post("/accounts/use", url.Values{"role": {"to"}, "account": {p.storeLogin()}})
		p.StartAndPause(p.fake.Hold, p.fake.InFlight)
		for _, k := range kept {
			p.Post("/exports/remove", url.Values{"path": {k}})
		}
		if got := left(p); got != len(kept) {
			t.Fatalf("%d uploads left while the paused journal names %d", got, len(kept))
		}
		p.Post("/run/continue", nil)
		if s := p.WaitFor("the end", func(s ui.Snapshot) bool { return uitest.Ended(s) && s.State != "paused" }); s.State != "finished" {
			t.Fatalf("state %q: %s", s.State, s.Message)
		}
		if got := left(p); got != 0 {
			t.Errorf("%d uploads left after the resumed migration finished", got)
		}
	})
}

// engineCounts fails unless each count drawn in row is the engine's
// count of that JSON name in counts, drawn as it is (none added up,
// none counted twice), and each count other than 0 is drawn.
func engineCounts(t *testing.T, what, row string, counts any) {
	t.Helper()
	var fields map[string]any
	json.Unmarshal([]byte(mustJSON(counts)), &fields)
	drawn := regexp.MustCompile(`<td data-col="([a-z_]+)"[^>]*>(\d+)</td>`).FindAllStringSubmatch(row, -1)
	if len(drawn) == 0 {
		t.Errorf("%s row %q has no engine counts", what, row)
	}
	for _, c := range drawn {
		if n, ok := fields[c[1]].(float64); !ok || itoa(int(n)) != c[2] {
			t.Errorf("%s row: %s %s, the engine says %v", what, c[1], c[2], fields[c[1]])
		}
	}
	for name, v := range fields {
		if n, ok := v.(float64); ok && n != 0 && !strings.Contains(row, `data-col="`+name+`"`) {
			t.Errorf("%s row %q lacks the engine's %s (%v)", what, row, name, n)
		}
	}
}

// TestRunSummary: the run's table draws the engine's outcomes, each
// under its JSON name: requests waiting for approval, list members
// waiting for them and follows left for a later run are not one number.
func TestRunSummary(t *testing.T) {
	limits := mastotest.MastodonLimits()
	limits.FollowsPerDay = 3 // some follows left for a later run
	p := newPage(t, mastotest.WithLimits(limits))
	p.setUp()
	p.Post("/run/start", nil)
	p.Confirm(true, nil)
	s := p.WaitFor("the end", uitest.Ended)
	if s.Summary == nil {
		t.Fatalf("state %q: %s, no summary", s.State, s.Message)
	}
	_, page := p.Get("/run")
	for _, r := range s.Summary.Rows {
		row := regexp.MustCompile(`(?s)<tr data-category="` + string(r.Category) + `">.*?</tr>`).FindString(page)
		if mustJSON(r) == mustJSON(&migrate.SummaryRow{Category: r.Category}) {
			continue // nothing to show
		}
		// Done is drawn as the engine's Carried, as on the terminal: a
		// follow request is among the requests sent, not also done.
		drawn := *r
		drawn.Done = r.Carried()
		engineCounts(t, string(r.Category), row, &drawn)
	}
}
