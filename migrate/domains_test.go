package migrate

import (
	"context"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestBlockDomainSentAsStored runs domain block steps a plan from before
// domains were normalised may hold: the Unicode spelling of a domain the
// server has is sent as it stores it (found, not refused as taken), and
// one it refuses is skipped with why, never sent.
func TestBlockDomainSentAsStored(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.Mastodon45))
	s.SeedDomainBlock("xn--bcher-kva.example")
	c, j := clientAndJournal(t, s, nil)
	var steps []journal.Step
	for _, d := range []string{"Bücher.Example", "social.example:8080"} {
		steps = append(steps, journal.Step{ID: journal.OpID(journal.OpBlockDomain, d), Op: journal.OpBlockDomain, Category: "domain_blocks", Item: d})
	}
	r := &Runner{Client: c, Journal: j, Target: &Target{}, Concurrency: 1}
	if err := r.Run(context.Background(), &Changes{}, steps); err != nil {
		t.Fatal(err)
	}
	if rec, _ := j.Last(steps[0].ID); rec.Status != journal.StatusDone {
		t.Errorf("Bücher.Example: %+v, want done", rec)
	}
	if rec, _ := j.Last(steps[1].ID); rec.Status != journal.StatusSkipped || !strings.Contains(rec.Reason, "has a port (8080)") {
		t.Errorf("social.example:8080: %+v, want skipped for its port", rec)
	}
	if n := s.Count("POST /api/v1/domain_blocks"); n != 1 {
		t.Errorf("%d domain blocks sent, want 1", n)
	}
}
