package migrate_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

func TestCheck(t *testing.T) {
	s := mastotest.NewServer(t)
	migratetest.SeedSample(s)
	c, err := api.New(s.URL, api.Options{Token: s.Token})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	set, err := archive.Open(ctx, "../testdata/sample/mastodon-archive.zip", "../testdata/sample/csv")
	if err != nil {
		t.Fatal(err)
	}
	set.Close()
	e := set.Export()
	ch, _, err := migrate.Check(ctx, c, nil, e, &migrate.Resolver{Client: c, Workers: 4}, migrate.Options{IncludeLikes: true, Now: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]migrate.CategoryReport{}
	for _, cr := range ch.Categories {
		got[string(cr.Name)] = *cr
	}
	// follows: 9 in the CSV; ana already followed, chris not found, max
	// moved (followed at the new address), lou locked, eve and gus not
	// followed since the export blocks them or their domain; ivy is
	// followed to be added to the Tech list.
	want := map[string]migrate.CategoryReport{
		"follows":       {Name: "follows", ToDo: 6, Already: 1, Unresolved: 1, Moved: 1, Locked: 1},
		"lists":         {Name: "lists", ToDo: 2},
		"list_members":  {Name: "list_members", ToDo: 4},
		"bookmarks":     {Name: "bookmarks", ToDo: 3},
		"likes":         {Name: "likes", ToDo: 3},
		"mutes":         {Name: "mutes", ToDo: 1, Already: 1},
		"blocks":        {Name: "blocks", ToDo: 1, Suspended: 1},
		"domain_blocks": {Name: "domain_blocks", ToDo: 2},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s:\n got %+v\nwant %+v", name, got[name], w)
		}
	}
	var moved bool
	for _, p := range ch.Problems {
		if p.Kind == "moved" && p.Item == "max@moved.example" && p.NewAddress == "max@elsewhere.example" {
			moved = true
		}
	}
	if !moved {
		t.Errorf("no moved problem with the new address: %+v", ch.Problems)
	}
	blocked := map[string]bool{}
	for _, p := range ch.Problems {
		if p.Kind == "blocked" {
			blocked[p.Item] = true
		}
	}
	if !blocked["gus@spam.example"] || !blocked["eve@blocked.example"] || len(blocked) != 2 {
		t.Errorf("follows undone by the export's own blocks: %v, want gus and eve", blocked)
	}
	if !strings.Contains(ch.Estimate.Text, "6 follows at 400 a day: within a day") {
		t.Errorf("estimate: %q", ch.Estimate.Text)
	}
	for route, n := range s.Counts() {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("the check sent %d %s", n, route)
		}
	}
}
