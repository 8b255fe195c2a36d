package main

import (
	"context"
	"net/http"
	"net/url"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
	"github.com/mastomigrate/mastomigrate/ui"
	"github.com/mastomigrate/mastomigrate/ui/uitest"
)

// counts are a run's summary as a face shows it: by category, by the
// terminal's column.
type counts map[string]map[string]int

// terminalColumns are writeSummary's, in order.
var terminalColumns = []string{"done", "pending", "already", "skipped", "failed", "retry", "deferred"}

// terminalCounts reads the terminal's summary table.
func terminalCounts(t *testing.T, out string) counts {
	t.Helper()
	_, table, ok := strings.Cut(out, "\nSummary\n")
	if !ok {
		t.Fatalf("no summary in:\n%s", out)
	}
	got := counts{}
	row := regexp.MustCompile(`(?m)^  ([a-z][a-z ]*?) +((?:\d+ +){6}\d+)$`)
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		cells := map[string]int{}
		for i, n := range strings.Fields(m[2]) {
			cells[terminalColumns[i]], _ = strconv.Atoi(n)
		}
		got[strings.ReplaceAll(m[1], " ", "_")] = cells
	}
	return got
}

// pageCounts reads the run screen's summary table, in the terminal's
// columns: the page tells requests sent and list members waiting for
// them apart, which the terminal counts as pending together.
func pageCounts(t *testing.T, page string) counts {
	t.Helper()
	asTerminal := map[string]string{"done": "done", "pending": "pending", "waiting": "pending", "already_there": "already",
		"skipped": "skipped", "failed": "failed", "retry": "retry", "deferred": "deferred"}
	got := counts{}
	rows := regexp.MustCompile(`(?s)<tr data-category="([a-z_]+)">(.*?)</tr>`).FindAllStringSubmatch(page, -1)
	for _, r := range rows {
		cells := map[string]int{}
		for _, c := range terminalColumns {
			cells[c] = 0
		}
		for _, c := range regexp.MustCompile(`<td data-col="([a-z_]+)"[^>]*>(\d+)</td>`).FindAllStringSubmatch(r[2], -1) {
			col, ok := asTerminal[c[1]]
			if !ok {
				t.Fatalf("the page has a column %q the terminal lacks", c[1])
			}
			n, _ := strconv.Atoi(c[2])
			cells[col] += n
		}
		got[r[1]] = cells
	}
	return got
}

// TestSummaryAcrossFaces: the same run shows the same numbers on the
// terminal and on the page. Remote servers accept follows a minute late,
// so follow requests are pending when the run ends (and, on GoToSocial,
// list members wait for them): a request is pending, not also done.
func TestSummaryAcrossFaces(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		fake := func() *mastotest.Server {
			s, _ := newFake(t, fl, mastotest.WithAcceptDelay(time.Minute))
			migratetest.SeedSample(s)
			return s
		}

		s := fake()
		f, out, errOut := migrateFactory(t, s)
		if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes"), f); code != 0 {
			t.Fatalf("migrate: exit %d\n%s", code, errOut)
		}
		terminal := terminalCounts(t, out.String())

		s = fake()
		f, _, _ = uiFactory(t, s)
		tokens, _ := f.tokens()
		tokens.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: s.URL}, Token: s.Token})
		if err := tokens.Save(); err != nil {
			t.Fatal(err)
		}
		b, _ := startUI(t, f)
		for _, in := range []string{"../../testdata/sample/mastodon-archive.zip", "../../testdata/sample/csv"} {
			abs, _ := filepath.Abs(in)
			b.Post("/exports/path", url.Values{"path": {abs}})
		}
		b.Post("/accounts/use", url.Values{"role": {"to"}, "account": {"me@new.example"}})
		if code, body := b.Post("/run/start", nil); code != http.StatusOK {
			t.Fatalf("start: %d %s", code, body)
		}
		// Yes to each question: GoToSocial's import, then the replay of
		// what it missed, as --yes says it on the terminal.
		st := b.WaitFor("the question", func(s ui.Snapshot) bool { return s.Question != nil })
		for st.Question != nil {
			b.Post("/run/answer", url.Values{"id": {strconv.Itoa(st.Question.ID)}, "answer": {"yes"}})
			id := st.Question.ID
			st = b.WaitFor("the end", func(s ui.Snapshot) bool { return uitest.Ended(s) || s.Question != nil && s.Question.ID != id })
		}
		if st.State != "finished" {
			t.Fatalf("state %q: %s", st.State, st.Message)
		}
		_, body := b.Get("/run")
		page := pageCounts(t, body)

		if terminal["follows"]["pending"] == 0 {
			t.Fatalf("no follow request pending on the terminal: %v", terminal)
		}
		if !reflect.DeepEqual(page, terminal) {
			t.Errorf("the faces disagree on the run:\n page %v\n term %v", page, terminal)
		}
	})
}
