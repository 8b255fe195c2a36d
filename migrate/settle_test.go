package migrate

import (
	"context"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestSettleGoneListMember: a list member whose account was suspended
// after the plan is refused with its batch. Mastodon leaves it out of
// relationships, GoToSocial answers "not followed" for it: either way it
// is gone, reported as not found rather than kept waiting for a follow
// that cannot come.
func TestSettleGoneListMember(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl))
			list := s.SeedList("Close", "list", false)
			ids := map[string]string{}
			var steps []journal.Step
			for _, h := range []string{"friend@far.example", "gone@far.example"} {
				ids[h] = s.AddHandle(h, mastotest.Account{})
				s.SeedFollow(ids[h], mastotest.FollowState{})
				steps = append(steps, journal.Step{ID: journal.ListMemberID("Close", h), Op: journal.OpAddToList, Category: "list_members",
					List: "Close", Item: h, AccountID: ids[h]})
			}
			s.UpdateAccount(ids["gone@far.example"], func(a *mastotest.Account) { a.Suspended = true })
			c, j := clientAndJournal(t, s, nil)
			target := &Target{Lists: map[string]*TargetList{"Close": {List: &api.List{ID: list, Title: "Close"}, Members: map[string]bool{}}}}
			r := &Runner{Client: c, Journal: j, Target: target, Concurrency: 1}
			if err := r.Run(context.Background(), &Changes{}, steps); err != nil {
				t.Fatal(err)
			}
			if rec, _ := j.Last(steps[0].ID); rec.Status != journal.StatusDone {
				t.Errorf("friend: %+v, want done", rec)
			}
			if rec, _ := j.Last(steps[1].ID); rec.Status != journal.StatusFailed || !strings.Contains(rec.Reason, "not found") {
				t.Errorf("gone: %s %q, want failed as not found", rec.Status, rec.Reason)
			}
		})
	}
}
