package migrate

import (
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
