package mastotest

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestListMembersPerFlavour(t *testing.T) {
	type want struct {
		status int
		msg    string
	}
	cases := []struct {
		fl                        Flavour
		notFollowed, member, pend want // pend: a pending request
		unknownList               want
	}{
		{Mastodon42,
			want{404, "Record not found"},
			want{422, "Validation failed: Account has already been taken"},
			want{200, ""},
			want{404, "Record not found"}},
		{Mastodon43,
			want{404, "Record not found"},
			want{422, "Validation failed: Account has already been taken"},
			want{200, ""},
			want{404, "Record not found"}},
		{Mastodon45,
			want{422, "Validation failed: Account must be a followed account"},
			want{422, "Validation failed: Account is already on the list"},
			want{200, ""},
			want{404, "Record not found"}},
		{GoToSocial020,
			want{404, "Not Found: account %s not currently followed"},
			want{422, "Unprocessable Entity: account %s is already in list %s"},
			want{404, "Not Found: account %s not currently followed"},
			want{404, "Not Found: list not found"}},
	}
	for _, tc := range cases {
		t.Run(tc.fl.String(), func(t *testing.T) {
			s := NewServer(t, WithFlavour(tc.fl))
			stranger := s.AddAccount(Account{Username: "stranger", Domain: "far.example"})
			friend := s.AddAccount(Account{Username: "friend", Domain: "far.example"})
			locked := s.AddAccount(Account{Username: "shy", Domain: "far.example", Locked: true})
			s.SeedFollow(friend, FollowState{Reblogs: true})
			l := s.SeedList("l", "list", false)
			add := func(ids ...string) answer {
				v := vals()
				for _, id := range ids {
					v.Add("account_ids[]", id)
				}
				return req(t, s, "POST", "/api/v1/lists/"+l+"/accounts", v)
			}
			fill := func(msg string, ids ...any) string {
				if msg == "" || tc.fl != GoToSocial020 {
					return msg
				}
				return sprintf(msg, ids...)
			}

			// All or nothing: the friend is not added with the stranger.
			a := add(friend, stranger)
			want := tc.notFollowed
			wantCheck(t, "not followed", a, want.status, fill(want.msg, stranger))
			if got := s.State().Lists["l"].Members; len(got) != 0 {
				t.Errorf("members after a refused batch: %v", got)
			}
			wantCheck(t, "followed", add(friend), 200, "")
			wantCheck(t, "already a member", add(friend), tc.member.status, fill(tc.member.msg, friend, l))

			if a := req(t, s, "POST", "/api/v1/accounts/"+locked+"/follow", nil); a.status != 200 {
				t.Fatalf("follow locked: %d %s", a.status, a.body)
			}
			wantCheck(t, "pending request", add(locked), tc.pend.status, fill(tc.pend.msg, locked))

			a = req(t, s, "POST", "/api/v1/lists/999999/accounts", vals("account_ids[]", friend))
			wantCheck(t, "unknown list", a, tc.unknownList.status, tc.unknownList.msg)
		})
	}
}

func wantCheck(t *testing.T, what string, a answer, status int, msg string) {
	t.Helper()
	want(t, what, a, status, msg)
}

func TestListTitles(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		want(t, "first", req(t, s, "POST", "/api/v1/lists", vals("title", "Friends")), 200, "")
		a := req(t, s, "POST", "/api/v1/lists", vals("title", "Friends"))
		if fl.GoToSocial() {
			want(t, "same title", a, http.StatusConflict, "Conflict: you already have a list with this title")
		} else {
			want(t, "same title", a, 200, "")
		}
	})
}

// TestListFields: what each flavour refuses of a list's title and replies
// policy, on create and on update, and how it says so.
func TestListFields(t *testing.T) {
	long := strings.Repeat("é", 201) // GoToSocial counts characters, not bytes
	type ans struct {
		status int
		msg    string
	}
	for _, tt := range []struct {
		name          string
		form          url.Values
		mastodon, gts ans
	}{
		{"empty title", vals("title", " "),
			ans{422, "Validation failed: Title can't be blank"},
			ans{400, "Bad Request: list title must be provided, and must be no more than 200 chars"}},
		{"200 characters", vals("title", long[len("é"):]) /* 200 */, ans{200, ""}, ans{200, ""}},
		{"201 characters", vals("title", long),
			ans{200, ""},
			ans{400, "Bad Request: list title length must be no more than 200 chars, provided title was 201 chars"}},
		{"unknown policy", vals("title", "Friends", "replies_policy", "all"),
			ans{422, "Validation failed: Replies policy is not included in the list"},
			ans{400, "Bad Request: list replies_policy must be either empty or one of 'followed', 'list', 'none'"}},
		{"upper-case policy", vals("title", "Friends", "replies_policy", "NONE"),
			ans{422, "Validation failed: Replies policy is not included in the list"}, ans{200, ""}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			forEachFlavour(t, func(t *testing.T, fl Flavour) {
				w := tt.mastodon
				if fl.GoToSocial() {
					w = tt.gts
				}
				s := NewServer(t, WithFlavour(fl))
				want(t, "create", req(t, s, "POST", "/api/v1/lists", tt.form), w.status, w.msg)
				id := s.SeedList("Old", "list", false)
				want(t, "update", req(t, s, "PUT", "/api/v1/lists/"+id, tt.form), w.status, w.msg)
			})
		})
	}
}

// TestSelfMute: GoToSocial refuses to mute or unmute oneself with 406;
// Mastodon answers the relationship and mutes nothing.
func TestSelfMute(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		status, msg := 200, ""
		if fl.GoToSocial() {
			status, msg = http.StatusNotAcceptable, "Not Acceptable: account "+s.MeID+" cannot mute or unmute itself"
		}
		for _, op := range []string{"mute", "unmute"} {
			want(t, op, req(t, s, "POST", "/api/v1/accounts/"+s.MeID+"/"+op, nil), status, msg)
		}
		if n := len(s.State().Mutes); n != 0 {
			t.Errorf("%d mutes, want none", n)
		}
	})
}

// TestUnknownRoutes checks that a route the server lacks answers as the
// real servers do, with nothing that tells it from an item's 404, and
// that GoToSocial has no user domain blocks.
func TestUnknownRoutes(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		want(t, "unknown route", req(t, s, "GET", "/api/v1/no_such_thing", nil), 404, "Not Found")
		want(t, "missing post", req(t, s, "POST", "/api/v1/statuses/424242/bookmark", nil), 404, "Not Found")
		for _, m := range []string{"GET", "POST", "DELETE"} {
			a := req(t, s, m, "/api/v1/domain_blocks", vals("domain", "bad.example"))
			if fl.GoToSocial() {
				want(t, m+" domain_blocks", a, 404, "Not Found")
			} else {
				want(t, m+" domain_blocks", a, 200, "")
			}
		}
		s2 := NewServer(t, WithFlavour(fl), WithoutEndpoints("GET /api/v1/bookmarks"))
		want(t, "removed endpoint", req(t, s2, "GET", "/api/v1/bookmarks", nil), 404, "Not Found")
	})
}

func TestUnreachableAndDeletedPosts(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		ok := s.AddPost(Status{URI: "https://up.example/s/1"})
		down := s.AddPost(Status{URI: "https://down.example/s/2", Unreachable: true})
		gone := s.AddPost(Status{URI: "https://up.example/s/3"})
		s.SetPost(gone, false, true)
		search := func(uri string) int {
			a := req(t, s, "GET", "/api/v2/search", vals("q", uri, "type", "statuses", "resolve", "true"))
			if a.status != 200 {
				t.Fatalf("search: %d %s", a.status, a.body)
			}
			st, _ := a.obj(t)["statuses"].([]any)
			return len(st)
		}
		if n := search("https://up.example/s/1"); n != 1 {
			t.Errorf("reachable post: %d results", n)
		}
		if n := search("https://down.example/s/2"); n != 0 {
			t.Errorf("known post on a server that is down: %d results, want 0", n)
		}
		if n := search("https://up.example/s/3"); n != 0 {
			t.Errorf("deleted post: %d results, want 0", n)
		}
		want(t, "bookmark known unreachable", req(t, s, "POST", "/api/v1/statuses/"+down+"/bookmark", nil), 200, "")
		want(t, "bookmark deleted", req(t, s, "POST", "/api/v1/statuses/"+gone+"/bookmark", nil), 404, "Not Found")
		want(t, "favourite deleted", req(t, s, "POST", "/api/v1/statuses/"+gone+"/favourite", nil), 404, "Not Found")
		want(t, "favourite", req(t, s, "POST", "/api/v1/statuses/"+ok+"/favourite", nil), 200, "")
	})
}

func TestFollowRefusals(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		target := s.AddAccount(Account{Username: "new", Domain: "far.example"})
		moved := s.AddAccount(Account{Username: "old", Domain: "far.example", MovedTo: target})
		blocker := s.AddAccount(Account{Username: "grumpy", Domain: "far.example", BlocksMe: true})
		blocked := s.AddAccount(Account{Username: "pest", Domain: "far.example"})
		s.SeedBlock(blocked)
		gone := s.AddAccount(Account{Username: "gone", Domain: "far.example", Suspended: true})
		follow := func(id string) answer { return req(t, s, "POST", "/api/v1/accounts/"+id+"/follow", nil) }

		if fl.GoToSocial() {
			want(t, "self", follow(s.MeID), http.StatusNotAcceptable, "Not Acceptable")
			want(t, "blocked by them", follow(blocker), 404, "Not Found: target account not found")
			want(t, "blocked by me", follow(blocked), 404, "Not Found: target account not found")
			want(t, "suspended", follow(gone), 404, "Not Found")
		} else {
			want(t, "self", follow(s.MeID), 403, "Following your own account is not allowed")
			want(t, "moved", follow(moved), 403, "This action is not allowed")
			want(t, "blocked by them", follow(blocker), 403, "This action is not allowed")
			want(t, "blocked by me", follow(blocked), 403, "This action is not allowed")
			s.SeedDomainBlock("walled.example")
			walled := s.AddAccount(Account{Username: "w", Domain: "walled.example"})
			want(t, "domain blocked", follow(walled), 403, "This action is not allowed")
			want(t, "suspended", follow(gone), 404, "Record not found")
		}
		if n := len(s.State().Follows); n != 0 {
			t.Errorf("%d follows made by refused requests", n)
		}
	})
}

func TestRefollowUsesNoQuota(t *testing.T) {
	l := MastodonLimits()
	l.FollowsPerDay = 1
	s := NewServer(t, WithLimits(l), WithClock(NewManualClock(day)))
	a := s.AddAccount(Account{Username: "a", Domain: "far.example"})
	b := s.AddAccount(Account{Username: "b", Domain: "far.example"})
	want(t, "follow", req(t, s, "POST", "/api/v1/accounts/"+a+"/follow", nil), 200, "")
	r := req(t, s, "POST", "/api/v1/accounts/"+a+"/follow", vals("reblogs", "false", "notify", "true"))
	want(t, "re-follow", r, 200, "")
	if m := r.obj(t); m["showing_reblogs"] != false || m["notifying"] != true {
		t.Errorf("re-follow did not update the settings: %v", m)
	}
	a2 := req(t, s, "POST", "/api/v1/accounts/"+b+"/follow", nil)
	want(t, "second new follow of the day", a2, 429, "Too many requests")
	if got := a2.header.Get("X-RateLimit-Reset"); got != "2026-11-29T00:00:00.000000Z" {
		t.Errorf("daily reset %q", got)
	}
}

func TestGoToSocialFollowHasNoLanguages(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		a := s.AddAccount(Account{Username: "a", Domain: "far.example"})
		r := req(t, s, "POST", "/api/v1/accounts/"+a+"/follow", vals("languages[]", "de"))
		rel := req(t, s, "GET", "/api/v1/accounts/relationships", vals("id[]", a)).list(t)[0]
		_, has := rel["languages"]
		if has == fl.GoToSocial() {
			t.Errorf("relationship has languages: %v (body %s)", has, r.body)
		}
		if fl.GoToSocial() && s.State().Follows["a@far.example"].Languages != nil {
			t.Errorf("GoToSocial kept languages")
		}
	})
}

func TestSuspendedAccounts(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		gone := s.AddAccount(Account{Username: "gone", Domain: "far.example"})
		s.SeedFollow(gone, FollowState{})
		s.SeedBlock(gone)
		s.SeedMute(gone, MuteState{})
		l := s.SeedList("l", "list", false, gone)
		s.UpdateAccount(gone, func(a *Account) { a.Suspended = true })

		// GoToSocial answers for it, with nothing set (relationships_test.go).
		rels := req(t, s, "GET", "/api/v1/accounts/relationships", vals("id[]", gone)).list(t)
		if fl.GoToSocial() != (len(rels) == 1) || len(rels) == 1 && rels[0]["following"] != false {
			t.Errorf("relationships of a suspended account: %v", rels)
		}
		if n := len(req(t, s, "GET", "/api/v1/accounts/relationships", vals("id[]", gone, "with_suspended", "true")).list(t)); n != 1 {
			t.Errorf("with_suspended: %d relationships", n)
		}
		for _, p := range []string{"/api/v1/blocks", "/api/v1/mutes", "/api/v1/lists/" + l + "/accounts"} {
			if n := len(req(t, s, "GET", p, nil).list(t)); n != 0 {
				t.Errorf("%s lists a suspended account", p)
			}
		}
		a := req(t, s, "GET", "/api/v1/accounts/lookup", vals("acct", "gone@far.example"))
		if a.status != 200 || a.obj(t)["suspended"] != true {
			t.Errorf("lookup: %d %s", a.status, a.body)
		}
		for _, verb := range []string{"unfollow", "unblock", "unmute"} {
			want(t, verb, req(t, s, "POST", "/api/v1/accounts/"+gone+"/"+verb, nil), 200, "")
		}
	})
}

func TestAccountFields(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		m := req(t, s, "GET", "/api/v1/accounts/verify_credentials", nil).obj(t)
		if _, has := m["uri"]; has == fl.GoToSocial() {
			t.Errorf("uri present: %v", has)
		}
	})
}
