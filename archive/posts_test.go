package archive

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// openSet opens the inputs for a test, closing them after it.
func openSet(t *testing.T, inputs ...string) *Set {
	t.Helper()
	s, err := Open(context.Background(), inputs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestPosts streams the sample archives' posts: the zip, and the
// tar.gz whose outbox writes orderedItems twice (empty first) and whose
// media sit under the server's absolute storage path.
func TestPosts(t *testing.T) {
	for _, in := range []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/mastodon-archive.tar.gz", "../testdata/sample/json-export"} {
		t.Run(in, func(t *testing.T) {
			s := openSet(t, in, in)
			// Twice: the stream starts over each time.
			for range 2 {
				var pc PostCount
				var first Post
				for p, err := range s.Posts(context.Background()) {
					if err != nil {
						t.Fatal(err)
					}
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
				}
				// The same input twice: each post once.
				if want := (PostCount{Public: 4, Unlisted: 2, FollowersOnly: 1, Direct: 1, Boosts: 2}); pc != want {
					t.Errorf("counts %+v, want %+v", pc, want)
				}
				if first.ID != "https://old.example/users/alex/statuses/110000" || first.Published.IsZero() ||
					first.Content != "<p>Post number 0, public.</p>" || first.Author != "https://old.example/users/alex" {
					t.Errorf("first post %+v", first)
				}
			}
		})
	}
}

func TestReadMedia(t *testing.T) {
	for _, in := range []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/mastodon-archive.tar.gz"} {
		s := openSet(t, in)
		b, err := ReadMedia(s, "/media_attachments/files/110/123/457/original/d4e5f6.jpg")
		if err != nil || len(b) != 2000 {
			t.Errorf("%s: %d bytes, %v", in, len(b), err)
		}
		if _, err := ReadFile(s, "/media_attachments/files/110/123/457/original/d4e5f6.jpg", 100); err == nil ||
			!strings.Contains(err.Error(), "larger than") {
			t.Errorf("%s: over the limit: %v", in, err)
		}
	}
	s := openSet(t, "../testdata/sample/mastodon-archive.zip")
	for _, bad := range []string{"media_attachments/../outbox.json", "outbox.json", "https://old.example/a.png", "/media_attachments/files/nope.png"} {
		if _, err := ReadMedia(s, bad); err == nil {
			t.Errorf("%q: read", bad)
		}
	}
}

// TestOpenMedia reads every media file of each sample, in order and out
// of order, and the same file twice.
func TestOpenMedia(t *testing.T) {
	names := []string{
		"/media_attachments/files/110/123/456/original/a1b2c3.png",
		"/media_attachments/files/110/123/457/original/d4e5f6.jpg",
		"/media_attachments/files/111/222/333/original/0a0b0c.mp4",
	}
	for _, in := range []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/mastodon-archive.tar.gz"} {
		s := openSet(t, in)
		for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 1}} {
			for _, i := range order {
				got, err := ReadMedia(s, names[i])
				if err != nil || len(got) != 1000*(i+1) {
					t.Errorf("%s %s: %d bytes, %v", in, names[i], len(got), err)
				}
			}
		}
		if _, err := ReadMedia(s, "/media_attachments/files/9/9/9/original/none.png"); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: a missing file: %v", in, err)
		}
		if _, err := ReadFile(s, names[2], 10); err == nil {
			t.Errorf("%s: read over the limit", in)
		}
		if _, err := ReadMedia(s, "media_attachments/../../etc/passwd"); err == nil {
			t.Errorf("%s: read a path with ..", in)
		}
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "media_attachments/files/1"), 0o700)
	os.WriteFile(filepath.Join(dir, "media_attachments/files/1/a.png"), []byte("png"), 0o600)
	os.WriteFile(filepath.Join(dir, "outbox.json"), []byte(`{"orderedItems":[]}`), 0o600)
	if b, err := ReadMedia(openSet(t, dir), "/media_attachments/files/1/a.png"); err != nil || string(b) != "png" {
		t.Errorf("folder: %q, %v", b, err)
	}
}
