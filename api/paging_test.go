package api_test

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// collect reads a whole list, each item by key.
func collect[T any](seq iter.Seq2[T, error], key func(T) string) ([]string, error) {
	var out []string
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, key(v))
	}
	return out, nil
}

func username(a *api.Account) string { return a.Username }

// TestPagesPastFilteredRows: GoToSocial builds a page's Link from its raw
// rows and filters them afterwards (see mastotest's pageHiding), so a
// page can come back short or empty with a "next" that leads to more.
// Each case puts a page of filtered rows (after liveOnTop live ones)
// above more live ones; reading must reach every live one, on every
// flavour.
func TestPagesPastFilteredRows(t *testing.T) {
	past := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
	cases := []struct {
		name string
		// seed adds the i-th row, live or one the server filters out,
		// and returns its key.
		seed      func(s *mastotest.Server, i int, live bool) string
		read      func(ctx context.Context, c *api.Client, me string) ([]string, error)
		liveOnTop int
		filtered  int
		gtsOnly   bool
	}{
		{
			name: "expired mutes",
			seed: func(s *mastotest.Server, i int, live bool) string {
				m := mastotest.MuteState{Notifications: true}
				if !live {
					m.ExpiresAt = &past
				}
				name := fmt.Sprint("m", i)
				s.SeedMute(s.AddHandle(name+"@far.example", mastotest.Account{}), m)
				return name
			},
			read: func(ctx context.Context, c *api.Client, _ string) ([]string, error) {
				return collect(c.Mutes(ctx), username)
			},
			filtered: api.MutesPage,
			// Mastodon deletes a mute when it expires
			// (app/services/mute_service.rb schedules
			// MuteExpirationWorker), which the fake does not model.
			gtsOnly: true,
		},
		{
			name: "suspended follows",
			seed: func(s *mastotest.Server, i int, live bool) string {
				name := fmt.Sprint("f", i)
				s.SeedFollow(s.AddHandle(name+"@far.example", mastotest.Account{Suspended: !live}), mastotest.FollowState{Reblogs: true})
				return name
			},
			read: func(ctx context.Context, c *api.Client, me string) ([]string, error) {
				return collect(c.Following(ctx, me), username)
			},
			filtered: 80,
		},
		{
			// GoToSocial answers a bookmarks page the filter leaves
			// empty without any Link (internal/util/paging.go
			// PackagePageableResponse): no client can go on from there,
			// so a live post keeps the first page short instead.
			name: "bookmarks of deleted posts",
			seed: func(s *mastotest.Server, i int, live bool) string {
				uri := fmt.Sprint("https://far.example/s/", i)
				s.SeedBookmark(s.AddPost(mastotest.Status{URI: uri, Deleted: !live}))
				return uri
			},
			read: func(ctx context.Context, c *api.Client, _ string) ([]string, error) {
				return collect(c.Bookmarks(ctx), func(st *api.Status) string { return st.URI })
			},
			liveOnTop: 1,
			filtered:  39,
		},
	}
	for _, tc := range cases {
		for _, fl := range mastotest.Flavours() {
			if tc.gtsOnly && !fl.GoToSocial() {
				continue
			}
			t.Run(tc.name+"/"+fl.String(), func(t *testing.T) {
				clock := mastotest.NewManualClock(past.Add(24 * time.Hour))
				s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
				c := newClient(t, s, api.Options{})
				ctx := context.Background()
				// Newest first: the rows seeded last come on the first page.
				var want []string
				for i := range 3 {
					want = append(want, tc.seed(s, i, true))
				}
				for i := range tc.filtered {
					tc.seed(s, 100+i, false)
				}
				for i := range tc.liveOnTop {
					want = append(want, tc.seed(s, 200+i, true))
				}
				me, err := c.Me(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got, err := tc.read(ctx, c, me.ID)
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(got)
				slices.Sort(want)
				if !slices.Equal(got, want) {
					t.Errorf("read %v, want %v", got, want)
				}
			})
		}
	}
}

// TestPagesStopWhenNextStandsStill: a "next" that asks again for the page
// just read would loop forever; reading ends there instead.
func TestPagesStopWhenNextStandsStill(t *testing.T) {
	var calls int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		if calls < 5 { // then gives up, so that a loop shows as a count
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/api/v1/mutes?limit=80&max_id=7>; rel="next"`, r.Host))
		}
		fmt.Fprint(w, "[]")
	}))
	t.Cleanup(srv.Close)
	c, err := api.New(srv.URL, api.Options{Token: "t", Backoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	got, err := collect(c.Mutes(context.Background()), username)
	if err != nil || len(got) != 0 || calls != 2 {
		t.Errorf("read %v, %v in %d requests, want nothing in 2", got, err, calls)
	}
}
