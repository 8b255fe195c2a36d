package category

import "testing"

func TestRegistryLookups(t *testing.T) {
	seen := map[Category]bool{}
	for i, c := range Registry {
		if seen[c.Name] {
			t.Errorf("%s twice", c.Name)
		}
		seen[c.Name] = true
		if got, ok := Of(c.Name); !ok || got.Name != c.Name || Index(c.Name) != i {
			t.Errorf("%s: Of %v %v, Index %d, want %d", c.Name, got, ok, Index(c.Name), i)
		}
	}
	for _, tt := range []struct {
		name  Category
		index int
	}{{"follows", 0}, {"domain_blocks", len(Registry) - 1}, {"posts", -1}, {"", -1}} {
		if got := Index(tt.name); got != tt.index {
			t.Errorf("Index(%q) = %d, want %d", tt.name, got, tt.index)
		}
	}
	if _, ok := Of("posts"); ok {
		t.Error("posts are carried by their own lane, not the registry's replay")
	}
	if n := len(Names(nil)); n != len(Registry) {
		t.Errorf("Names(nil) has %d, the registry %d", n, len(Registry))
	}
}
