package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// bigProfile gives old a GoToSocial-sized profile: 6 fields, a bio of
// 3,000 characters, a 5 MB avatar and a small header, the pictures on a
// media host of their own.
func bigProfile(t *testing.T, old *mastotest.Server) (note string, fields [][2]string) {
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")
	avatar := append(bytes.Clone(png), make([]byte, 5_000_000)...)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "avatar") {
			w.Write(avatar)
			return
		}
		w.Write(png)
	}))
	t.Cleanup(cdn.Close)
	var b strings.Builder
	for i := 0; b.Len() < 3000; i++ {
		fmt.Fprintf(&b, "word%04d ", i)
	}
	note = b.String()[:3000] // ends inside a word
	for i := 1; i <= 6; i++ {
		fields = append(fields, [2]string{fmt.Sprintf("Field %d", i), fmt.Sprintf("value %d", i)})
	}
	old.SeedProfile(mastotest.Profile{DisplayName: "Me, moving", Note: note, Fields: fields, Avatar: "image/png", Header: "image/png"},
		cdn.URL+"/avatars/me.png", cdn.URL+"/headers/me.png")
	return note, fields
}

// TestProfileFitsTarget carries a GoToSocial profile over to each flavour:
// what the new server's limits let through arrives, the rest is reported
// item by item with what stayed behind, and a re-run sends nothing.
func TestProfileFitsTarget(t *testing.T) {
	for _, tt := range []struct {
		to        mastotest.Flavour
		fields    int
		cutNote   bool
		avatarCut bool // over 2 MB: Mastodon up to 4.3
	}{
		{mastotest.Mastodon42, 4, true, true},
		{mastotest.Mastodon43, 4, true, true},
		{mastotest.Mastodon45, 4, true, false},
		{mastotest.GoToSocial020, 6, false, false},
	} {
		t.Run(tt.to.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			from := mastotest.GoToSocial020
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(from), mastotest.WithFlavour(from))
			opts := []mastotest.Option{mastotest.WithFlavour(tt.to), mastotest.WithClock(clock)}
			if !tt.to.GoToSocial() {
				opts = append(opts, generous(tt.to))
			}
			neu := mastotest.NewServer(t, opts...)
			note, fields := bigProfile(t, old)
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			wantLeft := ""
			if tt.cutNote {
				wantLeft = note[strings.LastIndex(note[:498], " ")+1:]
			}
			var want []reportItem
			if tt.cutNote {
				want = append(want, reportItem{Category: "profile", Item: "bio", Status: "skipped",
					Reason: "cut from 3,000 to 500 characters, the most the new instance takes; left out: " + fmt.Sprintf("%q", wantLeft)})
			}
			for i := tt.fields; i < len(fields); i++ {
				want = append(want, reportItem{Category: "profile", Item: fmt.Sprintf("field %d", i+1), Status: "skipped",
					Reason: fmt.Sprintf("the new instance takes at most 4 fields; left out: %q", fields[i][0]+": "+fields[i][1])})
			}
			if tt.avatarCut {
				want = append(want, reportItem{Category: "profile", Item: "avatar", Status: "skipped",
					Reason: "not sent: 5.0 MB, over the 2 MB the new instance takes; upload a smaller one there by hand"})
			}

			// The plan warns of the same pieces before anything is sent.
			if code := run(context.Background(), []string{"plan", "--json", "--from", old.URL, "--to", neu.URL, "--include", "profile"}, f); code != 0 {
				t.Fatalf("plan: exit %d\n%s", code, errOut)
			}
			var plan struct{ Warnings []migrate.Warning }
			if err := json.Unmarshal([]byte(out.String()), &plan); err != nil {
				t.Fatal(err)
			}
			warned := 0
			for _, w := range plan.Warnings {
				if w.Code == "profile_cut" {
					warned = w.Count
				}
			}
			if warned != len(want) {
				t.Errorf("the plan warns of %d cut pieces, want %d: %+v", warned, len(want), plan.Warnings)
			}
			out.Reset()

			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--include", "profile"}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}

			got := neu.Profile()
			if got.DisplayName != "Me, moving" || !reflect.DeepEqual(got.Fields, fields[:tt.fields]) || got.Header != "image/png" {
				t.Errorf("profile on the new account: %+v", got)
			}
			wantAvatar := "image/png"
			if tt.avatarCut {
				wantAvatar = ""
			}
			if got.Avatar != wantAvatar {
				t.Errorf("avatar %q, want %q", got.Avatar, wantAvatar)
			}
			if !tt.cutNote && got.Note != note {
				t.Errorf("bio changed on the way: %d characters", utf8.RuneCountInString(got.Note))
			}
			kept := strings.TrimSuffix(got.Note, "…")
			if tt.cutNote && (api.NoteLength(got.Note) > 500 || api.NoteLength(got.Note) < 450 || !strings.HasPrefix(note, kept) || kept == got.Note) {
				t.Errorf("bio cut to %d characters: %q", api.NoteLength(got.Note), got.Note)
			}

			var report []reportItem
			for _, it := range reportJSON(t, f, out) {
				if it.Category == "profile" {
					report = append(report, it)
				}
			}
			if !reflect.DeepEqual(sortReport(report), sortReport(want)) {
				t.Errorf("report\n got %+v\nwant %+v", report, want)
			}

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

// dropAvatar plays a server that answers an avatar upload 200 and keeps
// nothing, as GoToSocial did with the data URIs once sent.
type dropAvatar struct{ next http.RoundTripper }

func (d dropAvatar) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPatch && r.Body != nil {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(b, []byte(`name="avatar"`)) {
			return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
				Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return d.next.RoundTrip(r)
}

// TestProfileDidNotStick: an avatar the server took but does not show is
// reported as such and sent again by the next run.
func TestProfileDidNotStick(t *testing.T) {
	clock := mastotest.NewManualClock(t0)
	old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	neu := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.Mastodon45), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
	oldProfile(t, old)
	f, out, errOut, log := fromFactory(t, old, neu, clock)
	f.Transport = dropAvatar{log}
	args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--include", "profile"}
	run(context.Background(), args, f)
	if p := neu.Profile(); p.Avatar != "" || p.Header != "image/png" || p.DisplayName != "Me, moving" {
		t.Fatalf("profile %+v", p)
	}
	want := []reportItem{{Category: "profile", Item: "avatar", Status: "retry",
		Reason: "the new instance took the update but does not show the new avatar; the next run sends it again"}}
	if got := reportJSON(t, f, out); !reflect.DeepEqual(got, want) {
		t.Errorf("report\n got %+v\nwant %+v", got, want)
	}

	f.Transport = log
	if code := run(context.Background(), args, f); code != 0 {
		t.Fatalf("re-run: exit %d\n%s", code, errOut)
	}
	if got := reportJSON(t, f, out); len(got) != 0 || neu.Profile().Avatar != "image/png" {
		t.Errorf("after the re-run: avatar %q, report %+v", neu.Profile().Avatar, got)
	}
}
