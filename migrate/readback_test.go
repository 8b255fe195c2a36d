package migrate

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// clientAndJournal are a client of s's account (on clock, when one is
// given) and a new journal for it, closed when the test ends: what a
// Runner needs.
func clientAndJournal(t *testing.T, s *mastotest.Server, clock api.Clock) (*api.Client, *journal.Journal) {
	t.Helper()
	c, err := api.New(s.URL, api.Options{Token: s.Token, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(filepath.Join(t.TempDir(), "j.jsonl"), journal.Header{Account: "me@" + s.Domain})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return c, j
}

// TestPendingFollowSettingsReadBack: a follow that is a request shows its
// settings at once on Mastodon, and on GoToSocial only once accepted
// (internal/db/bundb/relationship.go); a setting the server did not keep
// is caught either way, by the answer or by the re-read of the follows
// that came back as requests, and the step is kept for a retry.
func TestPendingFollowSettingsReadBack(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock), mastotest.WithAcceptDelay(-1),
				mastotest.WithFaults(mastotest.Faults{Unbound: map[string][]string{"POST /api/v1/accounts/:id/follow": {"notify"}}}, 1))
			id := s.AddHandle("bo@b.example", mastotest.Account{})
			c, j := clientAndJournal(t, s, clock)
			yes := true
			step := journal.Step{ID: journal.FollowID("bo@b.example"), Op: journal.OpFollow, Category: "follows", Item: "bo@b.example", AccountID: id,
				Follow: &archive.Follow{Reblogs: &yes, Notify: &yes}}
			r := &Runner{Client: c, Journal: j, Target: &Target{}, Concurrency: 1, Clock: clock,
				// bo accepts while the follows are sent, before they are re-read.
				Progress: func(cat category.Category, done, total int) { s.AcceptFollow("bo@b.example") }}
			if err := r.Run(context.Background(), &Changes{}, []journal.Step{step}); err != nil {
				t.Fatal(err)
			}
			if rec, _ := j.Last(step.ID); rec.Status != journal.StatusRetry || len(rec.NotStuck) == 0 {
				t.Errorf("journal: %+v, want a retry naming what did not stick", rec)
			}
		})
	}
}
