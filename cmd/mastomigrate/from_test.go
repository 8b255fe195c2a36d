package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// t0 is the time both fakes and the program read in the --from tests.
var t0 = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

// oldAccount seeds old (mutes and filters ending after now) with one or more of everything a live account can
// give, and makes the same remote accounts and posts known to the new
// server (unknown posts until searched, as a fresh instance has them).
func oldAccount(old, neu *mastotest.Server, now time.Time) {
	accounts := map[string]mastotest.Account{
		"ana@a.example": {}, "bo@b.example": {}, "cy@c.example": {}, "dan@d.example": {},
		"eve@e.example": {}, "fay@f.example": {}, "gil@g.example": {}, "lou@l.example": {Locked: true},
		"sam@spam.example": {},
	}
	id := map[string]string{}
	for h, a := range accounts {
		id[h] = old.AddHandle(h, a)
		neu.AddHandle(h, a)
	}
	old.SeedFollow(id["ana@a.example"], mastotest.FollowState{Reblogs: true})
	old.SeedFollow(id["bo@b.example"], mastotest.FollowState{Reblogs: false, Notify: true, Languages: []string{"de", "en"}})
	old.SeedFollow(id["eve@e.example"], mastotest.FollowState{Reblogs: true})
	old.SeedFollow(id["fay@f.example"], mastotest.FollowState{Reblogs: true, Notify: true})
	old.SeedFollow(id["lou@l.example"], mastotest.FollowState{Reblogs: true, Requested: true}) // pending
	old.SeedList("Friends", "followed", true, id["ana@a.example"], id["eve@e.example"])
	old.SeedList("Slow", "none", false, id["lou@l.example"]) // a pending request counts since Mastodon 4.2
	expires := now.Add(48 * time.Hour)
	old.SeedMute(id["cy@c.example"], mastotest.MuteState{Notifications: false, ExpiresAt: &expires})
	old.SeedMute(id["gil@g.example"], mastotest.MuteState{Notifications: true})
	old.SeedBlock(id["dan@d.example"])
	old.SeedDomainBlock("spam.example")
	for _, u := range []string{"https://a.example/users/ana/statuses/1", "https://b.example/users/bo/statuses/2"} {
		old.SeedBookmark(old.AddStatus(u, false))
		neu.AddStatus(u, true)
	}
	fav := "https://f.example/users/fay/statuses/3"
	old.SeedFavourite(old.AddStatus(fav, false))
	neu.AddStatus(fav, true)
	old.SeedFollowedTag("golang")
	old.SeedFollowedTag("MastoArt") // Mastodon shows a tag in the case it was written in
	old.SeedFeaturedTag("MastoMigrate")
	old.SeedEndorsement(id["fay@f.example"])
	old.SeedNote(id["bo@b.example"], "met at FOSDEM")
	old.SeedNote(id["gil@g.example"], "muted: posts about football")
	week := now.Add(7 * 24 * time.Hour)
	old.SeedFilter(mastotest.FilterState{Title: "Spoilers", Context: []string{"home", "public"}, Action: "hide",
		Keywords: []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: "leak", WholeWord: false},
			{Keyword: "plot twist", WholeWord: false}}})
	old.SeedFilter(mastotest.FilterState{Title: "Election", Context: []string{"home"}, Action: "warn", ExpiresAt: &week,
		Keywords: []mastotest.FilterKeyword{{Keyword: "poll", WholeWord: true}}})
	// blur is Mastodon 4.4's: 4.2–4.3 take it as warn (see assertCopied).
	old.SeedFilter(mastotest.FilterState{Title: "Spiders", Context: []string{"home", "public"}, Action: "blur",
		Keywords: []mastotest.FilterKeyword{{Keyword: "spider", WholeWord: false}}})
}

// oldProfile gives old a profile whose pictures are on a media host of
// their own; the flag it returns says whether a request there carried a
// token.
func oldProfile(t *testing.T, old *mastotest.Server) *bool {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	authed := new(bool)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			*authed = true
		}
		w.Write(png)
	}))
	t.Cleanup(cdn.Close)
	old.SeedProfile(mastotest.Profile{DisplayName: "Me, moving", Note: "Hello.\nNew address soon.",
		Fields: [][2]string{{"Web", "https://me.example"}, {"Pronouns", "they/them"}}, Avatar: "image/png", Header: "image/png",
		Settings: mastotest.ProfileSettings{Bot: true, Discoverable: true, Sensitive: true, Privacy: "unlisted", Language: "de"}},
		cdn.URL+"/avatars/me.png", cdn.URL+"/headers/me.png")
	return authed
}

// tokenLog records which tokens each host received.
type tokenLog struct {
	mu     sync.Mutex
	byHost map[string]map[string]bool
	next   http.RoundTripper
}

func (l *tokenLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	if l.byHost[r.URL.Host] == nil {
		l.byHost[r.URL.Host] = map[string]bool{}
	}
	l.byHost[r.URL.Host][strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")] = true
	l.mu.Unlock()
	return l.next.RoundTrip(r)
}

// fromFactory is migrateFactory for two fakes: NEW's token in
// MASTOMIGRATE_TOKEN, OLD's in MASTOMIGRATE_FROM_TOKEN, the manual clock.
func fromFactory(t *testing.T, old, neu *mastotest.Server, clock *mastotest.ManualClock) (*factory, *strings.Builder, *strings.Builder, *tokenLog) {
	f, out, errOut := migrateFactory(t, neu)
	// A token of its own: the fakes draw the same first token.
	oldToken := old.NewToken()
	f.Getenv = func(k string) string {
		switch k {
		case tokenEnv:
			return neu.Token
		case fromTokenEnv:
			return oldToken
		}
		return ""
	}
	f.Clock = clock
	log := &tokenLog{byHost: map[string]map[string]bool{}, next: http.DefaultTransport}
	f.Transport = log
	return f, out, errOut, log
}

func hostOf(rawURL string) string { return strings.TrimPrefix(rawURL, "http://") }

func TestMigrateFromOldAccount(t *testing.T) {
	for _, pair := range []struct{ from, to mastotest.Flavour }{
		{mastotest.Mastodon45, mastotest.Mastodon42}, {mastotest.Mastodon45, mastotest.Mastodon45},
		{mastotest.Mastodon45, mastotest.GoToSocial020}, {mastotest.GoToSocial020, mastotest.Mastodon45},
	} {
		fl := pair.to
		t.Run(pair.from.String()+"-to-"+fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(pair.from), mastotest.WithFlavour(pair.from))
			opts := []mastotest.Option{mastotest.WithFlavour(fl), mastotest.WithClock(clock)}
			if !fl.GoToSocial() {
				opts = append(opts, generous(fl))
			}
			neu := mastotest.NewServer(t, opts...)
			oldAccount(old, neu, t0)
			if fl.GoToSocial() {
				// GoToSocial lists only accepted follows, and the classifier
				// takes its "not currently followed" 404 as final: here lou
				// accepts at once, so the list gets him.
				neu.UpdateAccount(neu.ID("lou@l.example"), func(a *mastotest.Account) { a.Locked = false })
			}
			cdnAuth := oldProfile(t, old)
			before, beforeX := old.State(), old.Extras()
			f, _, errOut, log := fromFactory(t, old, neu, clock)
			oldToken := f.Getenv(fromTokenEnv)

			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--include", "likes,profile"}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			assertCopied(t, fl, old, neu, pair.from)
			if got, want := neu.Profile(), old.Profile(); !reflect.DeepEqual(got, want) {
				t.Errorf("profile on the new account:\n got %+v\nwant %+v", got, want)
			}
			if *cdnAuth {
				t.Errorf("a token was sent with a picture's download")
			}

			// Nothing written to OLD, its state untouched; each token only
			// ever went to its own host.
			if n := old.TokenWrites(oldToken); n != 0 || old.Writes() != 0 {
				t.Errorf("%d writes to the old account (%d in all)", n, old.Writes())
			}
			if !reflect.DeepEqual(old.State(), before) || !reflect.DeepEqual(old.Extras(), beforeX) {
				t.Errorf("the old account changed")
			}
			if log.byHost[hostOf(neu.URL)][oldToken] {
				t.Errorf("the old account's token was sent to the new instance")
			}
			if log.byHost[hostOf(old.URL)][neu.Token] {
				t.Errorf("the new account's token was sent to the old instance")
			}
			for _, tok := range []string{oldToken, neu.Token} {
				if strings.Contains(errOut.String(), tok) {
					t.Errorf("a token was printed")
				}
			}

			// Re-running re-diffs against NEW and sends nothing.
			writes := neu.Writes()
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("re-run: exit %d\n%s", code, errOut)
			}
			if n := neu.Writes() - writes; n != 0 {
				t.Errorf("re-run made %d writes", n)
			}
		})
	}
}

// assertCopied checks NEW against OLD for every category the new server
// supports.
func assertCopied(t *testing.T, fl mastotest.Flavour, old, neu *mastotest.Server, from ...mastotest.Flavour) {
	t.Helper()
	want, got := old.State(), neu.State()
	wantX, gotX := old.Extras(), neu.Extras()
	if fl.GoToSocial() || len(from) > 0 && from[0].GoToSocial() {
		// No follow languages there, and lou's request was accepted.
		for h, f := range want.Follows {
			f.Languages, f.Requested = nil, false
			want.Follows[h] = f
		}
		for h, f := range got.Follows {
			f.Requested = false
			got.Follows[h] = f
		}
		// No user domain blocks, featured tags or endorsements.
		want.DomainBlocks = []string{}
		wantX.FeaturedTags, wantX.Endorsed = []string{}, []string{}
	}
	if len(from) > 0 && from[0].GoToSocial() {
		// GoToSocial shows hashtags lower-cased: the case is lost there.
		for i, tag := range wantX.FollowedTags {
			wantX.FollowedTags[i] = strings.ToLower(tag)
		}
		slices.Sort(wantX.FollowedTags)
	}
	if fl != mastotest.Mastodon45 {
		// These have no blur action: it is carried as warn.
		for title, f := range wantX.Filters {
			if f.Action == "blur" {
				f.Action = "warn"
				wantX.Filters[title] = f
			}
		}
	}
	// Mutes and filters take whole seconds left: the end may move by one.
	for h, m := range got.Mutes {
		if w := want.Mutes[h]; m.ExpiresAt != nil && w.ExpiresAt != nil && within(*m.ExpiresAt, *w.ExpiresAt, time.Second) {
			m.ExpiresAt = w.ExpiresAt
			got.Mutes[h] = m
		}
	}
	for title, f := range gotX.Filters {
		if w := wantX.Filters[title]; f.ExpiresAt != nil && w.ExpiresAt != nil && within(*f.ExpiresAt, *w.ExpiresAt, time.Second) {
			f.ExpiresAt = w.ExpiresAt
			gotX.Filters[title] = f
		}
	}
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"follows", got.Follows, want.Follows},
		{"lists", got.Lists, want.Lists},
		{"mutes", got.Mutes, want.Mutes},
		{"blocks", got.Blocks, want.Blocks},
		{"domain blocks", got.DomainBlocks, want.DomainBlocks},
		{"bookmarks", got.Bookmarks, want.Bookmarks},
		{"favourites", got.Favourites, want.Favourites},
		{"followed tags", gotX.FollowedTags, wantX.FollowedTags},
		{"featured tags", nonNil(gotX.FeaturedTags), nonNil(wantX.FeaturedTags)},
		{"endorsements", gotX.Endorsed, wantX.Endorsed},
		{"notes", gotX.Notes, wantX.Notes},
		{"filters", gotX.Filters, wantX.Filters},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s on the new account:\n got %+v\nwant %+v", c.name, c.got, c.want)
		}
	}
}

func within(a, b time.Time, d time.Duration) bool { return a.Sub(b) <= d && b.Sub(a) <= d }

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func TestPlanFromOldAccount(t *testing.T) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	neu := mastotest.NewServer(t, mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	oldAccount(old, neu, t0)
	f, out, errOut, _ := fromFactory(t, old, neu, clock)
	if code := run(context.Background(), []string{"plan", "--from", old.URL, "--json", "--include", "likes"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var p struct {
		Importable map[string]int `json:"importable"`
	}
	if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]int{"follows": 5, "lists": 2, "list_members": 3, "domain_blocks": 1, "mutes": 2, "blocks": 1,
		"bookmarks": 2, "likes": 1, "profile": 1, "followed_tags": 2, "featured_tags": 1, "endorsements": 1, "notes": 2, "filters": 3}
	if !reflect.DeepEqual(p.Importable, want) {
		t.Errorf("importable:\n got %v\nwant %v", p.Importable, want)
	}
	if old.Writes() != 0 || neu.Count("") != 0 {
		t.Errorf("plan --from alone: %d writes to the old account, %d requests to the new one", old.Writes(), neu.Count(""))
	}

	out.Reset()
	if code := run(context.Background(), []string{"plan", "--from", old.URL}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	for _, row := range []string{"followed tags", "featured tags", "endorsements", "notes", "filters"} {
		if !strings.Contains(out.String(), row) {
			t.Errorf("the plan has no %q row:\n%s", row, out)
		}
	}
}

// TestLoginReadOnly: the login for an old account asks only to read, and
// migrate --from then finds it among the stored logins.
func TestLoginReadOnly(t *testing.T) {
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"))
	f, _, errOut, path := loginFactory(t)
	var asked string
	f.OpenBrowser = func(u string) error { asked = u; return browse(u) }
	if code := run(context.Background(), []string{"login", "--read-only", old.URL}, f); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	u, err := url.Parse(asked)
	if err != nil {
		t.Fatal(err)
	}
	scopes := strings.Fields(u.Query().Get("scope"))
	if !reflect.DeepEqual(scopes, api.ReadScopes) {
		t.Errorf("asked for %v, want %v", scopes, api.ReadScopes)
	}
	tokens, _ := api.LoadTokens(path)
	login, ok := tokens.Find("me@old.example")
	if !ok || !reflect.DeepEqual(login.App.Scopes, api.ReadScopes) {
		t.Fatalf("stored login %+v", login)
	}

	// plan --from uses the stored login, with no token in the environment.
	var out strings.Builder
	f.IO.Out = &out
	writes := old.Writes() // the login's own: registering the app, the token
	f.StateDir = func() (string, error) { return t.TempDir(), nil }
	if code := run(context.Background(), []string{"plan", "--from", "me@old.example", "--json"}, f); code != 0 {
		t.Fatalf("plan --from: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out.String(), `"followed_tags": 0`) || old.Writes() != writes || old.TokenWrites(login.Token) != 0 {
		t.Errorf("plan --from with the stored login: %d writes\n%s", old.Writes()-writes, out.String())
	}
}

// TestEndorsementWaitsForFollow: an endorsement needs an accepted follow,
// so it waits while the follow is a request (for a person: the run
// finishes, exit 0, and says so), and `resume` carries it once accepted,
// reading the old account again.
func TestEndorsementWaitsForFollow(t *testing.T) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	// Remote accounts never accept by themselves here.
	neu := mastotest.NewServer(t, mastotest.WithClock(clock), generous(mastotest.Mastodon45), mastotest.WithAcceptDelay(-1))
	oldAccount(old, neu, t0)
	f, _, errOut, _ := fromFactory(t, old, neu, clock)
	if code := run(context.Background(), []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	if got := neu.Extras().Endorsed; len(got) != 0 {
		t.Fatalf("endorsed %v before the follow was accepted", got)
	}
	if !strings.Contains(errOut.String(), "wait for follow requests to be accepted") {
		t.Errorf("the waiting endorsement is not announced:\n%s", errOut)
	}
	var status strings.Builder
	f.IO.Out = &status
	if code := run(context.Background(), []string{"status"}, f); code != 0 || !strings.Contains(status.String(), old.URL) ||
		!strings.Contains(status.String(), "once follow requests are accepted") {
		t.Errorf("status: exit %d\n%s", code, status.String())
	}
	if !neu.AcceptFollow("fay@f.example") {
		t.Fatal("no request to fay")
	}
	errOut.Reset()
	if code := run(context.Background(), []string{"resume", "--yes"}, f); code != 0 {
		t.Fatalf("resume: exit %d\n%s", code, errOut)
	}
	if !strings.Contains(errOut.String(), "Resuming the migration to me@new.example from "+old.URL+"\n") {
		t.Errorf("resume does not name the old account:\n%s", errOut)
	}
	if got := neu.Extras().Endorsed; !reflect.DeepEqual(got, []string{"fay@f.example"}) {
		t.Errorf("endorsed after the accept: %v\n%s", got, errOut)
	}
	if old.Writes() != 0 {
		t.Errorf("%d writes to the old account", old.Writes())
	}
	var report strings.Builder
	f.IO.Out = &report
	// Left: only the follow requests nobody accepted (this server's remote
	// accounts never do), reported as pending.
	var rep struct {
		Items []struct{ Item, Status string }
	}
	code := run(context.Background(), []string{"report", "--json"}, f)
	if err := json.Unmarshal([]byte(report.String()), &rep); code != 0 || err != nil {
		t.Fatalf("report: exit %d, %v\n%s%s", code, err, report.String(), errOut)
	}
	for _, it := range rep.Items {
		if it.Status != "pending" {
			t.Errorf("report lists %s as %s, want only pending follow requests", it.Item, it.Status)
		}
	}
}

// TestMigrateFromWithExports: the live account wins where both hold an
// item, and the exports add what only they hold.
func TestMigrateFromWithExports(t *testing.T) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	neu := mastotest.NewServer(t, mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	oldAccount(old, neu, t0)
	neu.AddHandle("zed@z.example", mastotest.Account{})
	dir := t.TempDir()
	// bo's follow settings differ from the live ones; zed is only here.
	csv := "Account address,Show boosts,Notify on new posts,Languages\nbo@b.example,true,false,\nzed@z.example,true,false,\n"
	if err := os.WriteFile(filepath.Join(dir, "following_accounts.csv"), []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	f, _, errOut, _ := fromFactory(t, old, neu, clock)
	args := []string{"migrate", filepath.Join(dir, "following_accounts.csv"), "--from", old.URL, "--to", neu.URL, "--yes"}
	if code := run(context.Background(), args, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	got := neu.State().Follows
	if bo := got["bo@b.example"]; bo.Reblogs || !bo.Notify {
		t.Errorf("bo: %+v; want the live settings (no boosts, notify)", bo)
	}
	if _, ok := got["zed@z.example"]; !ok {
		t.Errorf("zed, only in the export, was not followed: %v", got)
	}
	if len(neu.Extras().FollowedTags) != 2 {
		t.Errorf("followed tags: %v", neu.Extras().FollowedTags)
	}
}

// TestMigrateFromRefusesSameAccount: --from and --to on one account
// would write to the account that is only read.
func TestMigrateFromRefusesSameAccount(t *testing.T) {
	s := mastotest.NewServer(t, generous(mastotest.Mastodon45))
	f, _, errOut := migrateFactory(t, s)
	f.Getenv = func(k string) string {
		if k == tokenEnv || k == fromTokenEnv {
			return s.Token
		}
		return ""
	}
	if code := run(context.Background(), []string{"migrate", "--from", s.URL, "--to", s.URL, "--yes"}, f); code != exitUsage {
		t.Errorf("exit %d, want %d\n%s", code, exitUsage, errOut)
	}
	if s.Writes() != 0 || !strings.Contains(errOut.String(), "are the same account") {
		t.Errorf("%d writes\n%s", s.Writes(), errOut)
	}
}

// TestPlanFromGoToSocial: a category the old server lacks is a warning,
// read as empty, and the plan still counts the rest.
func TestPlanFromGoToSocial(t *testing.T) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45),
		mastotest.WithFlavour(mastotest.GoToSocial020))
	neu := mastotest.NewServer(t, mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	oldAccount(old, neu, t0)
	f, out, errOut, _ := fromFactory(t, old, neu, clock)
	if code := run(context.Background(), []string{"plan", "--from", old.URL, "--json"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	var p struct {
		Importable map[string]int `json:"importable"`
		Warnings   []struct{ Code string }
	}
	if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
		t.Fatal(err)
	}
	// No user domain blocks and no endorsements there: both routes are
	// unknown (404); featured tags read as none.
	var codes []string
	for _, w := range p.Warnings {
		codes = append(codes, w.Code)
	}
	if p.Importable["domain_blocks"] != 0 || p.Importable["featured_tags"] != 0 || p.Importable["endorsements"] != 0 ||
		p.Importable["followed_tags"] != 2 || !reflect.DeepEqual(codes, []string{"unreadable_domain_blocks", "unreadable_endorsements"}) {
		t.Errorf("importable %v, warnings %+v", p.Importable, p.Warnings)
	}
}

// TestFromCarriesOutgoingRequests: a follow request the old account sent
// to a locked account it does not otherwise name (not accepted, so not in
// its following) is carried where the old server lists outgoing requests
// (GoToSocial 0.20), and becomes a request again on the new account. On
// Mastodon only relationships show a request, for accounts named
// elsewhere: the plan says what it cannot see.
func TestFromCarriesOutgoingRequests(t *testing.T) {
	for _, from := range mastotest.Flavours() {
		t.Run(from.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(from), mastotest.WithFlavour(from))
			neu := mastotest.NewServer(t, mastotest.WithClock(clock), generous(mastotest.Mastodon45))
			for h, a := range map[string]mastotest.Account{"ana@a.example": {}, "kim@k.example": {Locked: true}} {
				neu.AddHandle(h, a)
				id := old.AddHandle(h, a)
				old.SeedFollow(id, mastotest.FollowState{Reblogs: true, Notify: h == "kim@k.example", Requested: a.Locked})
			}
			f, out, errOut, _ := fromFactory(t, old, neu, clock)

			if code := run(context.Background(), []string{"plan", "--from", old.URL, "--json"}, f); code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			var p struct {
				Importable map[string]int `json:"importable"`
				Warnings   []struct{ Code string }
			}
			if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
				t.Fatalf("plan: %v\n%s", err, out)
			}
			warned := slices.ContainsFunc(p.Warnings, func(w struct{ Code string }) bool { return w.Code == "follow_requests_unseen" })
			if from.GoToSocial() {
				if p.Importable["follows"] != 2 || warned {
					t.Errorf("plan: %d follows, unseen-requests warning %v; want 2 (ana, and kim's request), no warning", p.Importable["follows"], warned)
				}
			} else if p.Importable["follows"] != 1 || !warned {
				t.Errorf("plan: %d follows, warnings %+v; want 1 and a warning that requests to accounts named nowhere else are not seen",
					p.Importable["follows"], p.Warnings)
			}
			if !from.GoToSocial() {
				return
			}

			if code := run(context.Background(), []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes"}, f); code != 0 {
				t.Fatalf("migrate: exit %d\n%s", code, errOut)
			}
			// GoToSocial shows a request's settings as off whatever they are
			// (internal/db/bundb/relationship.go): kim's notify is not
			// known, and the request takes the new server's defaults.
			kim, ok := neu.State().Follows["kim@k.example"]
			if want := (mastotest.FollowState{Reblogs: true, Requested: true}); !ok || !reflect.DeepEqual(kim, want) {
				t.Errorf("kim on the new account: %+v (present %v); want a request again, with the defaults %+v", kim, ok, want)
			}
			if old.Writes() != 0 {
				t.Errorf("%d writes to the old account", old.Writes())
			}
		})
	}
}

// TestPlanFromGoToSocialPastFilteredPages: GoToSocial links a page before
// it drops expired mutes and accounts the reader cannot see, so a page of
// those comes back empty with a "next" (see mastotest's pageHiding). The
// plan must still see the follows and mutes behind it.
func TestPlanFromGoToSocialPastFilteredPages(t *testing.T) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45),
		mastotest.WithFlavour(mastotest.GoToSocial020))
	neu := mastotest.NewServer(t, mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	oldAccount(old, neu, t0)
	plan := func() map[string]int {
		t.Helper()
		f, out, errOut, _ := fromFactory(t, old, neu, clock)
		if code := run(context.Background(), []string{"plan", "--from", old.URL, "--json"}, f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		var p struct{ Importable map[string]int }
		if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
			t.Fatal(err)
		}
		return p.Importable
	}
	before := plan()
	expired := t0.Add(-time.Hour)
	for i := range api.MutesPage {
		old.SeedFollow(old.AddHandle(fmt.Sprint("gone", i, "@x.example"), mastotest.Account{Suspended: true}), mastotest.FollowState{Reblogs: true})
		old.SeedMute(old.AddHandle(fmt.Sprint("was", i, "@x.example"), mastotest.Account{}), mastotest.MuteState{ExpiresAt: &expired})
	}
	after := plan()
	for _, k := range []string{"follows", "mutes"} {
		if before[k] == 0 || after[k] != before[k] {
			t.Errorf("importable %s: %d, before the filtered pages %d", k, after[k], before[k])
		}
	}
}
