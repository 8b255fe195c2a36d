package api_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestEndorseByVersion: pin before Mastodon 4.4, endorse from it, each
// tried first by the version; GoToSocial has neither, which reads as a
// missing route (ErrNotFound with no record meant).
func TestEndorseByVersion(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl))
			id := s.AddHandle("fay@f.example", mastotest.Account{})
			c := newClient(t, s, api.Options{})
			ctx := context.Background()
			if _, err := c.Follow(ctx, id, api.FollowOptions{}); err != nil {
				t.Fatal(err)
			}
			_, err := c.Endorse(ctx, id)
			if fl.GoToSocial() {
				var ae *api.Error
				if !errors.As(err, &ae) || ae.Status != 404 || ae.Message != "Not Found" {
					t.Fatalf("endorse on GoToSocial: %v, want the missing route's 404", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			used, wasted := "POST /api/v1/accounts/:id/endorse", "POST /api/v1/accounts/:id/pin"
			if fl == mastotest.Mastodon42 || fl == mastotest.Mastodon43 {
				used, wasted = wasted, used
			}
			if s.Count(used) != 1 || s.Count(wasted) != 0 {
				t.Errorf("requests: %v", s.Counts())
			}
			if got := s.Extras().Endorsed; len(got) != 1 || got[0] != "fay@f.example" {
				t.Errorf("endorsed %v", got)
			}
		})
	}
}

// TestEndorseNeedsFollow: Mastodon refuses to endorse an account not
// followed (or only requested) with a 422 naming the follow.
func TestEndorseNeedsFollow(t *testing.T) {
	s := mastotest.NewServer(t)
	id := s.AddHandle("fay@f.example", mastotest.Account{Locked: true})
	c := newClient(t, s, api.Options{})
	ctx := context.Background()
	c.Follow(ctx, id, api.FollowOptions{})
	var ae *api.Error
	if _, err := c.Endorse(ctx, id); !errors.As(err, &ae) || ae.Status != 422 {
		t.Fatalf("endorse of a request: %v", err)
	}
	s.AcceptFollow("fay@f.example")
	if _, err := c.Endorse(ctx, id); err != nil {
		t.Fatal(err)
	}
}

// TestFilterRoundTrip: a filter made with its keywords reads back the
// same on every flavour, with its expiry from expires_in; a keyword added
// later reads back too.
func TestFilterRoundTrip(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC))
			s := mastotest.NewServer(t, mastotest.WithClock(clock), mastotest.WithFlavour(fl))
			c := newClient(t, s, api.Options{})
			ctx := context.Background()
			f := &api.Filter{Title: "Spoilers", Context: []string{"home", "thread"}, Action: "hide",
				Keywords: []api.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: "leak"}, {Keyword: "plot twist"}}}
			made, err := c.CreateFilter(ctx, f, 48*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.AddFilterKeyword(ctx, made.ID, api.FilterKeyword{Keyword: "ending", WholeWord: true}); err != nil {
				t.Fatal(err)
			}
			g, err := c.Filter(ctx, made.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := append(f.Keywords, api.FilterKeyword{Keyword: "ending", WholeWord: true})
			if g.Title != f.Title || g.Action != "hide" || !reflect.DeepEqual(g.Context, f.Context) || !reflect.DeepEqual(g.Keywords, want) ||
				g.ExpiresAt == nil || !g.ExpiresAt.Equal(clock.Now().Add(48*time.Hour)) {
				t.Errorf("read back %+v", g)
			}
		})
	}
}
