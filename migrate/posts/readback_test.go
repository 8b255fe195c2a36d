package posts

import (
	"slices"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
)

// TestDrift: what each server makes of a field on its own is not drift;
// a field lost is.
func TestDrift(t *testing.T) {
	at := time.Date(2021, 2, 1, 10, 0, 0, 0, time.UTC)
	sent := api.NewStatus{Visibility: "unlisted", SpoilerText: "tea & coffee", Language: "zh-hant", ScheduledAt: &at, MediaIDs: []string{"1"}}
	made := func(f func(*api.OwnStatus)) *api.OwnStatus {
		st := &api.OwnStatus{Visibility: "unlisted", SpoilerText: "tea & coffee", Language: "zh-hant", CreatedAt: at, Media: []*api.Media{{}}}
		f(st)
		return st
	}
	for _, tt := range []struct {
		name string
		sent func(*api.NewStatus)
		got  func(*api.OwnStatus)
		want []string
	}{
		{"as sent", nil, func(*api.OwnStatus) {}, nil},
		// GoToSocial: the warning HTML-escaped, the language's canonical
		// tag, milliseconds in created_at; either server may make a post
		// sensitive that was not sent so.
		{"as the server writes it", nil, func(st *api.OwnStatus) {
			st.SpoilerText, st.Language, st.CreatedAt, st.Sensitive = "tea &amp; coffee", "zh-Hant", at.Add(300*time.Millisecond), true
		}, nil},
		{"all lost", func(ns *api.NewStatus) { ns.Sensitive = true }, func(st *api.OwnStatus) {
			*st = api.OwnStatus{Visibility: "public", Language: "en", CreatedAt: at.Add(time.Hour)}
		}, []string{"visibility unlisted", `content warning "tea & coffee"`, "sensitive", "language zh-hant", "date 2021-02-01T10:00:00Z", "1 media file"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ns := sent
			if tt.sent != nil {
				tt.sent(&ns)
			}
			if got := drift(&ns, made(tt.got)); !slices.Equal(got, tt.want) {
				t.Errorf("drift %q, want %q", got, tt.want)
			}
		})
	}
}
