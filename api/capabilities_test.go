package api

import (
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/category"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's compatibility table from the code's table")

const (
	compatStart = "<!-- compat: written by `go test ./api -run TestCompatibilityTable -update-readme`; do not edit -->"
	compatEnd   = "<!-- end of compat -->"
)

// TestCompatibilityTable keeps the README's table the one the code uses.
func TestCompatibilityTable(t *testing.T) {
	const path = "../README.md"
	readme, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(readme)
	i, j := strings.Index(s, compatStart), strings.Index(s, compatEnd)
	if i < 0 || j < i {
		t.Fatalf("the README lacks the compat markers")
	}
	want := s[:i+len(compatStart)] + "\n\n" + CompatibilityTable() + "\n" + s[j:]
	if want == s {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the README's compatibility table differs from the code's; run go test ./api -run TestCompatibilityTable -update-readme\n%s", CompatibilityTable())
}

func TestCapabilities(t *testing.T) {
	for _, tt := range []struct {
		s      Server
		name   string
		follow Lane
	}{
		{Server{"mastodon", "4.5.0"}, "Mastodon 4.3+", LaneWebImport},
		{Server{"mastodon", "4.2.13"}, "Mastodon 4.2", LaneWebImport},
		{Server{"gotosocial", "0.20.0"}, "GoToSocial 0.18+", LaneImport},
		{Server{"gotosocial", "0.17.3"}, "GoToSocial", LaneAPI},
		{Server{"akkoma", "3.13.2"}, "Akkoma", LaneAPI},
		{Server{"", "1.0"}, "other (treated as Mastodon, probed)", LaneAPI},
	} {
		c := tt.s.Capabilities()
		if c.Name != tt.name || c.Fastest("follows") != tt.follow {
			t.Errorf("%+v: %s, follows by %q; want %s, %q", tt.s, c.Name, c.Fastest("follows"), tt.name, tt.follow)
		}
	}
	if (Server{"gotosocial", "0.20.0"}).Capabilities().Fastest("domain_blocks") != "" {
		t.Error("GoToSocial has no user domain blocks")
	}
}

// TestServerNodeinfo: a server without the Mastodon instance API is named
// by its nodeinfo.
func TestServerNodeinfo(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/nodeinfo":
			w.Write([]byte(`{"links":[{"rel":"http://nodeinfo.diaspora.software/ns/schema/2.0","href":"` + srv.URL + `/nodeinfo/2.0"}]}`))
		case "/nodeinfo/2.0":
			w.Write([]byte(`{"version":"2.0","software":{"name":"akkoma","version":"3.13.2"}}`))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL, Options{Transport: srv.Client().Transport})
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Server(context.Background()); got != (Server{"akkoma", "3.13.2"}) {
		t.Errorf("Server() = %+v", got)
	}
}

func TestCapabilitiesRefuses(t *testing.T) {
	for _, tt := range []struct {
		srv  Server
		cat  category.Category
		want bool
	}{
		{Server{Software: "gotosocial", Version: "0.20.0"}, "endorsements", true},
		{Server{Software: "gotosocial", Version: "0.20.0"}, "featured_tags", true},
		{Server{Software: "gotosocial", Version: "0.20.0"}, "follows", false},
		{Server{Software: "mastodon", Version: "4.5.0"}, "endorsements", false},
		{Server{Software: "mastodon", Version: "4.2.13"}, "featured_tags", false},
	} {
		if got := tt.srv.Capabilities().Refuses(tt.cat); got != tt.want {
			t.Errorf("%s %s refuses %s: %v, want %v", tt.srv.Software, tt.srv.Version, tt.cat, got, tt.want)
		}
	}
}

// TestProfileLimits: Mastodon's pictures grew from 2 MB to 8 MB in 4.4,
// inside the capability entry that starts at 4.3.
func TestProfileLimits(t *testing.T) {
	for _, tt := range []struct {
		s       Server
		fields  int
		note    int
		picture int64
	}{
		{Server{"mastodon", "4.2.0"}, 4, 500, 2<<20 - 1},
		{Server{"mastodon", "4.3.8"}, 4, 500, 2<<20 - 1},
		{Server{"mastodon", "4.4.0"}, 4, 500, 8<<20 - 1},
		{Server{"mastodon", "4.5.0"}, 4, 500, 8<<20 - 1},
		{Server{"gotosocial", "0.20.0"}, 6, 0, 40 << 20},
		{Server{"akkoma", "3.13.2"}, 0, 0, 0},
		{Server{"", "1.0"}, 4, 500, 8<<20 - 1},
	} {
		l := tt.s.Capabilities().Profile
		if l.Fields != tt.fields || l.Note != tt.note || l.Picture != tt.picture {
			t.Errorf("%+v: %+v", tt.s, l)
		}
	}
}

func TestNoteLength(t *testing.T) {
	for _, tt := range []struct {
		s    string
		want int
	}{
		{"hello", 5},
		{"äöü", 3},
		{"see https://example.com/" + strings.Repeat("x", 100), 4 + 23},
		{"see http://a.b", 4 + 23}, // short URLs count 23 too
		{"hi @alice@social.example.org!", len("hi @alice!")},
	} {
		if got := NoteLength(tt.s); got != tt.want {
			t.Errorf("NoteLength(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
}

// TestFilterAction: blur is carried as warn where the server has no blur.
func TestFilterAction(t *testing.T) {
	for _, tc := range []struct {
		software, version, action, want string
		changed                         bool
	}{
		{"mastodon", "4.2.13", "blur", "warn", true},
		{"mastodon", "4.3.8", "blur", "warn", true},
		{"mastodon", "4.3.8", "hide", "hide", false},
		{"mastodon", "4.4.0", "blur", "blur", false},
		{"mastodon", "4.5.0", "blur", "blur", false},
		{"gotosocial", "0.20.0", "blur", "warn", true},
		{"akkoma", "3.10", "blur", "blur", false}, // not pinned down: sent as it is
	} {
		got, changed := Server{Software: tc.software, Version: tc.version}.Capabilities().FilterAction(tc.action)
		if got != tc.want || changed != tc.changed {
			t.Errorf("%s %s %s: %s %v, want %s %v", tc.software, tc.version, tc.action, got, changed, tc.want, tc.changed)
		}
	}
}
