package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// dropKeywords plays a server that makes a filter but binds none of its
// keywords, as GoToSocial 0.20 did with keywords_attributes[0][keyword]
// (internal/api/model/filterv2.go): the request's keywords are taken out
// on the way.
type dropKeywords struct{ next http.RoundTripper }

func (d dropKeywords) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPost && r.URL.Path == "/api/v2/filters" && r.Body != nil {
		var body map[string]any
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &body) == nil {
			delete(body, "keywords_attributes")
			b, _ = json.Marshal(body)
		}
		r = r.Clone(r.Context())
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	return d.next.RoundTrip(r)
}

// TestFilterKeywordsStick: a filter that lands without its keywords is
// read back, reported as not stuck and kept for a rerun, which adds the
// keywords to the filter made; three keywords, one whole-word, arrive.
func TestFilterKeywordsStick(t *testing.T) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock))
			neu := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
			want := mastotest.FilterState{Title: "Spoilers", Context: []string{"home", "public"}, Action: "hide",
				Keywords: []mastotest.FilterKeyword{{Keyword: "spoiler", WholeWord: true}, {Keyword: "leak"}, {Keyword: "plot twist"}}}
			old.SeedFilter(want)
			f, _, errOut, log := fromFactory(t, old, neu, clock)
			log.next = dropKeywords{log.next}
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

// TestBlurOnOldMastodon: Mastodon 4.2–4.3 answer 500 for a blur filter;
// the plan says it becomes warn, and the run makes it so, once.
func TestBlurOnOldMastodon(t *testing.T) {
	for _, fl := range []mastotest.Flavour{mastotest.Mastodon42, mastotest.Mastodon43, mastotest.Mastodon45} {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock))
			neu := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
			old.SeedFilter(mastotest.FilterState{Title: "Spiders", Context: []string{"home"}, Action: "blur",
				Keywords: []mastotest.FilterKeyword{{Keyword: "spider"}}})
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			if code := run(context.Background(), []string{"plan", "--from", old.URL, "--to", neu.URL}, f); code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			old44 := fl != mastotest.Mastodon45
			if noted := strings.Contains(out.String(), "note: filter Spiders: the filter action blur becomes warn"); noted != old44 {
				t.Errorf("plan notes blur becoming warn: %v, want %v\n%s", noted, old44, out)
			}
			if code := run(context.Background(), []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--only", "filters"}, f); code != 0 {
				t.Fatalf("migrate: exit %d\n%s", code, errOut)
			}
			wantAction := "blur"
			if old44 {
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
