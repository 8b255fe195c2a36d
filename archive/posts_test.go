package archive

import (
	"context"
	"os"
	"path/filepath"
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

// TestMediaReader reads every media file of each sample, in order and
// out of order, as ReadMedia does.
func TestMediaReader(t *testing.T) {
	ctx := context.Background()
	names := []string{
		"/media_attachments/files/110/123/456/original/a1b2c3.png",
		"/media_attachments/files/110/123/457/original/d4e5f6.jpg",
		"/media_attachments/files/111/222/333/original/0a0b0c.mp4",
	}
	for _, in := range []string{"../testdata/sample/mastodon-archive.zip", "../testdata/sample/mastodon-archive.tar.gz"} {
		m := NewMediaReader([]string{in})
		for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 1}} {
			for _, i := range order {
				got, err := m.Read(ctx, names[i], MaxMedia)
				want, err2 := ReadMedia(ctx, []string{in}, names[i], MaxMedia)
				if err != nil || err2 != nil || string(got) != string(want) || len(got) != 1000*(i+1) {
					t.Errorf("%s %s: %d bytes, %v, %v", in, names[i], len(got), err, err2)
				}
			}
		}
		if _, err := m.Read(ctx, "/media_attachments/files/9/9/9/original/none.png", MaxMedia); err == nil {
			t.Errorf("%s: a missing file was read", in)
		}
		if _, err := m.Read(ctx, names[2], 10); err == nil {
			t.Errorf("%s: read over the limit", in)
		}
		if _, err := m.Read(ctx, "media_attachments/../../etc/passwd", MaxMedia); err == nil {
			t.Errorf("%s: read a path with ..", in)
		}
		m.Close()
	}
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "media_attachments/files/1"), 0o700)
	os.WriteFile(filepath.Join(dir, "media_attachments/files/1/a.png"), []byte("png"), 0o600)
	m := NewMediaReader([]string{dir})
	defer m.Close()
	if b, err := m.Read(ctx, "/media_attachments/files/1/a.png", MaxMedia); err != nil || string(b) != "png" {
		t.Errorf("folder: %q, %v", b, err)
	}
}
