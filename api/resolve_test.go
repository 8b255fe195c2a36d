package api_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

func TestResolve(t *testing.T) {
	s := mastotest.NewServer(t)
	local := s.AddAccount(mastotest.Account{Username: "neighbour"})
	known := s.AddAccount(mastotest.Account{Username: "ana", Domain: "mastodon.example"})
	unknown := s.AddAccount(mastotest.Account{Username: "bo", Domain: "fosstodon.example", Unknown: true})
	target := s.AddAccount(mastotest.Account{Username: "max", Domain: "new.example"})
	moved := s.AddAccount(mastotest.Account{Username: "max", Domain: "moved.example", MovedTo: target})
	locked := s.AddAccount(mastotest.Account{Username: "lou", Domain: "locked.example", Locked: true})
	c := newClient(t, s, api.Options{})
	ctx := context.Background()

	tests := []struct {
		q      string
		id     string
		err    error
		moved  string
		locked bool
	}{
		{q: "neighbour@new.example", id: local},
		{q: "@Neighbour@New.Example", id: local},
		{q: "ana@mastodon.example", id: known},
		{q: "https://mastodon.example/users/ana", id: known},
		{q: "https://mastodon.example/@ana", id: known},
		{q: "bo@fosstodon.example", id: unknown},
		{q: "max@moved.example", id: moved, moved: target},
		{q: "lou@locked.example", id: locked, locked: true},
		{q: "nobody@nowhere.example", err: api.ErrNotFound},
	}
	for _, tt := range tests {
		a, err := c.Resolve(ctx, tt.q)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: %v, want %v", tt.q, err, tt.err)
			}
			continue
		}
		if err != nil || a.ID != tt.id {
			t.Errorf("%s: %+v, %v; want id %s", tt.q, a, err, tt.id)
			continue
		}
		if (a.Moved != nil) != (tt.moved != "") || (a.Moved != nil && a.Moved.ID != tt.moved) {
			t.Errorf("%s: moved %+v, want %s", tt.q, a.Moved, tt.moved)
		}
		if a.Locked != tt.locked {
			t.Errorf("%s: locked %v", tt.q, a.Locked)
		}
	}

	// Every answer, found or not, is cached for the run.
	before := s.Count("")
	for _, tt := range tests {
		c.Resolve(ctx, tt.q)
	}
	if n := s.Count("") - before; n != 0 {
		t.Errorf("resolving again sent %d requests, want 0", n)
	}
}

// TestResolveWithoutSearch covers servers lacking /api/v2/search.
func TestResolveWithoutSearch(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithoutEndpoints("GET /api/v2/search"))
	id := s.AddAccount(mastotest.Account{Username: "ana", Domain: "mastodon.example"})
	c := newClient(t, s, api.Options{})
	a, err := c.Resolve(context.Background(), "ana@mastodon.example")
	if err != nil || a.ID != id {
		t.Fatalf("%+v, %v", a, err)
	}
}

func TestPagination(t *testing.T) {
	s := mastotest.NewServer(t)
	ctx := context.Background()
	for i := 0; i < 205; i++ {
		id := s.AddAccount(mastotest.Account{Username: fmt.Sprint("f", i), Domain: "x.example"})
		s.SeedFollow(id, mastotest.FollowState{Reblogs: true})
		s.SeedBlock(s.AddAccount(mastotest.Account{Username: fmt.Sprint("b", i), Domain: "y.example"}))
	}
	for i := 0; i < 450; i++ {
		s.SeedDomainBlock(fmt.Sprintf("d%d.example", i))
	}
	c := newClient(t, s, api.Options{})
	count := func(seq func(func(string, error) bool)) int {
		n := 0
		for _, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	ids := func(it func(func(*api.Account, error) bool)) func(func(string, error) bool) {
		return func(yield func(string, error) bool) {
			for a, err := range it {
				if !yield(a.ID, err) {
					return
				}
			}
		}
	}
	tests := []struct {
		name  string
		seq   func(func(string, error) bool)
		route string
		items int
		pages int
	}{
		{"following", ids(c.Following(ctx, s.MeID)), "GET /api/v1/accounts/:id/following", 205, 3},
		{"blocks", ids(c.Blocks(ctx)), "GET /api/v1/blocks", 205, 3},
		{"domain blocks", c.DomainBlocks(ctx), "GET /api/v1/domain_blocks", 450, 3},
	}
	for _, tt := range tests {
		if n := count(tt.seq); n != tt.items {
			t.Errorf("%s: %d items, want %d", tt.name, n, tt.items)
		}
		if p := s.Count(tt.route); p != tt.pages {
			t.Errorf("%s: %d pages, want %d", tt.name, p, tt.pages)
		}
	}
}

// TestPacingAvoids429 sends more requests than one window allows, on a
// clock that moves only when the pacer sleeps: the pacer must wait for
// each reset instead of drawing a 429.
func TestPacingAvoids429(t *testing.T) {
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	l := mastotest.MastodonLimits()
	l.Requests = 20
	s := mastotest.NewServer(t, mastotest.WithClock(clock), mastotest.WithLimits(l))
	c := newClient(t, s, api.Options{Clock: clock})
	ctx := context.Background()
	errs := make(chan error, 50)
	for i := 0; i < 50; i++ {
		go func() { _, err := c.Me(ctx); errs <- err }()
	}
	for i := 0; i < 50; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Throttled(); n != 0 {
		t.Errorf("%d requests drew a 429", n)
	}
}

// TestResolveURIOnGoToSocial: GoToSocial's accounts have no uri, and a
// remote account's url is its profile page, so an export that names
// accounts by actor id (the JSON export) must still find them there.
func TestResolveURIOnGoToSocial(t *testing.T) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
	hal := s.AddAccount(mastotest.Account{Username: "hal", Domain: "pixel.example", Unknown: true})
	c := newClient(t, s, api.Options{})
	for _, q := range []string{"https://pixel.example/users/hal", "https://pixel.example/@hal"} {
		a, err := c.Resolve(context.Background(), q)
		if err != nil || a.ID != hal {
			t.Errorf("%s: %+v, %v; want hal (%s)", q, a, err, hal)
		}
	}
	if _, err := c.Resolve(context.Background(), "https://pixel.example/users/nobody"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("nobody: %v, want ErrNotFound", err)
	}
}

// TestResolveBeyondSearch: a local account is looked up (one request,
// whatever search makes of a host with a port); a remote handle search
// cannot read is looked up before it is called not found.
func TestResolveBeyondSearch(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithHostDomain())
			carol := s.AddHandle("carol@"+s.Domain, mastotest.Account{})
			dave := s.AddHandle("dave@other.example:9090", mastotest.Account{}) // known there
			c := newClient(t, s, api.Options{})
			ctx := context.Background()
			c.Domain(ctx)
			for _, tc := range []struct {
				q, id    string
				requests int
			}{
				{"carol@" + s.Domain, carol, 1},
				{"dave@other.example:9090", dave, map[bool]int{true: 2, false: 1}[fl.GoToSocial()]},
			} {
				before := s.Count("")
				a, err := c.Resolve(ctx, tc.q)
				if err != nil || a.ID != tc.id {
					t.Errorf("%s: %+v %v", tc.q, a, err)
				}
				if n := s.Count("") - before; n != tc.requests {
					t.Errorf("%s: %d requests, want %d", tc.q, n, tc.requests)
				}
			}
			if _, err := c.Resolve(ctx, "nobody@"+s.Domain); !errors.Is(err, api.ErrNotFound) {
				t.Errorf("nobody: %v", err)
			}
		})
	}
}
