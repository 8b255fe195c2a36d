package archive

import (
	"context"
	"strings"
	"testing"
)

// TestReadPosts streams the sample archives' posts: the zip, and the
// tar.gz whose outbox writes orderedItems twice (empty first) and whose
// media sit under the server's absolute storage path.
func TestReadPosts(t *testing.T) {
	for _, in := range []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/mastodon-archive.tar.gz", "../testdata/sample/json-export"} {
		t.Run(in, func(t *testing.T) {
			var pc PostCount
			var first Post
			err := ReadPosts(context.Background(), []string{in, in}, func(p Post) error {
				if first.ID == "" {
					first = p
				}
				switch {
				case p.Boost:
					pc.Boosts++
				case p.Visibility == "public":
					pc.Public++
				case p.Visibility == "unlisted":
					pc.Unlisted++
				case p.Visibility == "private":
					pc.FollowersOnly++
				default:
					pc.Direct++
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			// The same input twice: each post once.
			if want := (PostCount{Public: 4, Unlisted: 2, FollowersOnly: 1, Direct: 1, Boosts: 2}); pc != want {
				t.Errorf("counts %+v, want %+v", pc, want)
			}
			if first.ID != "https://old.example/users/alex/statuses/110000" || first.Published.IsZero() ||
				first.Content != "<p>Post number 0, public.</p>" || first.Author != "https://old.example/users/alex" {
				t.Errorf("first post %+v", first)
			}
		})
	}
}

func TestReadMedia(t *testing.T) {
	ctx := context.Background()
	for _, in := range []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/mastodon-archive.tar.gz"} {
		b, err := ReadMedia(ctx, []string{in}, "/media_attachments/files/110/123/457/original/d4e5f6.jpg", MaxMedia)
		if err != nil || len(b) != 2000 {
			t.Errorf("%s: %d bytes, %v", in, len(b), err)
		}
		if _, err := ReadMedia(ctx, []string{in}, "/media_attachments/files/110/123/457/original/d4e5f6.jpg", 100); err == nil ||
			!strings.Contains(err.Error(), "larger than") {
			t.Errorf("%s: over the limit: %v", in, err)
		}
	}
	for _, bad := range []string{"media_attachments/../outbox.json", "outbox.json", "https://old.example/a.png", "/media_attachments/files/nope.png"} {
		if _, err := ReadMedia(ctx, []string{"../testdata/sample/mastodon-archive.zip"}, bad, MaxMedia); err == nil {
			t.Errorf("%q: read", bad)
		}
	}
}
