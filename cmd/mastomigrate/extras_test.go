package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestFeaturedTags: the new account's featured hashtags are read before
// any is sent. One featured there already (in another case) is "already";
// those past Mastodon's limit of 10 are skipped with the reason, never
// sent (Mastodon 4.2–4.3 would answer them 500, 4.4+ 422); the rest keep
// their case. GoToSocial takes none.
func TestFeaturedTags(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		clock := mastotest.NewManualClock(t0)
		old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
		neu := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock), generous(fl))
		var have []string
		for i := range 7 {
			have = append(have, fmt.Sprintf("Art%d", i))
			neu.SeedFeaturedTag(have[i])
		}
		for _, name := range []string{"art3", "MastoArt", "Go", "Rust", "Zig"} {
			old.SeedFeaturedTag(name)
		}
		f, out, errOut, _ := fromFactory(t, old, neu, clock)
		args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "featured_tags"}
		if code := run(context.Background(), args, f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}

		want := append(have, "Go", "MastoArt", "Rust")
		over := []string{"#Zig"}
		if fl.GoToSocial() {
			want, over = have, nil // GoToSocial takes none (and lists none)
		}
		got := neu.Extras().FeaturedTags
		if !reflect.DeepEqual(sorted(got), sorted(want)) {
			t.Errorf("featured tags on the new account:\n got %v\nwant %v", got, want)
		}
		var skipped []string
		for _, it := range reportJSON(t, f, out) {
			switch {
			case it.Category != "featured_tags":
			case it.Status == "skipped" && strings.Contains(it.Reason, "limit of 10 featured hashtags"):
				skipped = append(skipped, it.Item)
			case !fl.GoToSocial():
				t.Errorf("report: %+v", it)
			}
		}
		if !reflect.DeepEqual(skipped, over) {
			t.Errorf("skipped for the limit: %v, want %v", skipped, over)
		}
		if n, sent := neu.Count("POST /api/v1/featured_tags"), len(want)-len(have); !fl.GoToSocial() && n != sent {
			t.Errorf("%d featured tags sent, want %d: the repeat and those over the limit are not sent", n, sent)
		}
	})
}

// TestEndorsementsProbed: where the new server has no endorsements API
// (GoToSocial: GET /api/v1/endorsements is an unknown route), reading
// them finds so, and the endorsement is skipped with what the probe saw,
// never sent; elsewhere it is made.
func TestEndorsementsProbed(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		clock := mastotest.NewManualClock(t0)
		old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
		neu := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock), generous(fl))
		fay := old.AddHandle("fay@f.example", mastotest.Account{})
		old.SeedFollow(fay, mastotest.FollowState{Reblogs: true})
		old.SeedEndorsement(fay)
		neu.SeedFollow(neu.AddHandle("fay@f.example", mastotest.Account{}), mastotest.FollowState{Reblogs: true})
		f, out, errOut, _ := fromFactory(t, old, neu, clock)
		args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "endorsements"}
		if code := run(context.Background(), args, f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		rep := reportJSON(t, f, out)
		if fl.GoToSocial() {
			want := []reportItem{{Category: "endorsements", Item: "fay@f.example", Status: "skipped",
				Reason: "this server has no endorsements API (GET /api/v1/endorsements: 404 Not Found)"}}
			if !reflect.DeepEqual(rep, want) {
				t.Errorf("report\n got %+v\nwant %+v", rep, want)
			}
			if n := neu.Count("POST /api/v1/accounts/:id/endorse") + neu.Count("POST /api/v1/accounts/:id/pin"); n != 0 {
				t.Errorf("%d endorsements sent", n)
			}
			return
		}
		if got := neu.Extras().Endorsed; !reflect.DeepEqual(got, []string{"fay@f.example"}) || len(rep) != 0 {
			t.Errorf("endorsed %v, report %+v", got, rep)
		}
	})
}
