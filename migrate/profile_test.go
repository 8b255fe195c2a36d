package migrate

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
)

func TestFitProfile(t *testing.T) {
	mastodon42 := api.Server{Software: "mastodon", Version: "4.2.13"}.Capabilities().Profile
	mastodon44 := api.Server{Software: "mastodon", Version: "4.4.0"}.Capabilities().Profile
	gts := api.Server{Software: "gotosocial", Version: "0.20.0"}.Capabilities().Profile
	fields := func(n int) []api.Field {
		var fs []api.Field
		for i := 0; i < n; i++ {
			fs = append(fs, api.Field{Name: "n" + string(rune('1'+i)), Value: "v"})
		}
		return fs
	}
	long := strings.Repeat("a", 40)
	for _, tt := range []struct {
		name   string
		p      api.Profile
		l      api.ProfileLimits
		want   api.Profile
		pieces []string // ProfileCut.Item
	}{
		{"fits", api.Profile{DisplayName: "Me", Note: "Hi", Fields: fields(4), Avatar: make([]byte, 100)}, mastodon42,
			api.Profile{DisplayName: "Me", Note: "Hi", Fields: fields(4), Avatar: make([]byte, 100)}, nil},
		{"long name", api.Profile{DisplayName: long}, mastodon42, api.Profile{DisplayName: long[:30]}, []string{"display name"}},
		{"six fields to Mastodon", api.Profile{Fields: fields(6)}, mastodon42, api.Profile{Fields: fields(4)}, []string{"field 5", "field 6"}},
		{"six fields to GoToSocial", api.Profile{Fields: fields(6)}, gts, api.Profile{Fields: fields(6)}, nil},
		{"long field value", api.Profile{Fields: []api.Field{{Name: "n", Value: strings.Repeat("v", 300)}}}, gts,
			api.Profile{Fields: []api.Field{{Name: "n", Value: strings.Repeat("v", 255)}}}, []string{"field 1"}},
		{"3 MB avatar to 4.2", api.Profile{Avatar: make([]byte, 3<<20), Header: make([]byte, 10)}, mastodon42,
			api.Profile{Header: make([]byte, 10)}, []string{"avatar"}},
		{"exactly 2 MB is over (less_than)", api.Profile{Header: make([]byte, 2<<20)}, mastodon42, api.Profile{}, []string{"header"}},
		{"3 MB avatar to 4.4", api.Profile{Avatar: make([]byte, 3<<20)}, mastodon44, api.Profile{Avatar: make([]byte, 3<<20)}, nil},
		{"no limits known", api.Profile{DisplayName: long, Fields: fields(9)}, api.ProfileLimits{}, api.Profile{DisplayName: long, Fields: fields(9)}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, cuts := FitProfile(&tt.p, tt.l)
			var pieces []string
			for _, c := range cuts {
				pieces = append(pieces, c.Item)
			}
			if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(pieces, tt.pieces) {
				t.Errorf("got %d-character name, %v, avatar %d, header %d, cut %q; want %v, cut %q",
					len(got.DisplayName), got.Fields, len(got.Avatar), len(got.Header), pieces, tt.want.Fields, tt.pieces)
			}
		})
	}
}

// TestFitProfileNote: the bio is cut at a word, ends in "…", fits as
// Mastodon counts (a URL is 23 characters however long), and the report
// quotes exactly the rest.
func TestFitProfileNote(t *testing.T) {
	l := api.ProfileLimits{Note: 500}
	for _, tt := range []struct {
		name, note string
	}{
		{"words", strings.Repeat("lorem ipsum ", 100)},
		{"long URLs count 23", strings.Repeat("see https://example.com/"+strings.Repeat("x", 80)+" ", 30)},
		{"no spaces", strings.Repeat("ä", 900)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			note := strings.TrimSpace(tt.note)
			got, cuts := FitProfile(&api.Profile{Note: tt.note}, l)
			if n := api.NoteLength(got.Note); n > 500 || n < 440 || !strings.HasSuffix(got.Note, "…") {
				t.Fatalf("cut to %d characters: %q", n, got.Note)
			}
			kept := strings.TrimSuffix(got.Note, "…")
			if len(cuts) != 1 || cuts[0].Item != "bio" {
				t.Fatalf("cuts %+v", cuts)
			}
			if rest := note[len(kept):]; !strings.HasPrefix(note, kept) || strings.TrimSpace(rest) != cuts[0].Left {
				t.Errorf("kept %q and left %q do not make up the bio", kept, cuts[0].Left)
			}
		})
	}
}

func TestProfileReadBack(t *testing.T) {
	src := func(name, note string, fields ...api.Field) *api.SourceProfile {
		p := &api.SourceProfile{DisplayName: name}
		p.Source.Note, p.Source.Fields = note, fields
		return p
	}
	sent := &api.Profile{DisplayName: " Me ", Note: "Hi\n", Fields: []api.Field{{Name: "a", Value: "1"}, {Name: "b", Value: ""}}}
	for _, tt := range []struct {
		name string
		got  *api.SourceProfile
		want []string
	}{
		{"all there (trimmed, blank field dropped)", src("Me", "Hi", api.Field{Name: "a", Value: "1"}), nil},
		{"blank field kept", src("Me", "Hi", api.Field{Name: "a", Value: "1"}, api.Field{Name: "b", Value: ""}), nil},
		{"nothing stuck", src("me", "", api.Field{Name: "old", Value: "x"}), []string{"the display name", "the bio", "the fields"}},
		{"bio lost", src("Me", "", api.Field{Name: "a", Value: "1"}), []string{"the bio"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := textsStuck(sent, tt.got); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("stuck %q, want %q", got, tt.want)
			}
		})
	}
	for _, tt := range []struct {
		before, after string
		landed        bool
	}{
		{"https://new.example/avatars/original/missing.png", "https://new.example/system/accounts/avatars/1.png", true},
		{"https://new.example/system/accounts/avatars/1.png", "https://new.example/system/accounts/avatars/2.png", true},
		{"https://new.example/system/accounts/avatars/1.png", "https://new.example/system/accounts/avatars/1.png", false},
		{"https://new.example/avatars/original/missing.png", "https://new.example/avatars/original/missing.png", false},
		{"", "https://gts.example/assets/default_avatars/GoToSocial_icon1.webp", false},
	} {
		if got := pictureLanded(tt.before, tt.after); got != tt.landed {
			t.Errorf("%s -> %s: landed %v, want %v", tt.before, tt.after, got, tt.landed)
		}
	}
}
