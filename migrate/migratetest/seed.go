// Package migratetest seeds the fake server with the accounts the sample
// exports name, for tests of the whole migration.
package migratetest

import (
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// SeedSample gives the fake server every account and status the sample
// exports name, each kind of case once:
//   - chris@old.example is gone (his server shut down): not found;
//   - dee@gts.example and bo@fosstodon.example are unknown to the server
//     until a search resolves them;
//   - lou@locked.example is locked; max@moved.example moved to max@elsewhere.example;
//   - troll@bad.example is suspended;
//   - ana is already followed and loud already muted on the target.
func SeedSample(s *mastotest.Server) {
	for _, h := range []string{"ana@mastodon.example", "fay@mastodon.example", "eve@blocked.example",
		"gus@spam.example", "ivy@notfollowed.example", "loud@mastodon.example", "noisy@gts.example",
		"jo@mastodon.example", "hal@pixel.example", "spoiler@fosstodon.example"} {
		s.AddHandle(h, mastotest.Account{})
	}
	s.AddHandle("dee@gts.example", mastotest.Account{Unknown: true})
	s.AddHandle("bo@fosstodon.example", mastotest.Account{Unknown: true})
	s.AddHandle("lou@locked.example", mastotest.Account{Locked: true})
	s.AddHandle("troll@bad.example", mastotest.Account{Suspended: true})
	newMax := s.AddHandle("max@elsewhere.example", mastotest.Account{})
	s.AddHandle("max@moved.example", mastotest.Account{MovedTo: newMax})
	for _, u := range []string{"https://mastodon.example/users/ana/statuses/1001", "https://fosstodon.example/users/bo/statuses/2002",
		"https://mastodon.example/users/fay/statuses/3003", "https://gts.example/users/dee/statuses/01HX9"} {
		s.AddStatus(u, false)
	}
	s.AddStatus("https://gts.example/users/dee/statuses/01HX3", true)
	s.SeedFollow(s.ID("ana@mastodon.example"), mastotest.FollowState{Reblogs: true})
	s.SeedMute(s.ID("loud@mastodon.example"), mastotest.MuteState{Notifications: true})
}
