package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// seedExtras gives the target what the sample export does not have.
func seedExtras(s *mastotest.Server) {
	extra := s.AddHandle("extra@old.example", mastotest.Account{})
	s.SeedFollow(extra, mastotest.FollowState{Reblogs: true})
	s.SeedBlock(s.AddHandle("blocked@x.example", mastotest.Account{}))
	s.SeedMute(s.AddHandle("muted@x.example", mastotest.Account{}), mastotest.MuteState{Notifications: true})
	if !s.Flavour().GoToSocial() { // no user domain blocks there
		s.SeedDomainBlock("unwanted.example")
	}
	// A member of an export list who is not in it, and a list the export
	// does not have, which overwrite leaves alone.
	s.SeedList("Friends", "list", false, extra)
	s.SeedList("Kept", "none", false, extra)
}

// TestOverwrite: --mode overwrite makes the target match the export, on
// each server flavour, only after confirmation (the account's name typed,
// or --yes).
func TestOverwrite(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		tty   bool
		typed string // "me" is completed with the server's domain
		code  int
		apply bool
	}{
		{name: "no terminal, no --yes", code: exitUsage},
		{name: "wrong name typed", tty: true, typed: "yes", code: exitError},
		{name: "name typed", tty: true, typed: "me", apply: true},
		{name: "--yes", args: []string{"--yes"}, apply: true},
	}
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				s, _ := newFake(t, fl)
				migratetest.SeedSample(s)
				seedExtras(s)
				f, _, errOut := migrateFactory(t, s)
				f.IO.InTTY = tt.tty
				typed := tt.typed
				if typed == "me" {
					typed = "me@" + s.Domain
				}
				f.IO.In = strings.NewReader(typed + "\n")
				args := append(sampleArgs("--to", s.URL, "--mode", "overwrite", "--include", "likes"), tt.args...)
				if code := run(context.Background(), args, f); code != tt.code {
					t.Fatalf("exit %d, want %d\n%s", code, tt.code, errOut)
				}
				if !tt.apply {
					if s.Writes() != 0 {
						t.Errorf("%d writes without confirmation", s.Writes())
					}
					return
				}
				want := wantSample(fl)
				want.Lists = map[string]mastotest.ListState{
					"Friends": want.Lists["Friends"],
					"Tech":    want.Lists["Tech"],
					"Kept":    {RepliesPolicy: "none", Members: []string{}},
				}
				got := s.State()
				// extra was unfollowed, which also took it off "Kept" (list
				// members must be followed): Mastodon does the same.
				if !reflect.DeepEqual(got, want) {
					t.Errorf("after overwrite\n got %+v\nwant %+v", got, want)
				}
			})
		}
	})
}

// TestMigrateEachSample migrates each sample export alone onto each
// server flavour. The clock is pinned (testStart), so spoiler's mute,
// which ends 2027-06-01, is carried over whatever the date today.
func TestMigrateEachSample(t *testing.T) {
	expires := time.Date(2027, 6, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		export string
		check  func(t *testing.T, fl mastotest.Flavour, st mastotest.State)
	}{
		{"../../testdata/sample/json-export.zip", func(t *testing.T, fl mastotest.Flavour, st mastotest.State) {
			for _, h := range []string{"ana@mastodon.example", "bo@fosstodon.example", "hal@pixel.example", "jo@mastodon.example"} {
				if _, ok := st.Follows[h]; !ok {
					t.Errorf("%s not followed", h)
				}
			}
			if st.Follows["hal@pixel.example"].Reblogs != true || st.Follows["bo@fosstodon.example"].Notify != true {
				t.Errorf("follow options: %+v", st.Follows)
			}
			want := map[string]mastotest.ListState{
				"Friends": {RepliesPolicy: "followed", Members: []string{"ana@mastodon.example", "jo@mastodon.example"}},
				"Photos":  {RepliesPolicy: "none", Exclusive: true, Members: []string{"hal@pixel.example"}},
				"Empty":   {RepliesPolicy: "list", Members: []string{}},
			}
			if !reflect.DeepEqual(st.Lists, want) {
				t.Errorf("lists %+v", st.Lists)
			}
			// The mute's remaining time is sent as a duration from now;
			// loud was muted on the target already and is left as it is.
			if m := st.Mutes["spoiler@fosstodon.example"]; !m.Notifications || m.ExpiresAt == nil || m.ExpiresAt.Sub(expires).Abs() > time.Minute {
				t.Errorf("spoiler's mute: %+v", m)
			}
			if m := st.Mutes["loud@mastodon.example"]; m.ExpiresAt != nil {
				t.Errorf("an existing mute was changed: %+v", m)
			}
			wantDomains := []string{"ads.example", "blocked.example"}
			if fl.GoToSocial() {
				wantDomains = []string{} // no domain blocks API
			}
			if !reflect.DeepEqual(st.DomainBlocks, wantDomains) {
				t.Errorf("domain blocks %v, want %v", st.DomainBlocks, wantDomains)
			}
		}},
		{"../../testdata/sample/mastodon-archive.tar.gz", func(t *testing.T, fl mastotest.Flavour, st mastotest.State) {
			if len(st.Bookmarks) != 3 || len(st.Favourites) != 3 || len(st.Follows) != 1 {
				t.Errorf("bookmarks %v, favourites %v, follows %v", st.Bookmarks, st.Favourites, st.Follows)
			}
		}},
		{"../../testdata/sample/csv.zip", func(t *testing.T, fl mastotest.Flavour, st mastotest.State) {
			want := wantSample(fl)
			want.Favourites = []string{}
			if !reflect.DeepEqual(st, want) {
				t.Errorf("\n got %+v\nwant %+v", st, want)
			}
		}},
	}
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		for _, tt := range tests {
			t.Run(tt.export, func(t *testing.T) {
				s, _ := newFake(t, fl)
				migratetest.SeedSample(s)
				f, _, errOut := migrateFactory(t, s)
				if code := run(context.Background(), []string{"migrate", tt.export, "--to", s.URL, "--yes", "--include", "likes"}, f); code != 0 {
					t.Fatalf("exit %d\n%s", code, errOut)
				}
				tt.check(t, fl, s.State())
			})
		}
	})
}
