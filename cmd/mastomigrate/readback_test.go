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
		form.Del(d.name)
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

// TestFilterKeywordsStick: a filter that lands without its keywords is
// read back, reported as not stuck and kept for a rerun, which adds the
// keywords to the filter made; three keywords, one whole-word, arrive.
func TestFilterKeywordsStick(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock, old, neu := oldAndNew(t, fl)
			want := mastotest.FilterState{Title: "Spoilers", Context: []string{"home", "public"}, Action: "hide",
				Keywords: []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: "leak"}, {Keyword: "plot twist"}}}
			old.SeedFilter(want)
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
