package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// dropParam plays a server that takes a request but binds none of one
// of its parameters, as GoToSocial 0.20 did with a filter's
// keywords_attributes[0][keyword] (internal/api/model/filterv2.go): the
// parameter is taken out of the JSON or form body of POSTs to paths
// ending in suffix on the way.
type dropParam struct {
	suffix, name string
	next         http.RoundTripper
}

func (d dropParam) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, d.suffix) || r.Body == nil {
		return d.next.RoundTrip(r)
	}
	b, _ := io.ReadAll(r.Body)
	var body map[string]any
	if json.Unmarshal(b, &body) == nil {
		delete(body, d.name)
		b, _ = json.Marshal(body)
	} else if form, err := url.ParseQuery(string(b)); err == nil {
		for k := range form {
			if k == d.name || strings.HasPrefix(k, d.name+"[") {
				form.Del(k)
			}
		}
		b = []byte(form.Encode())
	}
	r = r.Clone(r.Context())
	r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	return d.next.RoundTrip(r)
}

// oldAndNew are an old Mastodon account and a new one of flavour fl on
// one manual clock.
func oldAndNew(t *testing.T, fl mastotest.Flavour) (*mastotest.ManualClock, *mastotest.Server, *mastotest.Server) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock))
	return clock, old, mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
}

// seedSpoilers gives old a filter of three keywords, one whole-word, and
// returns it.
func seedSpoilers(old *mastotest.Server) mastotest.FilterState {
	f := mastotest.FilterState{Title: "Spoilers", Context: []string{"home", "public"}, Action: "hide",
		Keywords: []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: "leak"}, {Keyword: "plot twist"}}}
	old.SeedFilter(f)
	return f
}

// TestFilterKeywordsArrive: a filter with three keywords, one
// whole-word, copied by --from arrives whole in one run, on every
// flavour (GoToSocial 0.20 binds keywords from JSON only; see the fake).
func TestFilterKeywordsArrive(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			want := seedSpoilers(old)
			f, _, errOut, _ := fromFactory(t, old, neu, clock)
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "filters"}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			if got := neu.Extras().Filters; len(got) != 1 || !reflect.DeepEqual(got["Spoilers"], want) {
				t.Errorf("filters after one run: %+v, want only %+v", got, want)
			}
			if n := neu.Count("POST /api/v2/filters/:id/keywords"); n != 0 {
				t.Errorf("%d keywords added after the filter was made: they should come with it", n)
			}
		})
	}
}

// TestFilterKeywordsStick: a filter that lands without its keywords is
// read back, reported as not stuck and kept for a rerun, which adds the
// keywords to the filter made; three keywords, one whole-word, arrive.
func TestFilterKeywordsStick(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			want := seedSpoilers(old)
			f, _, errOut, log := fromFactory(t, old, neu, clock)
			log.next = dropParam{"/api/v2/filters", "keywords_attributes", log.next}
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "filters"}
			if code := run(context.Background(), args, f); code == 0 {
				t.Fatalf("exit 0 with the keywords lost\n%s", errOut)
			}
			if !strings.Contains(errOut.String(), "1 item could not be done yet") {
				t.Errorf("the run does not say the filter is not done:\n%s", errOut)
			}
			if got := neu.Extras().Filters["Spoilers"]; len(got.Keywords) != 0 {
				t.Fatalf("the fake kept keywords it was not sent: %+v", got)
			}
			var report strings.Builder
			f.IO.Out = &report
			if code := run(context.Background(), []string{"report"}, f); code != 0 {
				t.Fatalf("report: exit %d\n%s", code, errOut)
			}
			if !strings.Contains(report.String(), `did not stick: keywords "spoiler", "leak", "plot twist"`) {
				t.Errorf("the report does not name the keywords lost:\n%s", report.String())
			}

			log.next = http.DefaultTransport
			errOut.Reset()
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("rerun: exit %d\n%s", code, errOut)
			}
			got := neu.Extras().Filters
			if len(got) != 1 || !reflect.DeepEqual(got["Spoilers"], want) {
				t.Errorf("filters after the rerun: %+v, want only %+v", got, want)
			}
		})
	}
}

// TestBlurWhereThereIsNone: Mastodon 4.2–4.3 answer 500 for a blur
// filter, GoToSocial 0.20 422; the plan says it becomes warn, and the run
// makes it so, once. Mastodon 4.4+ takes blur.
func TestBlurWhereThereIsNone(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			old.SeedFilter(mastotest.FilterState{Title: "Spiders", Context: []string{"home"}, Action: "blur",
				Keywords: []mastotest.FilterKeyword{{Keyword: "spider"}}})
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			if code := run(context.Background(), []string{"plan", "--from", old.URL, "--to", neu.URL}, f); code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			noBlur := fl != mastotest.Mastodon45
			if noted := strings.Contains(out.String(), "note: filter Spiders: the filter action blur becomes warn"); noted != noBlur {
				t.Errorf("plan notes blur becoming warn: %v, want %v\n%s", noted, noBlur, out)
			}
			if code := run(context.Background(), []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "filters"}, f); code != 0 {
				t.Fatalf("migrate: exit %d\n%s", code, errOut)
			}
			wantAction := "blur"
			if noBlur {
				wantAction = "warn"
			}
			if got := neu.Extras().Filters["Spiders"]; got.Action != wantAction || len(got.Keywords) != 1 {
				t.Errorf("filter on the new account: %+v, want action %s", got, wantAction)
			}
			if n := neu.Count("POST /api/v2/filters"); n != 1 {
				t.Errorf("%d filters sent, want 1", n)
			}
		})
	}
}

// TestNoteSticks: a private note is read back; one that did not stick is
// reported so and set by the next run.
func TestNoteSticks(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			bo := old.AddHandle("bo@b.example", mastotest.Account{})
			old.SeedFollow(bo, mastotest.FollowState{Reblogs: true}) // notes are read on the accounts named
			old.SeedNote(bo, "met at FOSDEM")
			neu.AddHandle("bo@b.example", mastotest.Account{})
			f, _, errOut, log := fromFactory(t, old, neu, clock)
			log.next = dropParam{"/note", "comment", log.next}
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "notes"}
			if code := run(context.Background(), args, f); code == 0 {
				t.Fatalf("exit 0 with the note lost\n%s", errOut)
			}
			var report strings.Builder
			f.IO.Out = &report
			run(context.Background(), []string{"report"}, f)
			if !strings.Contains(report.String(), "did not stick") {
				t.Errorf("the report does not say the note did not stick:\n%s", report.String())
			}
			log.next = http.DefaultTransport
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("rerun: exit %d\n%s", code, errOut)
			}
			if got := neu.Extras().Notes; !reflect.DeepEqual(got, map[string]string{"bo@b.example": "met at FOSDEM"}) {
				t.Errorf("notes: %v", got)
			}
		})
	}
}

// TestFilterKeywordTooLong: GoToSocial refuses a filter with a keyword
// over 40 characters whole; the filter is carried without it, the keyword
// reported as left out, and a rerun sends nothing.
func TestFilterKeywordTooLong(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			long := "a phrase far longer than forty characters, typed once"
			old.SeedFilter(mastotest.FilterState{Title: "Noise", Context: []string{"home"}, Action: "warn",
				Keywords: []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: long}}})
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "filters"}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			want := []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: long}}
			if fl.GoToSocial() {
				want = want[:1]
			}
			if got := neu.Extras().Filters["Noise"].Keywords; !reflect.DeepEqual(got, want) {
				t.Errorf("keywords %+v, want %+v", got, want)
			}
			out.Reset()
			run(context.Background(), []string{"report"}, f)
			if reported := strings.Contains(out.String(), "over 40 characters"); reported != fl.GoToSocial() {
				t.Errorf("the long keyword reported: %v\n%s", reported, out)
			}
			writes := neu.Writes()
			if code := run(context.Background(), args, f); code != 0 || neu.Writes() != writes {
				t.Errorf("rerun: exit %d, %d writes\n%s", code, neu.Writes()-writes, errOut)
			}
		})
	}
}

// TestFilterTitleTooLong: GoToSocial refuses a filter whose title is over
// 200 characters whole; the filter is carried with its title cut to 200,
// the plan says so, and a rerun finds it there and sends nothing.
func TestFilterTitleTooLong(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			title := strings.TrimSpace(strings.Repeat("Ünïcode spoilers ", 15)) // 254 characters
			old.SeedFilter(mastotest.FilterState{Title: title, Context: []string{"home"}, Action: "warn",
				Keywords: []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}}})
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "filters"}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			want := title
			if fl.GoToSocial() {
				want = string([]rune(title)[:200])
			}
			got, ok := neu.Extras().Filters[want]
			if !ok || len(neu.Extras().Filters) != 1 || len(got.Keywords) != 1 {
				t.Fatalf("filters on the new account: %+v, want one titled %q", neu.Extras().Filters, want)
			}
			if said := strings.Contains(out.String(), "cut to 200 characters"); said != fl.GoToSocial() {
				t.Errorf("the shortened title said: %v\n%s", said, out)
			}
			writes := neu.Writes()
			if code := run(context.Background(), args, f); code != 0 || neu.Writes() != writes {
				t.Errorf("rerun: exit %d, %d writes\n%s", code, neu.Writes()-writes, errOut)
			}
		})
	}
}

// TestListTitleTooLong: GoToSocial refuses a list whose title is over 200
// characters (400); the list is made with its title cut to 200 and its
// members go to it, the plan says so, and a rerun finds it by that title
// and sends nothing.
func TestListTitleTooLong(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			bo := old.AddHandle("bo@b.example", mastotest.Account{})
			neu.AddHandle("bo@b.example", mastotest.Account{})
			old.SeedFollow(bo, mastotest.FollowState{Reblogs: true})
			title := strings.TrimSpace(strings.Repeat("Ünïcode friends ", 16)) // 255 characters
			old.SeedList(title, "followed", false, bo)
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "follows,lists,list_members"}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s%s", code, out, errOut)
			}
			want := title
			if fl.GoToSocial() {
				want = strings.TrimSpace(string([]rune(title)[:200])) // the cut ends in a space
			}
			lists := neu.State().Lists
			if got, ok := lists[want]; !ok || len(lists) != 1 || !reflect.DeepEqual(got.Members, []string{"bo@b.example"}) {
				t.Fatalf("lists on the new account: %+v, want one titled %q with bo", lists, want)
			}
			if said := strings.Contains(out.String(), "cut to 200 characters"); said != fl.GoToSocial() {
				t.Errorf("the shortened title said: %v\n%s", said, out)
			}
			writes := neu.Writes()
			if code := run(context.Background(), args, f); code != 0 || neu.Writes() != writes {
				t.Errorf("rerun: exit %d, %d writes\n%s%s", code, neu.Writes()-writes, out, errOut)
			}
		})
	}
}

// TestWritesReadBack: every write whose server took it without keeping
// what was sent (a test-only fault of the fake: a parameter not bound, or
// a write lost) is read back, reported as not stuck, kept for a rerun,
// and made whole by the rerun without a second item.
func TestWritesReadBack(t *testing.T) {
	const (
		followRoute = "POST /api/v1/accounts/:id/follow"
		muteRoute   = "POST /api/v1/accounts/:id/mute"
	)
	end := t0.Add(72 * time.Hour)
	for _, tt := range []struct {
		name string
		only string
		// seed gives the old account its item and the new server what it
		// must know; bo is "bo@b.example" on both.
		seed   func(old, neu *mastotest.Server, bo string)
		faults mastotest.Faults
		// mastodonOnly: GoToSocial has no such write.
		mastodonOnly bool
		// sticks: the fault drops nothing that counts on this flavour.
		sticks func(mastotest.Flavour) bool
		check  func(t *testing.T, neu *mastotest.Server)
	}{
		{name: "follow settings", only: "follows",
			seed: func(old, _ *mastotest.Server, bo string) {
				old.SeedFollow(bo, mastotest.FollowState{Reblogs: false, Notify: true})
			},
			faults: mastotest.Faults{Unbound: map[string][]string{followRoute: {"reblogs", "notify"}}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.State().Follows["bo@b.example"]; got.Reblogs || !got.Notify {
					t.Errorf("follow %+v, want boosts off, notify on", got)
				}
			}},
		// GoToSocial has no follow languages: never drift there.
		{name: "follow languages", only: "follows",
			seed: func(old, _ *mastotest.Server, bo string) {
				old.SeedFollow(bo, mastotest.FollowState{Reblogs: true, Languages: []string{"de", "fr"}})
			},
			faults: mastotest.Faults{Unbound: map[string][]string{followRoute: {"languages[]"}}},
			sticks: mastotest.Flavour.GoToSocial,
			check: func(t *testing.T, neu *mastotest.Server) {
				want := []string{"de", "fr"}
				if neu.Flavour().GoToSocial() {
					want = nil // none there, and none asked for
				}
				if got := neu.State().Follows["bo@b.example"]; !reflect.DeepEqual(got.Languages, want) {
					t.Errorf("follow languages %v, want %v", got.Languages, want)
				}
			}},
		// The mute wants the opposite of the new server's default (hidden
		// on Mastodon, shown on GoToSocial), so a dropped parameter shows.
		{name: "mute notifications", only: "mutes",
			seed: func(old, neu *mastotest.Server, bo string) {
				old.SeedMute(bo, mastotest.MuteState{Notifications: neu.Flavour().GoToSocial()})
			},
			faults: mastotest.Faults{Unbound: map[string][]string{muteRoute: {"notifications"}}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got, ok := neu.State().Mutes["bo@b.example"]; !ok || got.Notifications != neu.Flavour().GoToSocial() {
					t.Errorf("mute %+v (there %v), want notifications hidden: %v", got, ok, neu.Flavour().GoToSocial())
				}
			}},
		{name: "mute end", only: "mutes",
			seed: func(old, _ *mastotest.Server, bo string) {
				old.SeedMute(bo, mastotest.MuteState{Notifications: true, ExpiresAt: &end})
			},
			faults: mastotest.Faults{Unbound: map[string][]string{muteRoute: {"duration"}}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.State().Mutes["bo@b.example"]; got.ExpiresAt == nil || !got.ExpiresAt.Equal(end) {
					t.Errorf("mute ends %v, want %v", got.ExpiresAt, end)
				}
			}},
		{name: "block", only: "blocks",
			seed:   func(old, _ *mastotest.Server, bo string) { old.SeedBlock(bo) },
			faults: mastotest.Faults{Lost: map[string]bool{"POST /api/v1/accounts/:id/block": true}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.State().Blocks; !reflect.DeepEqual(got, []string{"bo@b.example"}) {
					t.Errorf("blocks %v", got)
				}
			}},
		{name: "bookmark", only: "bookmarks",
			seed: func(old, neu *mastotest.Server, _ string) {
				old.SeedBookmark(old.AddStatus("https://b.example/@bo/1", false))
				neu.AddStatus("https://b.example/@bo/1", false)
			},
			faults: mastotest.Faults{Lost: map[string]bool{"POST /api/v1/statuses/:id/bookmark": true}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.State().Bookmarks; !reflect.DeepEqual(got, []string{"https://b.example/@bo/1"}) {
					t.Errorf("bookmarks %v", got)
				}
			}},
		{name: "like", only: "likes",
			seed: func(old, neu *mastotest.Server, _ string) {
				old.SeedFavourite(old.AddStatus("https://b.example/@bo/2", false))
				neu.AddStatus("https://b.example/@bo/2", false)
			},
			faults: mastotest.Faults{Lost: map[string]bool{"POST /api/v1/statuses/:id/favourite": true}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.State().Favourites; !reflect.DeepEqual(got, []string{"https://b.example/@bo/2"}) {
					t.Errorf("likes %v", got)
				}
			}},
		{name: "list settings", only: "lists",
			seed: func(old, _ *mastotest.Server, _ string) {
				old.SeedList("Close", "followed", true)
			},
			faults: mastotest.Faults{Unbound: map[string][]string{"POST /api/v1/lists": {"replies_policy", "exclusive"}}},
			check: func(t *testing.T, neu *mastotest.Server) {
				got := neu.State().Lists
				if l, ok := got["Close"]; len(got) != 1 || !ok || l.RepliesPolicy != "followed" || !l.Exclusive {
					t.Errorf("lists %+v, want one, Close, replies followed, exclusive", got)
				}
			}},
		{name: "list members", only: "follows,lists,list_members",
			seed: func(old, _ *mastotest.Server, bo string) {
				old.SeedFollow(bo, mastotest.FollowState{Reblogs: true})
				old.SeedList("Close", "list", false, bo)
			},
			faults: mastotest.Faults{Unbound: map[string][]string{"POST /api/v1/lists/:id/accounts": {"account_ids[]"}}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.State().Lists["Close"].Members; !reflect.DeepEqual(got, []string{"bo@b.example"}) {
					t.Errorf("members %v", got)
				}
			}},
		{name: "followed tag", only: "followed_tags",
			seed:   func(old, _ *mastotest.Server, _ string) { old.SeedFollowedTag("caturday") },
			faults: mastotest.Faults{Lost: map[string]bool{"POST /api/v1/tags/:name/follow": true}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.Extras().FollowedTags; !reflect.DeepEqual(got, []string{"caturday"}) {
					t.Errorf("followed tags %v", got)
				}
			}},
		{name: "featured tag", only: "featured_tags", mastodonOnly: true,
			seed:   func(old, _ *mastotest.Server, _ string) { old.SeedFeaturedTag("caturday") },
			faults: mastotest.Faults{Lost: map[string]bool{"POST /api/v1/featured_tags": true}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.Extras().FeaturedTags; !reflect.DeepEqual(got, []string{"caturday"}) {
					t.Errorf("featured tags %v", got)
				}
			}},
		{name: "endorsement", only: "follows,endorsements", mastodonOnly: true,
			seed: func(old, _ *mastotest.Server, bo string) {
				old.SeedFollow(bo, mastotest.FollowState{Reblogs: true})
				old.SeedEndorsement(bo)
			},
			faults: mastotest.Faults{Lost: map[string]bool{"POST /api/v1/accounts/:id/endorse": true, "POST /api/v1/accounts/:id/pin": true}},
			check: func(t *testing.T, neu *mastotest.Server) {
				if got := neu.Extras().Endorsed; !reflect.DeepEqual(got, []string{"bo@b.example"}) {
					t.Errorf("endorsed %v", got)
				}
			}},
	} {
		for _, fl := range mastotest.Flavours() {
			if tt.mastodonOnly && fl.GoToSocial() {
				continue
			}
			t.Run(tt.name+"/"+fl.String(), func(t *testing.T) {
				clock, old, neu := oldAndNew(t, fl)
				bo := old.AddHandle("bo@b.example", mastotest.Account{})
				neu.AddHandle("bo@b.example", mastotest.Account{})
				tt.seed(old, neu, bo)
				neu.SetFaults(tt.faults)
				f, out, errOut, _ := fromFactory(t, old, neu, clock)
				args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--no-bulk", "--include", "likes", "--only", tt.only}
				code := run(context.Background(), args, f)
				if tt.sticks != nil && tt.sticks(fl) {
					if code != 0 {
						t.Fatalf("exit %d where nothing that counts was dropped\n%s", code, errOut)
					}
					tt.check(t, neu)
					return
				}
				if code == 0 {
					t.Fatalf("exit 0 with the write not kept\n%s", errOut)
				}
				out.Reset()
				run(context.Background(), []string{"report"}, f)
				if !strings.Contains(out.String(), "did not stick") {
					t.Errorf("the report does not say what did not stick:\n%s", out)
				}
				neu.SetFaults(mastotest.Faults{})
				errOut.Reset()
				if code := run(context.Background(), args, f); code != 0 {
					t.Fatalf("rerun: exit %d\n%s", code, errOut)
				}
				tt.check(t, neu)
				writes := neu.Writes()
				if code := run(context.Background(), args, f); code != 0 || neu.Writes() != writes {
					t.Errorf("third run: exit %d, %d writes\n%s", code, neu.Writes()-writes, errOut)
				}
			})
		}
	}
}

// TestAcceptedRequestSettingsReadBack: a follow that stays a request
// shows its settings at once on Mastodon, and on GoToSocial only once
// accepted (internal/db/bundb/relationship.go): there the run after the
// acceptance reads them back, and sends again what did not stick.
func TestAcceptedRequestSettingsReadBack(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock))
			neu := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock), mastotest.WithAcceptDelay(-1))
			old.SeedFollow(old.AddHandle("bo@b.example", mastotest.Account{}), mastotest.FollowState{Reblogs: true, Notify: true})
			neu.AddHandle("bo@b.example", mastotest.Account{})
			neu.SetFaults(mastotest.Faults{Unbound: map[string][]string{"POST /api/v1/accounts/:id/follow": {"notify"}}})
			f, _, errOut, _ := fromFactory(t, old, neu, clock)
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--no-bulk", "--only", "follows"}
			run(context.Background(), args, f)
			if !neu.AcceptFollow("bo@b.example") && fl.GoToSocial() {
				t.Fatalf("no request to accept: %+v", neu.State().Follows)
			}
			neu.SetFaults(mastotest.Faults{})
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("rerun: exit %d\n%s", code, errOut)
			}
			if got := neu.State().Follows["bo@b.example"]; !got.Notify || got.Requested {
				t.Errorf("follow %+v, want accepted, notifying", got)
			}
			writes := neu.Writes()
			if code := run(context.Background(), args, f); code != 0 || neu.Writes() != writes {
				t.Errorf("third run: exit %d, %d writes\n%s", code, neu.Writes()-writes, errOut)
			}
		})
	}
}
