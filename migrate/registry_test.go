package migrate

import (
	"slices"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/importcsv"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestRegistry: every list of categories comes from the one registry,
// and what the registry says agrees with the code that acts on it.
func TestRegistry(t *testing.T) {
	if !slices.Equal(Categories, category.Names(nil)) {
		t.Errorf("Categories %v are not the registry's", Categories)
	}
	for _, cat := range ExtraCategories {
		if i := slices.Index(Categories, cat); i < slices.Index(Categories, "follows") {
			t.Errorf("extra %s replays before follows: an endorsement needs its follow", cat)
		}
	}
	if !slices.Equal(api.CompatCategories, category.Names(func(c category.Info) bool { return c.Compat })) {
		t.Errorf("the compatibility table's columns %v are not the registry's", api.CompatCategories)
	}
	for _, c := range category.Registry {
		t.Run(string(c.Name), func(t *testing.T) {
			// The runner sends the category's op (send's default is an
			// "unknown step" error).
			if c.Op == "" {
				t.Error("no op")
			}
			// A category with a file in Mastodon's exports is written back
			// to it by the CSV writer, with the file's name.
			if c.CSV == "" {
				return
			}
			i := slices.IndexFunc(importcsv.Kinds, func(k importcsv.Kind) bool { return k.Category == c.Name })
			if i < 0 && c.Name != category.Lists {
				t.Fatalf("no CSV kind for %s", c.Name)
			}
			if i >= 0 && importcsv.Kinds[i].File+".csv" != c.CSV {
				t.Errorf("CSV kind's file %s, registry's %s", importcsv.Kinds[i].File, c.CSV)
			}
			if i >= 0 {
				if kind, _ := importcsv.Row(journal.Step{Op: c.Op, Item: "a@b.example", List: "L"}); kind != importcsv.Kinds[i].Type {
					t.Errorf("a %s step goes to %q, not its file's type %q", c.Op, kind, importcsv.Kinds[i].Type)
				}
			}
		})
	}
	for _, read := range []string{"follows", "lists", "favourites", "filters"} {
		if len(category.ProbedBy(read)) == 0 {
			t.Errorf("the read of %s probes no category", read)
		}
	}
	if got := category.ProbedBy("lists"); !slices.Equal(got, []category.Category{"lists", "list_members"}) {
		t.Errorf("lists probes %v", got)
	}
}
