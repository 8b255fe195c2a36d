package main

import (
	"context"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// TestServerWithGaps migrates to a server without lists and domain blocks
// (as some servers speaking the Mastodon API lack endpoints): the rest is
// carried over, and what could not be done is said plainly.
func TestServerWithGaps(t *testing.T) {
	s, _ := newFake(t, mastotest.Mastodon45, mastotest.WithoutEndpoints(
		"GET /api/v1/lists", "POST /api/v1/lists", "GET /api/v1/domain_blocks", "POST /api/v1/domain_blocks"))
	migratetest.SeedSample(s)
	f, out, errOut := migrateFactory(t, s)
	if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes"), f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	st := s.State()
	// eve and gus are not followed (the export blocks gus and eve's
	// domain); ivy was followed for a list before lists turned out to be
	// missing, as the plan said she would be.
	if len(st.Follows) != 7 || len(st.Blocks) != 1 || len(st.Bookmarks) != 3 {
		t.Errorf("follows %d, blocks %d, bookmarks %d; want 7, 1, 3", len(st.Follows), len(st.Blocks), len(st.Bookmarks))
	}
	if !strings.Contains(out.String(), "this server has no lists API") {
		t.Errorf("the plan does not say the server has no lists:\n%s", out)
	}
	// Reading the category probed it: nothing is sent to a route the
	// server showed it lacks.
	if n := s.Count("POST /api/v1/lists") + s.Count("POST /api/v1/domain_blocks"); n != 0 {
		t.Errorf("%d requests to the missing endpoints, want 0", n)
	}
	out.Reset()
	run(context.Background(), []string{"report"}, f)
	for _, want := range []string{"list members (Tech) dee@gts.example: this server has no lists API", "this server has no domain blocks API"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}
