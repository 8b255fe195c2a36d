package api_test

import (
	"context"
	"errors"
	"net/http"
	"reflect"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestImportGoToSocial plays GoToSocial's importer through the client:
// 202, work on the server's clock, the documented quirks.
func TestImportGoToSocial(t *testing.T) {
	ctx := context.Background()
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithClock(clock),
		mastotest.WithImportPace(mastotest.ImportPace{Delay: time.Second, PerSecond: 10}))
	for _, h := range []string{"a@x.example", "b@x.example", "c@x.example", "d@x.example"} {
		s.AddHandle(h, mastotest.Account{Locked: h == "c@x.example"})
	}
	s.SeedFollow(s.ID("d@x.example"), mastotest.FollowState{Reblogs: false, Notify: true})
	c := newClient(t, s, api.Options{})

	// Unequal field counts: the whole file is refused.
	err := c.Import(ctx, api.ImportFollowing, "merge", []byte("Account address,Show boosts\na@x.example,true,extra\n"))
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Status != http.StatusBadRequest {
		t.Fatalf("unequal rows: %v, want a 400", err)
	}
	csv := "Account address,Show boosts,Notify on new posts,Languages\n" +
		"a@x.example,false,true,\"en, de\"\n" + // languages ignored
		"b@x.example,,false,\n" + // an empty boolean: skipped silently
		"c@x.example,true,true,\n" + // locked: a request with the settings
		"d@x.example,true,false,\n" + // existing: merge changes its settings
		"nobody@x.example,true,false,\n" // unknown: skipped
	if err := c.Import(ctx, api.ImportFollowing, "merge", []byte(csv)); err != nil {
		t.Fatal(err)
	}
	if got := len(s.State().Follows); got != 1 {
		t.Fatalf("%d follows at once; the import works in the background", got)
	}
	clock.Advance(time.Minute)
	want := map[string]mastotest.FollowState{
		"a@x.example": {Reblogs: false, Notify: true},
		"c@x.example": {Reblogs: true, Notify: true, Requested: true},
		"d@x.example": {Reblogs: true, Notify: false},
	}
	if got := s.State().Follows; !reflect.DeepEqual(got, want) {
		t.Errorf("follows %+v\nwant %+v", got, want)
	}
	uploads, applied, skipped := s.Imports()
	if uploads["following"] != 1 || applied["following"] != 3 || skipped["following"] != 2 {
		t.Errorf("uploads %v applied %v skipped %v", uploads, applied, skipped)
	}
	// The newest follow is a: d existed before, c is only a request.
	sig, err := c.ImportSignal(ctx, s.MeID, false, false)
	if err != nil || sig.Following != 2 || sig.TopFollow != "a@x.example" {
		t.Errorf("signal %+v, %v", sig, err)
	}
}

func TestImportMastodonHasNoRoute(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.Mastodon45))
	c := newClient(t, s, api.Options{})
	err := c.Import(context.Background(), api.ImportBlocks, "merge", []byte("a@x.example\n"))
	if !errors.Is(err, api.ErrNotFound) {
		t.Errorf("Import on Mastodon: %v, want not found", err)
	}
}
