package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// writeExport writes CSV exports with n follows, a list of the first
// five, two blocked domains and three blocked accounts, and adds every
// account to the server.
func writeExport(t testing.TB, s *mastotest.Server, n int) string {
	dir := t.TempDir()
	var follows, lists strings.Builder
	follows.WriteString("Account address,Show boosts,Notify on new posts,Languages\n")
	for i := 0; i < n; i++ {
		h := fmt.Sprintf("user%d@server%d.example", i, i%13)
		s.AddHandle(h, mastotest.Account{})
		fmt.Fprintf(&follows, "%s,%v,false,\n", h, i%2 == 0)
		if i < 5 {
			fmt.Fprintf(&lists, "Close friends,%s\n", h)
		}
	}
	var blocks strings.Builder
	for i := 0; i < 3; i++ {
		h := fmt.Sprintf("troll%d@bad.example", i)
		s.AddHandle(h, mastotest.Account{})
		blocks.WriteString(h + "\n")
	}
	files := map[string]string{
		"following_accounts.csv": follows.String(), "lists.csv": lists.String(),
		"blocked_accounts.csv": blocks.String(), "blocked_domains.csv": "ads.example\nspam.example\n",
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestDailyFollowLimit: on Mastodon 400 follows a day, so 1,000 follows
// take three runs a day apart, each saying when to continue. The clock
// moves only when the program sleeps (pacing) or the test skips to the
// next day, so the counts hold on a loaded machine and under -race.
// GoToSocial has no daily follow limit: one run does them all.
func TestDailyFollowLimit(t *testing.T) {
	eachFlavourParallel(t, func(t *testing.T, fl mastotest.Flavour) {
		start := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
		clock := testClock{mastotest.NewManualClock(start)}
		s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
		export := writeExport(t, s, 1000)
		f, out, errOut := migrateFactory(t, s)

		code := run(context.Background(), []string{"migrate", export, "--to", s.URL, "--yes"}, f)
		if fl.GoToSocial() {
			if code != 0 {
				t.Fatalf("exit %d, want 0: no daily limit\n%s", code, errOut)
			}
			if n := len(s.State().Follows); n != 1000 {
				t.Errorf("%d follows, want 1000", n)
			}
			for _, it := range reportJSON(t, f, out) {
				if it.Status == "deferred" {
					t.Errorf("%s %s deferred on a server without a daily limit", it.Category, it.Item)
				}
			}
			if d := clock.Now().Sub(start); d > 24*time.Hour || clock.Now().Day() != start.Day() {
				t.Errorf("the run took until %v", clock.Now())
			}
			return
		}
		if code != exitTempFail {
			t.Fatalf("first day: exit %d, want %d\n%s", code, exitTempFail, errOut)
		}
		st := s.State()
		if len(st.Follows) != 400 || len(st.DomainBlocks) != 2 || len(st.Blocks) != 3 {
			t.Errorf("first day: %d follows, %d domain blocks, %d blocks; want 400, 2, 3", len(st.Follows), len(st.DomainBlocks), len(st.Blocks))
		}
		msg := errOut.String()
		for _, want := range []string{"600 follows remain", "starts counting again at 2026-03-02 00:00 UTC (in 1", "continue then with: mastomigrate migrate " + export + " --to " + s.URL + " --yes"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message lacks %q:\n%s", want, msg)
			}
		}

		for day, want := range []int{800, 1000} {
			// Sleep through to the next UTC day.
			now := clock.Now()
			clock.Advance(now.Truncate(24 * time.Hour).Add(24*time.Hour + time.Second).Sub(now))
			errOut.Reset()
			code := run(context.Background(), []string{"resume", "--yes"}, f)
			wantCode := exitTempFail
			if want == 1000 {
				wantCode = 0
			}
			if code != wantCode {
				t.Fatalf("day %d: exit %d, want %d\n%s", day+2, code, wantCode, errOut)
			}
			if n := len(s.State().Follows); n != want {
				t.Errorf("day %d: %d follows, want %d", day+2, n, want)
			}
		}
		if l := s.State().Lists["Close friends"]; len(l.Members) != 5 {
			t.Errorf("list: %+v", l)
		}
		if n := s.Throttled(); n > 8 {
			t.Errorf("%d requests drew a 429; the follow limit should cost at most one per worker a day", n)
		}
	})
}

// TestWaitForDailyLimit: with --wait, one run waits for the limit to reset
// (twice, at 4 follows a day) and finishes.
func TestWaitForDailyLimit(t *testing.T) {
	clock := testClock{mastotest.NewManualClock(time.Date(2026, 3, 1, 22, 0, 0, 0, time.UTC))}
	l := mastotest.MastodonLimits()
	l.FollowsPerDay = 4
	s := mastotest.NewServer(t, mastotest.WithClock(clock), mastotest.WithLimits(l))
	export := writeExport(t, s, 10)
	f, _, errOut := migrateFactory(t, s)
	f.Clock = clock
	if code := run(context.Background(), []string{"migrate", export, "--to", s.URL, "--yes", "--wait", "--concurrency", "4"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if n := len(s.State().Follows); n != 10 {
		t.Errorf("%d follows, want 10", n)
	}
	if !strings.Contains(errOut.String(), "daily follow limit is reached; waiting until 2026-03-02 00:00 UTC") {
		t.Errorf("no countdown:\n%s", errOut)
	}
	if clock.Now().Before(time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("finished at %v: it did not wait for the third day", clock.Now())
	}
}

// TestTagFollowsShareDailyLimit: on Mastodon a hashtag follow spends the
// daily follow allowance too (app/models/tag_follow.rb), so an old
// account's 4 follows and 3 followed tags, at 5 a day, leave 2 tags for
// the next day: deferred until the reset, not "retry", and the estimate
// counts all 7. GoToSocial has no daily limit: one run does them all.
func TestTagFollowsShareDailyLimit(t *testing.T) {
	eachFlavourParallel(t, func(t *testing.T, fl mastotest.Flavour) {
		clock := mastotest.NewManualClock(t0)
		old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
		l := fl.Limits()
		if l.FollowsPerDay > 0 {
			l.FollowsPerDay = 5
		}
		neu := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock), mastotest.WithLimits(l))
		for i := range 4 {
			h := fmt.Sprintf("user%d@far.example", i)
			neu.AddHandle(h, mastotest.Account{})
			old.SeedFollow(old.AddHandle(h, mastotest.Account{}), mastotest.FollowState{Reblogs: true})
		}
		for _, tag := range []string{"golang", "fediverse", "mastodon"} {
			old.SeedFollowedTag(tag)
		}
		f, out, errOut, _ := fromFactory(t, old, neu, clock)

		if code := run(context.Background(), []string{"plan", "--from", old.URL, "--to", neu.URL, "--json"}, f); code != 0 {
			t.Fatalf("plan: exit %d\n%s", code, errOut)
		}
		var p struct {
			Target struct {
				Estimate struct {
					Follows    int
					TagFollows int `json:"tag_follows"`
				}
			}
		}
		if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
			t.Fatalf("plan: %v\n%s", err, out)
		}
		if e := p.Target.Estimate; e.Follows != 7 || e.TagFollows != 3 {
			t.Errorf("estimate: %d follows, %d of them hashtags; want 7 and 3", e.Follows, e.TagFollows)
		}

		code := run(context.Background(), []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes"}, f)
		if l.FollowsPerDay == 0 {
			if code != 0 {
				t.Fatalf("exit %d, want 0: no daily limit\n%s", code, errOut)
			}
			if n, tags := len(neu.State().Follows), neu.Extras().FollowedTags; n != 4 || len(tags) != 3 {
				t.Errorf("%d follows, tags %v; want 4 and 3", n, tags)
			}
			return
		}
		if code != exitTempFail {
			t.Fatalf("first day: exit %d, want %d\n%s", code, exitTempFail, errOut)
		}
		if n, tags := len(neu.State().Follows), neu.Extras().FollowedTags; n != 4 || len(tags) != 1 {
			t.Errorf("first day: %d follows, tags %v; want 4 and 1", n, tags)
		}
		for _, want := range []string{"2 hashtag follows remain", "starts counting again at 2026-11-03 "} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("message lacks %q:\n%s", want, errOut)
			}
		}
		deferred := 0
		for _, it := range reportJSON(t, f, out) {
			switch {
			case it.Status == "retry":
				t.Errorf("%s %s is %q (%s), want deferred until the reset", it.Category, it.Item, it.Status, it.Reason)
			case it.Status == "deferred" && it.Category == "followed_tags":
				deferred++
			}
		}
		if deferred != 2 {
			t.Errorf("%d tag follows deferred, want 2", deferred)
		}

		clock.Advance(time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC).Sub(clock.Now()))
		errOut.Reset()
		if code := run(context.Background(), []string{"resume", "--yes"}, f); code != 0 {
			t.Fatalf("next day: exit %d\n%s", code, errOut)
		}
		if tags := neu.Extras().FollowedTags; len(tags) != 3 {
			t.Errorf("next day: tags %v, want all 3", tags)
		}
		if old.Writes() != 0 {
			t.Errorf("%d writes to the old account", old.Writes())
		}
	})
}

// TestPlanNoDailyLimitOnGoToSocial: a plan made against GoToSocial, which
// has no daily follow limit, does not warn of Mastodon's; against
// Mastodon it does.
func TestPlanNoDailyLimitOnGoToSocial(t *testing.T) {
	for _, tt := range []struct {
		fl   mastotest.Flavour
		warn bool
	}{{mastotest.Mastodon45, true}, {mastotest.GoToSocial020, false}} {
		t.Run(tt.fl.String(), func(t *testing.T) {
			s := mastotest.NewServer(t, mastotest.WithFlavour(tt.fl), generous(tt.fl))
			export := writeExport(t, s, 450)
			f, out, errOut := migrateFactory(t, s)
			if code := run(context.Background(), []string{"plan", export, "--to", s.URL, "--json"}, f); code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			var plan struct {
				Warnings []struct{ Code string } `json:"warnings"`
			}
			if err := json.Unmarshal([]byte(out.String()), &plan); err != nil {
				t.Fatal(err)
			}
			warned := false
			for _, w := range plan.Warnings {
				warned = warned || w.Code == "follow_daily_limit"
			}
			if warned != tt.warn {
				t.Errorf("daily limit warning: %v, want %v", warned, tt.warn)
			}
		})
	}
}
