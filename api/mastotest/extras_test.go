package mastotest

import (
	"fmt"
	"testing"
)

// TestFeaturedTagAnswers: what each flavour answers a featured hashtag it
// refuses (extras.go featureTag), and that names keep their case.
func TestFeaturedTagAnswers(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		add := func(name string) answer { return req(t, s, "POST", "/api/v1/featured_tags", vals("name", name)) }
		if fl.GoToSocial() {
			want(t, "feature", add("MastoArt"), 404, "Not Found")
			return
		}
		a := add("MastoArt")
		want(t, "feature", a, 200, "")
		if got := a.obj(t)["name"]; got != "MastoArt" {
			t.Errorf("name %q, want MastoArt", got)
		}
		old := !fl.mastodonAtLeast(4, 4)
		refused := func(what string, a answer, words string) {
			t.Helper()
			if old {
				want(t, what, a, 500, "Internal Server Error")
			} else {
				want(t, what, a, 422, "Validation failed: "+words)
			}
		}
		if old {
			want(t, "repeat", add("mastoart"), 500, "Internal Server Error")
		} else {
			// 4.4+ finds the tag by its name as given, case and all: only
			// that repeat is answered with the existing tag.
			if a := add("#MastoArt"); a.status != 200 || a.obj(t)["name"] != "MastoArt" {
				t.Errorf("repeat: %d %s, want 200 and the existing tag", a.status, a.body)
			}
			refused("repeat in another case", add("mastoart"), "Name has already been taken")
		}
		refused("bad name", add("no-such"), "Name is invalid")
		for i := 1; i < FeaturedTagLimit; i++ {
			want(t, "feature", add(fmt.Sprintf("Tag%d", i)), 200, "")
		}
		refused("over the limit", add("OneTooMany"), "You have already featured the maximum number of hashtags")
		if n := len(s.Extras().FeaturedTags); n != FeaturedTagLimit {
			t.Errorf("%d featured, want %d", n, FeaturedTagLimit)
		}
	})
}

// TestEndorsementRoutes: GoToSocial has no endorsements at all (404 as
// any unknown route); Mastodon endorses with pin before 4.4, with endorse
// or pin from 4.4.
func TestEndorsementRoutes(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		id := s.AddHandle("ana@a.example", Account{})
		s.SeedFollow(id, FollowState{})
		gts, before44 := fl.GoToSocial(), !fl.mastodonAtLeast(4, 4)
		for _, tt := range []struct {
			method, path string
			there        bool
		}{
			{"GET", "/api/v1/endorsements", !gts},
			{"POST", "/api/v1/accounts/" + id + "/pin", !gts},
			{"POST", "/api/v1/accounts/" + id + "/endorse", !gts && !before44},
		} {
			a := req(t, s, tt.method, tt.path, nil)
			if tt.there {
				want(t, tt.method+" "+tt.path, a, 200, "")
			} else {
				want(t, tt.method+" "+tt.path, a, 404, "Not Found")
			}
		}
	})
}
