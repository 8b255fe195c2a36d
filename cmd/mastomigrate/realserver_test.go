package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// The tests in this file hold mastomigrate to what real servers do (see
// ../../shared/SERVERS.md), on every flavour the fake plays.

// writeCSVExport writes Mastodon CSV exports into a folder.
func writeCSVExport(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// realClock is the start of every test here: a clock that moves only when
// the code sleeps, shared by client and server.
func realClock() *mastotest.ManualClock {
	return mastotest.NewManualClock(time.Date(2026, 3, 2, 10, 1, 0, 0, time.UTC))
}

// TestItemOutcomesOnRealServers: a list member whose follow is a request,
// posts whose server is down or that were deleted. Each is that item's
// outcome; nothing is skipped as "unsupported", and the rest carries on.
// On GoToSocial lists hold only accepted follows, so the locked account's
// membership waits for its approval; Mastodon 4.2+ takes the request.
func TestItemOutcomesOnRealServers(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := realClock()
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
			for _, h := range []string{"a1@remote.example", "a2@remote.example", "a3@remote.example"} {
				s.AddHandle(h, mastotest.Account{})
			}
			s.AddHandle("lk@locked.example", mastotest.Account{Locked: true})
			posts := []string{"https://remote.example/users/a1/statuses/1", "https://down.example/users/x/statuses/2",
				"https://remote.example/users/a2/statuses/3", "https://remote.example/users/a3/statuses/4"}
			for i, u := range posts {
				id := s.AddStatus(u, false)
				s.SetPost(id, i == 1, i == 2) // 2: its server is down; 3: deleted
			}
			dir := writeCSVExport(t, map[string]string{
				"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\n" +
					"a1@remote.example,true,false,\na2@remote.example,true,false,\na3@remote.example,true,false,\nlk@locked.example,true,false,\n",
				"lists.csv":     "L,a1@remote.example\nL,a2@remote.example\nL,lk@locked.example\n",
				"bookmarks.csv": strings.Join(posts, "\n") + "\n",
			})
			f, out, errOut := migrateFactory(t, s)
			f.Clock = clock
			if code := run(context.Background(), []string{"migrate", dir, "--to", s.URL, "--yes"}, f); code != 0 {
				t.Fatalf("exit %d, want 0 (a pending request does not keep the run unfinished)\n%s", code, errOut)
			}
			ending := "complete"
			if fl.GoToSocial() {
				ending = "done, but for what waits for follow requests to be accepted"
			}
			if !strings.Contains(errOut.String(), ending) {
				t.Errorf("the run does not end with %q:\n%s", ending, errOut)
			}
			st := s.State()
			wantMembers := []string{"a1@remote.example", "a2@remote.example", "lk@locked.example"}
			if fl.GoToSocial() {
				wantMembers = wantMembers[:2]
			}
			if got := st.Lists["L"].Members; !reflect.DeepEqual(got, wantMembers) {
				t.Errorf("list members %v, want %v", got, wantMembers)
			}
			if !st.Follows["lk@locked.example"].Requested || len(st.Follows) != 4 {
				t.Errorf("follows %+v: want 4, lk's a request", st.Follows)
			}
			if want := []string{posts[0], posts[3]}; !reflect.DeepEqual(sorted(st.Bookmarks), sorted(want)) {
				t.Errorf("bookmarks %v, want %v", st.Bookmarks, want)
			}
			out.Reset()
			run(context.Background(), []string{"report"}, f)
			report := out.String()
			wants := []string{"failed   bookmarks " + posts[1] + ": the post was not found",
				"failed   bookmarks " + posts[2] + ": the post was not found",
				"pending  follows lk@locked.example"}
			if fl.GoToSocial() {
				wants = append(wants, "waiting  list members (L) lk@locked.example: waits until lk@locked.example accepts")
			}
			for _, w := range wants {
				if !strings.Contains(report, w) {
					t.Errorf("report lacks %q:\n%s", w, report)
				}
			}
			if strings.Contains(report, "has no") || strings.Contains(report, "not carried over yet") {
				t.Errorf("an item's outcome was taken for the server's:\n%s", report)
			}

			// Once lk accepts, running the same command again adds what waited.
			s.AcceptFollow("lk@locked.example")
			if code := run(context.Background(), []string{"migrate", dir, "--to", s.URL, "--yes"}, f); code != 0 {
				t.Fatalf("second run: exit %d\n%s", code, errOut)
			}
			if got := s.State().Lists["L"].Members; !slices.Contains(got, "lk@locked.example") {
				t.Errorf("after the approval, list members %v lack lk", got)
			}
		})
	}
}

func sorted(s []string) []string { return slices.Sorted(slices.Values(s)) }

// TestSpentWindowAtStart starts a migration when an earlier run has spent
// the server's window: the first request draws a real 429, the run waits
// for the reset and finishes with every item done and exit 0.
func TestSpentWindowAtStart(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := realClock()
			l := fl.Limits()
			if fl.GoToSocial() {
				l.IPRequests = 15
			} else {
				l.Requests = 15
			}
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock), mastotest.WithLimits(l))
			var handles []string
			for _, h := range []string{"a1@remote.example", "a2@remote.example", "a3@remote.example", "a4@remote.example"} {
				s.AddHandle(h, mastotest.Account{})
				handles = append(handles, h+",true,false,")
			}
			dir := writeCSVExport(t, map[string]string{
				"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\n" + strings.Join(handles, "\n") + "\n",
				"blocked_accounts.csv":   "troll@remote.example\n",
			})
			s.AddHandle("troll@remote.example", mastotest.Account{})
			// The earlier run: the window is spent before this one starts.
			for i := 0; i < 15; i++ {
				req, _ := http.NewRequest("GET", s.URL+"/api/v1/accounts/verify_credentials", nil)
				req.Header.Set("Authorization", "Bearer "+s.Token)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			f, _, errOut := migrateFactory(t, s)
			f.Clock = clock
			if code := run(context.Background(), []string{"migrate", dir, "--to", s.URL, "--yes"}, f); code != 0 {
				t.Fatalf("exit %d, want 0 after waiting\n%s", code, errOut)
			}
			if s.Throttled() == 0 {
				t.Fatal("no 429 was answered: the test did not start inside a spent window")
			}
			if !strings.Contains(errOut.String(), "Waiting for the server's rate limit") {
				t.Errorf("the wait was not announced:\n%s", errOut)
			}
			st := s.State()
			if len(st.Follows) != 4 || !reflect.DeepEqual(st.Blocks, []string{"troll@remote.example"}) {
				t.Errorf("follows %v, blocks %v: want every item done", st.Follows, st.Blocks)
			}
		})
	}
}

// TestStuckFollowRequest: GoToSocial accepts a follow of an open local
// account at once, but a call cut off mid-way was seen to leave a request
// that is never accepted. It is recognised and sent again, once.
func TestStuckFollowRequest(t *testing.T) {
	clock := realClock()
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithClock(clock))
	erin := "erin@" + s.Domain // a handle with the server's port
	id := s.AddHandle(erin, mastotest.Account{})
	s.SeedFollow(id, mastotest.FollowState{Reblogs: true, Requested: true})
	dir := writeCSVExport(t, map[string]string{
		"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\n" + erin + ",true,false,\n",
	})
	f, out, errOut := migrateFactory(t, s)
	f.Clock = clock
	args := []string{"migrate", dir, "--to", s.URL, "--yes"}
	if code := run(context.Background(), args, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out.String(), "pending") {
		t.Errorf("the plan does not show the request as pending:\n%s", out)
	}
	if fs := s.State().Follows[erin]; fs.Requested {
		t.Errorf("follow %+v: still a request", fs)
	}
	if code := run(context.Background(), args, f); code != 0 {
		t.Fatalf("second run: exit %d\n%s", code, errOut)
	}
	if n := s.Count("POST /api/v1/accounts/:id/unfollow"); n != 1 {
		t.Errorf("the request was withdrawn %d times, want once", n)
	}
}

// TestUnreachableTarget: a refused connection fails plan --to at once with
// one line naming the host, without looking up the rest of the export.
func TestUnreachableTarget(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	url := closed.URL
	closed.Close()
	f, _, errOut := testStreams()
	f.Getenv = func(k string) string {
		if k == tokenEnv {
			return "token"
		}
		return ""
	}
	code := run(context.Background(), []string{"plan", "../../testdata/sample/csv", "--to", url}, f)
	host := strings.TrimPrefix(url, "http://")
	lines := strings.Split(strings.TrimSpace(errOut.String()), "\n")
	if code != exitError || len(lines) != 1 || !strings.Contains(lines[0], host) || !strings.Contains(lines[0], "refused") {
		t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and one line naming %s", code, errOut, host)
	}
}

// TestInterruptEndsWaits: the first Ctrl-C ends a wait for the rate limit
// at once (it may be minutes), and the command to continue is printed.
func TestInterruptEndsWaits(t *testing.T) {
	serverClock := realClock() // stands still: the window never resets
	l := mastotest.Mastodon45.Limits()
	l.Requests = 3
	s := mastotest.NewServer(t, mastotest.WithClock(serverClock), mastotest.WithLimits(l))
	migratetest.SeedSample(s)
	f, _, _ := migrateFactory(t, s)
	errOut := &lockedBuffer{} // read while the run writes
	f.IO.ErrOut = errOut
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, sampleArgs("--to", s.URL, "--yes"), f) }()
	for deadline := time.Now().Add(30 * time.Second); !strings.Contains(errOut.String(), "Waiting for") && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if !strings.Contains(errOut.String(), "Waiting for") {
		t.Fatalf("the run never waited for the rate limit:\n%s", errOut)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitCancelled {
			t.Errorf("exit %d, want %d", code, exitCancelled)
		}
		if !strings.Contains(errOut.String(), "continue with: mastomigrate migrate") {
			t.Errorf("the command to continue is not printed:\n%s", errOut)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Ctrl-C did not end the wait")
	}
}

// TestPortHandles: on an instance reached by its port (GoToSocial names its
// accounts with it), handles with a port work in the exports, in --to,
// in the plan and in the report.
func TestPortHandles(t *testing.T) {
	clock := realClock()
	s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithClock(clock))
	me := "me@" + s.Domain
	erin := "erin@" + s.Domain
	s.AddHandle(erin, mastotest.Account{})
	s.AddHandle("gone@"+s.Domain, mastotest.Account{Suspended: true})
	dir := writeCSVExport(t, map[string]string{
		"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\n" + erin + ",true,false,\n",
		"blocked_accounts.csv":   "gone@" + s.Domain + "\n",
	})
	f, out, errOut := migrateFactory(t, s)
	f.Clock = clock
	if code := run(context.Background(), []string{"migrate", dir, "--to", me, "--yes"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if !strings.Contains(out.String(), "On "+me) {
		t.Errorf("the plan does not name %s:\n%s", me, out)
	}
	if _, ok := s.State().Follows[erin]; !ok {
		t.Errorf("%s not followed", erin)
	}
	out.Reset()
	run(context.Background(), []string{"report"}, f)
	if !strings.Contains(out.String(), "blocks gone@"+s.Domain+": the account is suspended") {
		t.Errorf("report:\n%s", out)
	}
}

// TestFollowLanguagesOnGoToSocial: GoToSocial's follows have no languages,
// so an export's languages are no reason to send a follow again there;
// on Mastodon they are.
func TestFollowLanguagesOnGoToSocial(t *testing.T) {
	for _, fl := range []mastotest.Flavour{mastotest.Mastodon45, mastotest.GoToSocial020} {
		t.Run(fl.String(), func(t *testing.T) {
			clock := realClock()
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
			id := s.AddHandle("bo@remote.example", mastotest.Account{})
			s.SeedFollow(id, mastotest.FollowState{Reblogs: true})
			dir := writeCSVExport(t, map[string]string{
				"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\nbo@remote.example,true,false,\"en, de\"\n",
			})
			f, _, errOut := migrateFactory(t, s)
			f.Clock = clock
			if code := run(context.Background(), []string{"migrate", dir, "--to", s.URL, "--yes", "--update-follow-settings"}, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			want := 1
			if fl.GoToSocial() {
				want = 0
			}
			if n := s.Count("POST /api/v1/accounts/:id/follow"); n != want {
				t.Errorf("%d follows sent, want %d", n, want)
			}
		})
	}
}
