package main

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestFaults injects 5% server errors, 1% dropped connections (half of
// them after the server acted) and slow replies, on each server flavour:
// the run still ends with every item done, exactly as without faults, and
// the report names only what the server cannot take (GoToSocial's domain
// blocks).
func TestFaults(t *testing.T) {
	const n = 300
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		s, _ := newFake(t, fl, generous(fl), mastotest.WithFaults(mastotest.Faults{
			ServerErrors: 0.05, Drops: 0.01, SlowBodies: 0.05, SlowPause: 20 * time.Millisecond}, 7))
		export := writeExport(t, s, n)
		f, out, errOut := migrateFactory(t, s)
		if code := run(context.Background(), []string{"migrate", export, "--to", s.URL, "--yes"}, f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}

		want := mastotest.State{Follows: map[string]mastotest.FollowState{}, Mutes: map[string]mastotest.MuteState{},
			Blocks:       []string{"troll0@bad.example", "troll1@bad.example", "troll2@bad.example"},
			DomainBlocks: []string{"ads.example", "spam.example"}, Bookmarks: []string{}, Favourites: []string{},
			Lists: map[string]mastotest.ListState{"Close friends": {RepliesPolicy: "list", Members: []string{}}}}
		for i := 0; i < n; i++ {
			h := fmt.Sprintf("user%d@server%d.example", i, i%13)
			want.Follows[h] = mastotest.FollowState{Reblogs: i%2 == 0}
			if i < 5 {
				l := want.Lists["Close friends"]
				l.Members = append(l.Members, h)
				want.Lists["Close friends"] = l
			}
		}
		var wantReport []reportItem
		if fl.GoToSocial() {
			want.DomainBlocks = []string{}
			for _, d := range []string{"ads.example", "spam.example"} {
				wantReport = append(wantReport, reportItem{Category: "domain_blocks", Item: d, Status: "skipped",
					Reason: "this server has no domain blocks API (GET /api/v1/domain_blocks: 404 Not Found)"})
			}
		}
		got := s.State()
		for _, st := range []*mastotest.State{&got, &want} {
			l := st.Lists["Close friends"]
			slices.Sort(l.Members)
			st.Lists["Close friends"] = l
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("final state differs from a run without faults")
			for h, w := range want.Follows {
				if g, ok := got.Follows[h]; !ok || !reflect.DeepEqual(g, w) {
					t.Errorf("%s: %+v (followed %v), want %+v", h, g, ok, w)
				}
			}
			t.Errorf("blocks %v, domain blocks %v, lists %+v", got.Blocks, got.DomainBlocks, got.Lists)
		}
		rep := reportJSON(t, f, out)
		if len(rep) == 0 {
			rep = nil
		}
		if !reflect.DeepEqual(sortReport(rep), sortReport(wantReport)) {
			t.Errorf("report\n got %+v\nwant %+v", rep, wantReport)
		}
		t.Logf("%d requests, %d writes", s.Count(""), s.Writes())
	})
}
