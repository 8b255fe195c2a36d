package mastotest

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestDomainBlocksAsMastodonStoresThem checks the fake's user domain blocks
// against Mastodon's: the raw value is looked up, the normalised one
// (lower case, punycode) stored and validated, so another spelling of a
// stored domain is "taken" and a port or an underscore is invalid.
func TestDomainBlocksAsMastodonStoresThem(t *testing.T) {
	for _, fl := range []Flavour{Mastodon42, Mastodon43, Mastodon45} {
		t.Run(fl.String(), func(t *testing.T) {
			s := NewServer(t, WithFlavour(fl))
			s.SeedDomainBlock("spam.example")
			for _, tt := range []struct {
				domain string
				status int
				msg    string
			}{
				{"Bücher.Example", 200, ""},
				{"xn--bcher-kva.example", 200, ""},
				{"Bücher.Example", 422, "Validation failed: Domain has already been taken"},
				{"spam.example", 200, ""},
				{"Spam.Example", 422, "Validation failed: Domain has already been taken"},
				{"social.example:8080", 422, "Validation failed: Domain is invalid"},
				{"under_score.example", 422, "Validation failed: Domain is invalid"},
				{"", 422, "Validation failed: Domain can't be blank"},
			} {
				a := req(t, s, "POST", "/api/v1/domain_blocks", vals("domain", tt.domain))
				want(t, "block "+tt.domain, a, tt.status, tt.msg)
			}
			var got []string
			if err := json.Unmarshal([]byte(req(t, s, "GET", "/api/v1/domain_blocks", nil).body), &got); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			if want := []string{"spam.example", "xn--bcher-kva.example"}; !slices.Equal(got, want) {
				t.Errorf("domain blocks %q, want %q", got, want)
			}
		})
	}
}
