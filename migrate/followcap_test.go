package migrate

import (
	"slices"
	"strconv"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestFollowCapByServer: Mastodon takes 7,500 follows, or 1.1 times the
// followers above that; GoToSocial has no cap, so every follow of the
// export is sent there.
func TestFollowCapByServer(t *testing.T) {
	const n = 7_600
	e := &archive.Export{Follows: follows(n)}
	res := map[string]Resolved{}
	for i, f := range e.Follows {
		res[f.Account.Key()] = Resolved{Account: &api.Account{ID: strconv.Itoa(i + 1), Acct: f.Account.Acct}}
	}
	c, err := api.New("https://new.example", api.Options{}) // handles here have their domain: no request
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name      string
		srv       api.Server
		followers int
		sent      int
	}{
		{"Mastodon", api.Server{Software: "mastodon", Version: "4.5.0"}, 0, 7_500},
		{"Mastodon, with 7,000 followers", api.Server{Software: "mastodon", Version: "4.2.0"}, 7_000, 7_600}, // up to 7,700
		{"GoToSocial", api.Server{Software: "gotosocial", Version: "0.20.0"}, 0, 7_600},
	} {
		target := &Target{Me: &api.Account{ID: "me", FollowersCnt: tt.followers}}
		ch := Diff(e, target, res, c, Options{Server: tt.srv})
		sent, over := 0, 0
		for _, s := range ch.Steps {
			if s.Op == journal.OpFollow {
				sent++
			}
		}
		for _, p := range ch.Problems {
			if p.Kind == "over_cap" {
				over++
			}
		}
		if sent != tt.sent || over != n-tt.sent {
			t.Errorf("%s: %d follows sent, %d over the cap; want %d and %d", tt.name, sent, over, tt.sent, n-tt.sent)
		}
	}
}

// TestPlanForServer: a plan counts with Mastodon's limits until the
// target is known; on GoToSocial, which has neither a follow cap nor a
// daily limit, it takes both back.
func TestPlanForServer(t *testing.T) {
	for _, tt := range []struct {
		srv     api.Server
		follows int
		codes   []string
	}{
		{api.Server{Software: "mastodon", Version: "4.5.0"}, 7_500, []string{"follow_cap", "follow_daily_limit"}},
		{api.Server{Software: "gotosocial", Version: "0.20.0"}, 8_000, nil},
	} {
		p := NewPlan(&archive.Export{Follows: follows(8_000)})
		p.ForServer(tt.srv.Capabilities())
		var codes []string
		for _, w := range p.Warnings {
			if w.Code != "importer_limit" {
				codes = append(codes, w.Code)
			}
		}
		if p.Importable.Follows != tt.follows || !slices.Equal(codes, tt.codes) {
			t.Errorf("%s: %d follows, warnings %v; want %d, %v", tt.srv.Software, p.Importable.Follows, codes, tt.follows, tt.codes)
		}
	}
}
