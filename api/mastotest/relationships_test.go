package mastotest

import (
	"encoding/json"
	"testing"
)

// TestRelationshipsOfGoneAccounts: Mastodon leaves unknown and suspended
// accounts out of relationships; GoToSocial answers every id asked, with
// nothing set for an account it does not have or has suspended.
func TestRelationshipsOfGoneAccounts(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		friend := s.AddAccount(Account{Username: "friend", Domain: "far.example"})
		gone := s.AddAccount(Account{Username: "gone", Domain: "far.example"})
		s.SeedFollow(friend, FollowState{})
		s.SeedFollow(gone, FollowState{})
		s.UpdateAccount(gone, func(a *Account) { a.Suspended = true })
		a := req(t, s, "GET", "/api/v1/accounts/relationships", vals("id[]", friend, "id[]", gone, "id[]", "999999"))
		want(t, "relationships", a, 200, "")
		var rels []map[string]any
		if err := json.Unmarshal([]byte(a.body), &rels); err != nil {
			t.Fatal(err)
		}
		got := map[string]bool{} // id -> following
		for _, r := range rels {
			got[r["id"].(string)], _ = r["following"].(bool)
		}
		wantRels := map[string]bool{friend: true}
		if fl.GoToSocial() {
			wantRels = map[string]bool{friend: true, gone: false, "999999": false}
		}
		if len(got) != len(wantRels) {
			t.Errorf("relationships (id: following) %v, want %v", got, wantRels)
		}
		for id, following := range wantRels {
			if f, ok := got[id]; !ok || f != following {
				t.Errorf("relationships (id: following) %v, want %v", got, wantRels)
				break
			}
		}
	})
}
