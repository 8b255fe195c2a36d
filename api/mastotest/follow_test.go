package mastotest

import (
	"context"
	"testing"
	"time"
)

// rel is "me"'s relationship to id, as GET relationships says.
func rel(t *testing.T, s *Server, id string) map[string]any {
	t.Helper()
	l := req(t, s, "GET", "/api/v1/accounts/relationships", vals("id[]", id)).list(t)
	if len(l) != 1 {
		t.Fatalf("relationships: %v", l)
	}
	return l[0]
}

func followingIDs(t *testing.T, s *Server) []string {
	t.Helper()
	var ids []string
	for _, a := range req(t, s, "GET", "/api/v1/accounts/"+s.MeID+"/following", nil).list(t) {
		ids = append(ids, a["id"].(string))
	}
	return ids
}

func TestRemoteFollowStaysRequestedUntilAccepted(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		clock := NewManualClock(day)
		s := NewServer(t, WithFlavour(fl), WithClock(clock), WithAcceptDelay(time.Minute))
		far := s.AddAccount(Account{Username: "far", Domain: "far.example"})
		local := s.AddAccount(Account{Username: "near"})

		r := req(t, s, "POST", "/api/v1/accounts/"+far+"/follow", nil).obj(t)
		// Mastodon answers optimistically; GoToSocial with the real state.
		if fl.GoToSocial() {
			if r["following"] != false || r["requested"] != true {
				t.Errorf("GoToSocial follow answer: %v", r)
			}
		} else if r["following"] != true || r["requested"] != false {
			t.Errorf("Mastodon follow answer: %v", r)
		}
		if got := rel(t, s, far); got["following"] != false || got["requested"] != true {
			t.Errorf("before the accept: %v", got)
		}
		if ids := followingIDs(t, s); len(ids) != 0 {
			t.Errorf("following lists a request: %v", ids)
		}
		clock.Advance(time.Minute - time.Second)
		if got := rel(t, s, far); got["requested"] != true {
			t.Errorf("accepted early: %v", got)
		}
		clock.Advance(time.Second)
		if got := rel(t, s, far); got["following"] != true || got["requested"] != false {
			t.Errorf("after the accept: %v", got)
		}
		if ids := followingIDs(t, s); len(ids) != 1 || ids[0] != far {
			t.Errorf("following after the accept: %v", ids)
		}

		// A local unlocked account accepts at once, whatever the delay.
		r = req(t, s, "POST", "/api/v1/accounts/"+local+"/follow", nil).obj(t)
		if r["following"] != true || rel(t, s, local)["following"] != true {
			t.Errorf("local follow: %v / %v", r, rel(t, s, local))
		}
	})
}

func TestFollowNeverAcceptedAndLocked(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		clock := NewManualClock(day)
		s := NewServer(t, WithFlavour(fl), WithClock(clock), WithAcceptDelay(-1))
		far := s.AddAccount(Account{Username: "far", Domain: "far.example"})
		shy := s.AddAccount(Account{Username: "shy", Locked: true})
		req(t, s, "POST", "/api/v1/accounts/"+far+"/follow", nil)
		r := req(t, s, "POST", "/api/v1/accounts/"+shy+"/follow", nil).obj(t)
		if r["following"] != false || r["requested"] != true {
			t.Errorf("locked follow answer: %v", r)
		}
		clock.Advance(365 * 24 * time.Hour)
		if rel(t, s, far)["requested"] != true || rel(t, s, shy)["requested"] != true {
			t.Errorf("accepted without an accept")
		}
		if !s.AcceptFollow("shy@" + s.Domain) {
			t.Fatal("AcceptFollow found no request")
		}
		if got := rel(t, s, shy); got["following"] != true || got["requested"] != false {
			t.Errorf("after AcceptFollow: %v", got)
		}
		if s.AcceptFollow("shy@" + s.Domain) {
			t.Error("AcceptFollow accepted twice")
		}
	})
}

func TestDefaultAcceptsAtOnce(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		far := s.AddAccount(Account{Username: "far", Domain: "far.example"})
		req(t, s, "POST", "/api/v1/accounts/"+far+"/follow", nil)
		if got := rel(t, s, far); got["following"] != true {
			t.Errorf("default delay 0: %v", got)
		}
	})
}

// TestCutOffFollow: the client goes away after the server has acted. On
// GoToSocial the follow of an unlocked local account stays a request that
// is never accepted, and sending it again does not help; on Mastodon the
// follow is made.
func TestCutOffFollow(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		clock := NewManualClock(day)
		s := NewServer(t, WithFlavour(fl), WithClock(clock))
		open := s.AddAccount(Account{Username: "open"})
		s.CutOffFollows(1)

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			_, err := send(ctx, s, "POST", "/api/v1/accounts/"+open+"/follow", nil)
			done <- err
		}()
		eventually(t, "the server to act", func() bool { _, ok := s.State().Follows["open@"+s.Domain]; return ok })
		select {
		case err := <-done:
			t.Fatalf("the cut-off request was answered (err %v)", err)
		default:
		}
		cancel()
		if err := <-done; err == nil {
			t.Fatal("the cut-off request got an answer")
		}
		eventually(t, "the handler to give up", func() bool { return s.InFlight() == 0 })

		clock.Advance(24 * time.Hour)
		got := rel(t, s, open)
		if fl.GoToSocial() {
			if got["following"] != false || got["requested"] != true {
				t.Errorf("GoToSocial after the cut: %v", got)
			}
			// Re-sending only updates the request (updateFollow).
			r := req(t, s, "POST", "/api/v1/accounts/"+open+"/follow", nil).obj(t)
			if r["requested"] != true || rel(t, s, open)["requested"] != true {
				t.Errorf("re-sent follow: %v", r)
			}
			// Unfollow and follow again does it.
			req(t, s, "POST", "/api/v1/accounts/"+open+"/unfollow", nil)
			req(t, s, "POST", "/api/v1/accounts/"+open+"/follow", nil)
			if rel(t, s, open)["following"] != true {
				t.Errorf("unfollow then follow did not follow")
			}
		} else if got["following"] != true {
			t.Errorf("Mastodon after the cut: %v", got)
		}
		// Only the next follow was cut.
		other := s.AddAccount(Account{Username: "other"})
		want(t, "next follow", req(t, s, "POST", "/api/v1/accounts/"+other+"/follow", nil), 200, "")
	})
}

func TestStateSeesTheAccept(t *testing.T) {
	clock := NewManualClock(day)
	s := NewServer(t, WithClock(clock), WithAcceptDelay(time.Second))
	far := s.AddAccount(Account{Username: "far", Domain: "far.example"})
	req(t, s, "POST", "/api/v1/accounts/"+far+"/follow", nil)
	if !s.State().Follows["far@far.example"].Requested {
		t.Error("accepted before the delay")
	}
	clock.Advance(time.Second)
	if s.State().Follows["far@far.example"].Requested {
		t.Error("State does not see the accept")
	}
}

// TestTagFollowsSpendDailyFollows: on Mastodon a new hashtag follow
// spends the same daily allowance as an account follow (tag_follow.rb and
// follow.rb share the :follows family); a repeat spends none. GoToSocial
// has no daily limit.
func TestTagFollowsSpendDailyFollows(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		l := fl.Limits()
		limited := l.FollowsPerDay > 0
		if limited {
			l.FollowsPerDay = 2
		}
		s := NewServer(t, WithFlavour(fl), WithLimits(l), WithClock(NewManualClock(day)))
		a := s.AddAccount(Account{Username: "a", Domain: "far.example"})
		// A refused follow is not counted (app/lib/rate_limiter.rb record!
		// raises before incr): what is left stays 0, never below.
		steps := []struct {
			name, path string
			want       int
			remaining  string
		}{
			{"account follow", "/api/v1/accounts/" + a + "/follow", 200, "1"},
			{"tag follow", "/api/v1/tags/golang/follow", 200, "0"},
			{"the same tag again", "/api/v1/tags/golang/follow", 200, "0"},
			{"a third new follow", "/api/v1/tags/fediverse/follow", 429, "0"},
			{"the third again", "/api/v1/tags/fediverse/follow", 429, "0"},
			{"a repeat after the refusals", "/api/v1/tags/golang/follow", 200, "0"},
		}
		for _, st := range steps {
			want := st.want
			if !limited {
				want = 200
			}
			r := req(t, s, "POST", st.path, nil)
			if r.status != want {
				t.Errorf("%s: %d, want %d: %s", st.name, r.status, want, r.body)
			}
			if limited && (r.header.Get("X-RateLimit-Limit") != "2" || r.header.Get("X-RateLimit-Remaining") != st.remaining) {
				t.Errorf("%s: X-RateLimit-Limit %q, Remaining %q, want the follow limit's 2 and %s", st.name,
					r.header.Get("X-RateLimit-Limit"), r.header.Get("X-RateLimit-Remaining"), st.remaining)
			}
		}
		if got := s.Extras().FollowedTags; limited && len(got) != 1 || !limited && len(got) != 2 {
			t.Errorf("followed tags %v", got)
		}
	})
}

// TestOutgoingFollowRequests: GoToSocial lists the requests not yet
// accepted (internal/api/client/followrequests/getoutgoing.go); Mastodon
// has no such route, answered as any unknown one.
func TestOutgoingFollowRequests(t *testing.T) {
	forEachFlavour(t, func(t *testing.T, fl Flavour) {
		s := NewServer(t, WithFlavour(fl))
		shy := s.AddAccount(Account{Username: "shy", Domain: "far.example", Locked: true})
		open := s.AddAccount(Account{Username: "open"})
		s.SeedFollow(shy, FollowState{Reblogs: true, Requested: true})
		s.SeedFollow(open, FollowState{Reblogs: true})
		r := req(t, s, "GET", "/api/v1/follow_requests/outgoing", nil)
		if !fl.GoToSocial() {
			want(t, "outgoing requests", r, 404, "Not Found")
			return
		}
		want(t, "outgoing requests", r, 200, "")
		got := r.list(t)
		if len(got) != 1 || got[0]["id"] != shy {
			t.Errorf("outgoing requests %v, want only shy's", got)
		}
		s.AcceptFollow("shy@far.example")
		if got := req(t, s, "GET", "/api/v1/follow_requests/outgoing", nil).list(t); len(got) != 0 {
			t.Errorf("after the accept: %v", got)
		}
	})
}
