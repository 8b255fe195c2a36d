package mastotest

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// TestFilterCreatePerFlavour: which keyword shapes each server binds, and
// which actions it takes (flavour.go filterKeywords, filterActionRefused).
func TestFilterCreatePerFlavour(t *testing.T) {
	indexed := url.Values{"keywords_attributes[0][keyword]": {"spoiler"}, "keywords_attributes[0][whole_word]": {"true"},
		"keywords_attributes[1][keyword]": {"leak"}, "keywords_attributes[1][whole_word]": {"false"}}
	array := url.Values{"keywords_attributes[][keyword]": {"spoiler", "leak"}, "keywords_attributes[][whole_word]": {"true", "false"}}
	both := []FilterKeyword{{"spoiler", true}, {"leak", false}}
	cases := []struct {
		fl                Flavour
		fromIndexed       []FilterKeyword
		blur, bogus       int // status for filter_action blur, and for an unknown one
		defaultWholeArray bool
	}{
		{Mastodon42, both, 500, 500, true},
		{Mastodon43, both, 500, 500, true},
		{Mastodon45, both, 200, 422, true},
		{GoToSocial020, nil, 422, 422, false},
	}
	for _, tc := range cases {
		t.Run(tc.fl.String(), func(t *testing.T) {
			s := NewServer(t, WithFlavour(tc.fl))
			create := func(title string, extra url.Values) answer {
				v := url.Values{"title": {title}, "context[]": {"home"}}
				for k, vs := range extra {
					v[k] = vs
				}
				return req(t, s, "POST", "/api/v2/filters", v)
			}
			for title, form := range map[string]url.Values{"indexed": indexed, "array": array,
				"no whole_word": {"keywords_attributes[][keyword]": {"x"}}} {
				if a := create(title, form); a.status != 200 {
					t.Fatalf("%s: %d %s", title, a.status, a.body)
				}
			}
			body := `{"title":"json","context":["home"],"keywords_attributes":[{"keyword":"spoiler","whole_word":true},{"keyword":"leak","whole_word":false}]}`
			r, _ := http.NewRequest("POST", s.URL+"/api/v2/filters", strings.NewReader(body))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Authorization", "Bearer "+s.Token)
			if resp, err := s.Client().Do(r); err != nil || resp.StatusCode != 200 {
				t.Fatalf("json: %v %v", resp, err)
			}
			x := s.Extras().Filters
			if got := x["json"].Keywords; !reflect.DeepEqual(got, both) {
				t.Errorf("JSON keywords: %+v, want %+v", got, both)
			}
			if got := x["indexed"].Keywords; !reflect.DeepEqual(got, tc.fromIndexed) {
				t.Errorf("indexed keywords: %+v, want %+v", got, tc.fromIndexed)
			}
			if got := x["array"].Keywords; !reflect.DeepEqual(got, both) {
				t.Errorf("array keywords: %+v, want %+v", got, both)
			}
			if got := x["no whole_word"].Keywords; len(got) != 1 || got[0].WholeWord != tc.defaultWholeArray {
				t.Errorf("whole_word by default: %+v", got)
			}
			if a := create("blur", url.Values{"filter_action": {"blur"}}); a.status != tc.blur {
				t.Errorf("blur: %d %s, want %d", a.status, a.body, tc.blur)
			}
			if a := create("bogus", url.Values{"filter_action": {"shout"}}); a.status != tc.bogus {
				t.Errorf("unknown action: %d %s, want %d", a.status, a.body, tc.bogus)
			}
			long := strings.Repeat("x", 41)
			wantLong := map[bool]int{true: 422, false: 200}[tc.fl.GoToSocial()]
			if a := create("long", url.Values{"keywords_attributes[][keyword]": {long}, "keywords_attributes[][whole_word]": {"false"}}); a.status != wantLong {
				t.Errorf("a keyword of 41 characters: %d %s, want %d", a.status, a.body, wantLong)
			}
			// GoToSocial: a title of at most 200 characters (formvalidation.go
			// maximumFilterTitleLength); Mastodon: presence only.
			if a := create(strings.Repeat("é", 200), nil); a.status != 200 {
				t.Errorf("a title of 200 characters: %d %s", a.status, a.body)
			}
			if a := create(strings.Repeat("é", 201), nil); a.status != wantLong {
				t.Errorf("a title of 201 characters: %d %s, want %d", a.status, a.body, wantLong)
			}
		})
	}
}
