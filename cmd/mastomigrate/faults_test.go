package main

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
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

// TestServerErrorTwice: a server that answers one item with the same
// 5xx every time (a 500 at once, a 503 after the client's own retries)
// leaves it "retry" after one run, and failed after the next, with the
// status and the request named and the run ending in failure (exit 1,
// not 75); a third run does not send it again.
func TestServerErrorTwice(t *testing.T) {
	for _, code := range []int{500, 503} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
				probe, _ := newFake(t, fl)
				export := writeExport(t, probe, 3)
				// The same handles get the same ids on a server made the same way.
				request := "POST /api/v1/accounts/" + probe.ID("troll1@bad.example") + "/block"
				s, _ := newFake(t, fl, generous(fl), mastotest.WithFaults(mastotest.Faults{Broken: map[string]int{request: code}}, 1))
				writeExport(t, s, 3)
				f, out, errOut := migrateFactory(t, s)
				args := []string{"migrate", export, "--to", s.URL, "--yes", "--no-bulk"}
				item := func() reportItem {
					for _, it := range reportJSON(t, f, out) {
						if it.Item == "troll1@bad.example" {
							return it
						}
					}
					return reportItem{}
				}

				if code := run(context.Background(), args, f); code != exitTempFail {
					t.Fatalf("first run: exit %d, want %d\n%s", code, exitTempFail, errOut)
				}
				if it := item(); it.Status != "retry" {
					t.Errorf("after the first run: %+v, want retry", it)
				}
				errOut.Reset()
				if code := run(context.Background(), args, f); code != exitError {
					t.Fatalf("second run: exit %d, want %d\n%s", code, exitError, errOut)
				}
				why := fmt.Sprintf("the server answered %d to %s in two runs", code, request)
				if !strings.Contains(errOut.String(), why) {
					t.Errorf("second run says\n%s\nwant it to say %q", errOut, why)
				}
				if it := item(); it.Status != "failed" || !strings.HasPrefix(it.Reason, why) {
					t.Errorf("after the second run: %+v, want failed: %s", it, why)
				}
				sent := s.Count("POST /api/v1/accounts/:id/block")
				if code := run(context.Background(), args, f); code != exitOK {
					t.Fatalf("third run: exit %d\n%s", code, errOut)
				}
				if n := s.Count("POST /api/v1/accounts/:id/block"); n != sent {
					t.Errorf("the third run sent %d blocks", n-sent)
				}
				if got := s.State().Blocks; !reflect.DeepEqual(got, []string{"troll0@bad.example", "troll2@bad.example"}) {
					t.Errorf("blocks %v", got)
				}
			})
		})
	}
}
