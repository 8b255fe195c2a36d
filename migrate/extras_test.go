package migrate

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestSendFeatureTag: a featured hashtag refused when sent (the account
// changed after the plan) is settled by the account's list: featured
// already is done, a full list is skipped with the reason, anything else
// is the server's error. Mastodon 4.2–4.3 answer every refusal 500, 4.4+
// a repeat 200 and the rest 422.
func TestSendFeatureTag(t *testing.T) {
	for _, tt := range []struct {
		name     string
		featured int // Tag0… on the account
		item     string
		want     journal.Status // "" when send returns the server's error
	}{
		{"featured in another case", 10, "#tag3", journal.StatusDone},
		{"over the limit", 10, "#MastoArt", journal.StatusSkipped},
		{"room, a bad name", 9, "#no-such", ""},
	} {
		for _, fl := range []mastotest.Flavour{mastotest.Mastodon42, mastotest.Mastodon43, mastotest.Mastodon45} {
			t.Run(fmt.Sprintf("%s/%s", tt.name, fl), func(t *testing.T) {
				s := mastotest.NewServer(t, mastotest.WithFlavour(fl))
				for i := range tt.featured {
					s.SeedFeaturedTag(fmt.Sprintf("Tag%d", i))
				}
				c, err := api.New(s.URL, api.Options{Token: s.Token})
				if err != nil {
					t.Fatal(err)
				}
				r := &Runner{Client: c}
				rec, err := r.sendExtra(context.Background(), journal.Step{Op: journal.OpFeatureTag, Category: "featured_tags", Item: tt.item})
				if rec.Status == "" && err == nil {
					rec.Status = journal.StatusDone
				}
				var ae *api.Error
				switch {
				case tt.want == "" && !errors.As(err, &ae):
					t.Errorf("got %+v, %v; want the server's error", rec, err)
				case tt.want != "" && (err != nil || rec.Status != tt.want):
					t.Errorf("got %+v, %v; want %s", rec, err, tt.want)
				}
				if n := len(s.Extras().FeaturedTags); n != tt.featured {
					t.Errorf("%d featured now, want %d", n, tt.featured)
				}
			})
		}
	}
}
