package main

import (
	"context"
	"reflect"
	"strconv"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestPostsFieldsStick: on GoToSocial, the only flavour that takes
// backdated posts, a post the server made without a field sent
// (visibility, content warning, sensitive, language, date, media) is
// reported failed with what did not stick, and is never posted again:
// the rerun makes no write, and the thread still hangs together.
func TestPostsFieldsStick(t *testing.T) {
	const route = "POST /api/v1/statuses"
	post := func(n int) string { return oldSelf + "/statuses/" + strconv.Itoa(110000+n) }
	const tail = ". The post is on the new account: edit or delete it there by hand; it is not sent again, which would post it twice"
	for _, tt := range []struct {
		name    string
		unbound []string
		want    map[string]string // item: what did not stick
	}{
		{"visibility", []string{"visibility"}, map[string]string{post(2): "visibility unlisted", post(3): "visibility private", post(7): "visibility unlisted"}},
		{"content warning", []string{"spoiler_text"}, map[string]string{post(2): `content warning "film spoilers"`}},
		{"sensitive", []string{"sensitive"}, map[string]string{post(2): "sensitive"}},
		{"media", []string{"media_ids[]"}, map[string]string{post(8): "2 media files"}},
		{"language and date", []string{"language", "scheduled_at"}, map[string]string{
			post(1): "language en; date 2021-01-01T10:00:00Z", post(2): "language en; date 2021-02-01T10:00:00Z",
			post(3): "language en; date 2021-03-01T10:00:00Z", post(5): "language en; date 2021-04-01T10:00:00Z",
			post(6): "language en; date 2021-04-01T10:05:00Z", post(7): "language en; date 2021-04-01T10:10:00Z",
			post(8): "language en; date 2021-05-01T10:00:00Z"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020))
			s.SetFaults(mastotest.Faults{Unbound: map[string][]string{route: tt.unbound}})
			f, out, errOut := migrateFactory(t, s)
			args := []string{"migrate", postsArchive(t), "--to", s.URL, "--yes", "--include", "posts", "--posts", "public,unlisted,private"}
			run(context.Background(), args, f)
			got := map[string]string{}
			for _, it := range reportJSON(t, f, out) {
				if it.Category == "posts" && it.Status != "skipped" {
					got[it.Item] = it.Status + ": " + it.Reason
				}
			}
			want := map[string]string{}
			for item, what := range tt.want {
				want[item] = "failed: posted, but did not stick: " + what + tail
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("report\n got %q\nwant %q", got, want)
			}
			posts := s.Posts()
			if len(posts) != len(wantPosts) || posts[4].InReplyToID != posts[3].ID || posts[5].InReplyToID != posts[4].ID {
				t.Fatalf("%d posts on the new account, want %d, the thread kept: %+v", len(posts), len(wantPosts), posts)
			}

			// Lifted or not, the fault never makes a second post.
			s.SetFaults(mastotest.Faults{})
			before := s.Writes()
			run(context.Background(), args, f)
			if n := s.Writes() - before; n != 0 {
				t.Errorf("the rerun made %d writes\n%s", n, errOut)
			}
		})
	}
}
