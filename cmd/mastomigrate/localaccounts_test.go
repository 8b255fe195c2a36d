package main

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestListOnlyLocalMemberWithPort: a list member not yet followed who
// lives on the new server, whose handles carry a port (GoToSocial on
// 127.0.0.1:8080, Mastodon's development server on localhost:3000), is
// followed and added. GoToSocial's search cannot read "carol@host:port";
// lookup finds her.
func TestListOnlyLocalMemberWithPort(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := realClock()
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithHostDomain(), mastotest.WithClock(clock))
			if !strings.Contains(s.Domain, ":") {
				t.Fatalf("domain %q has no port", s.Domain)
			}
			carol := "carol@" + s.Domain
			s.AddHandle(carol, mastotest.Account{})
			s.AddHandle("ana@a.example", mastotest.Account{})
			dir := writeCSVExport(t, map[string]string{
				"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\nana@a.example,true,false,\n",
				"lists.csv":              "Friends,ana@a.example\nFriends," + carol + "\n",
			})
			f, _, errOut := migrateFactory(t, s)
			f.Clock = clock
			if code := run(context.Background(), []string{"migrate", dir, "--to", s.URL, "--yes"}, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			st := s.State()
			if _, ok := st.Follows[carol]; !ok {
				t.Errorf("%s not followed: %v", carol, st.Follows)
			}
			if got, want := st.Lists["Friends"].Members, []string{"ana@a.example", carol}; !reflect.DeepEqual(sorted(got), sorted(want)) {
				t.Errorf("list members %v, want %v", got, want)
			}
			if strings.Contains(errOut.String(), "not found") {
				t.Errorf("a member was called not found:\n%s", errOut)
			}
		})
	}
}
