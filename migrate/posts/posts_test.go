package posts

import (
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
)

func TestSelectPosts(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2021, 1, d, 0, 0, 0, 0, time.UTC) }
	entries := []postEntry{
		{ID: "b", Visibility: "public", Published: day(2), InReplyTo: "a"}, // out of order: its parent comes later
		{ID: "a", Visibility: "public", Published: day(1)},
		{ID: "c", Visibility: "private", Published: day(3)},
		{ID: "d", Visibility: "public", Published: day(4), InReplyTo: "c"}, // its parent is not carried
		{ID: "e", Visibility: "direct", Published: day(5)},
		{ID: "f", Boost: true, Published: day(6)},
		{ID: "g", Visibility: "public", Published: day(7), Poll: true},
		{ID: "h", Visibility: "public", Published: day(8), InReplyTo: "https://else/1"},
		{ID: "i", Visibility: "unlisted", Published: day(9), Others: true},
		{ID: "j", Visibility: "public"}, // no date
	}
	sel := selectPosts(entries, DefaultVisibilities)
	var ids []string
	for _, e := range sel.carry {
		ids = append(ids, e.ID)
	}
	if len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
		t.Errorf("carried %v, want [a b]", ids)
	}
	want := map[string]int{"not_chosen_private": 1, "thread_not_carried": 1, "direct": 1, "boosts": 1, "polls": 1, "replies_to_others": 1, "mentions_others": 1, "undated": 1}
	for k, n := range want {
		if sel.left[k] != n {
			t.Errorf("left %s: %d, want %d (%v)", k, sel.left[k], n, sel.left)
		}
	}
}

func TestBackdating(t *testing.T) {
	for _, tt := range []struct {
		srv api.Server
		ok  bool
	}{
		{api.Server{Software: "gotosocial", Version: "0.20.0"}, true},
		{api.Server{Software: "gotosocial", Version: "0.18.1"}, true},
		{api.Server{Software: "gotosocial", Version: "0.17.3"}, false},
		{api.Server{Software: "mastodon", Version: "4.5.0"}, false},
		{api.Server{Software: "akkoma", Version: "3.13.2"}, false},
		{api.Server{}, false},
	} {
		if ok, why := Backdating(tt.srv); ok != tt.ok || (!ok && why == "") {
			t.Errorf("%+v: %v %q", tt.srv, ok, why)
		}
	}
}
