package archive_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/archive/archivetest"
)

// oldPrefix is where Mastodon's tarballs before 4.2 kept media.
const oldPrefix = "/home/mastodon/live/public/system/"

// exportsFS holds the sample exports in every shape a person brings.
func exportsFS() fstest.MapFS {
	m := fstest.MapFS{
		"archive.zip":            {Data: archivetest.ZIP(archivetest.ArchiveFiles("", false))},
		"old.tar.gz":             {Data: archivetest.TarGz(archivetest.ArchiveFiles(oldPrefix, true))},
		"downloads/archive.zip":  {Data: archivetest.ZIP(archivetest.ArchiveFiles("", false))},
		"downloads/csv.zip":      {Data: archivetest.ZIP(archivetest.CSVs())},
		"downloads/notes.txt":    {Data: []byte("todo\n")},
		"bad/truncated.zip":      {Data: []byte("PK\x03\x04 truncated")},
		"bad/nothing/a.txt":      {Data: []byte("hello")},
		"bad/columns/lists.csv":  {Data: []byte("Friends\n")},
		"bad/renamed.zip":        {Data: []byte("Account address,Show boosts\n")},
		"bad/corrupt.tar.gz":     {Data: []byte("\x1f\x8b\x08\x00 not gzip")},
		"json/following.json":    {Data: []byte(`["ana@mastodon.example"]`)},
		"following_accounts.csv": {Data: []byte("Account address,Show boosts,Notify on new posts,Languages\nzed@new.example,true,false,\n")},
	}
	for _, f := range archivetest.CSVs() {
		m["csv/"+f.Name] = &fstest.MapFile{Data: f.Data}
	}
	return m
}

func openFS(t *testing.T, fsys fs.FS, names ...string) *archive.Set {
	t.Helper()
	s, err := archive.OpenWith(context.Background(), archive.Options{FS: fsys}, names...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func postCount(t *testing.T, s *archive.Set) int {
	t.Helper()
	n := 0
	for _, err := range s.Posts(context.Background()) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	return n
}

// Each shape of input gives the same export, posts and media.
func TestOpenFS(t *testing.T) {
	archiveCounts := counts{bookmarks: 3, likes: 3, posts: 8, boosts: 2, media: 3, followers: -1}
	tests := []struct {
		name    string
		inputs  []string
		want    counts
		posts   int
		ignored []string
	}{
		{"zip", []string{"archive.zip"}, archiveCounts, 10, nil},
		{"tar.gz with absolute media paths and orderedItems twice", []string{"old.tar.gz"}, archiveCounts, 10, nil},
		{"folder of zips", []string{"downloads"},
			counts{follows: 9, lists: 2, members: 4, domains: 2, mutes: 2, blocks: 2, bookmarks: 3, likes: 3, posts: 8, boosts: 2, media: 3, followers: -1},
			10, []string{"downloads/notes.txt"}},
		{"csv folder and a file", []string{"csv", "following_accounts.csv"},
			counts{follows: 10, lists: 2, members: 4, domains: 2, mutes: 2, blocks: 2, bookmarks: 3, followers: -1}, 0, nil},
		// Each post once; media files are counted in each input, as before.
		{"the same archive twice", []string{"archive.zip", "old.tar.gz"},
			counts{bookmarks: 3, likes: 3, posts: 8, boosts: 2, media: 6, followers: -1}, 10, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := openFS(t, exportsFS(), tt.inputs...)
			e := s.Export()
			if got := countsOf(e); got != tt.want {
				t.Errorf("counts\n got %+v\nwant %+v", got, tt.want)
			}
			if strings.Join(e.Sources, " ") != strings.Join(tt.inputs, " ") {
				t.Errorf("sources %q", e.Sources)
			}
			if strings.Join(e.Ignored, " ") != strings.Join(tt.ignored, " ") {
				t.Errorf("ignored %q, want %q", e.Ignored, tt.ignored)
			}
			if n := postCount(t, s); n != tt.posts {
				t.Errorf("%d posts, want %d", n, tt.posts)
			}
		})
	}
}

func TestOpenFSErrors(t *testing.T) {
	tests := []struct {
		input, want string
	}{
		{"missing.zip", "missing.zip: file does not exist"},
		{"bad/truncated.zip", "bad/truncated.zip: not a valid zip file (truncated or corrupt)"},
		{"bad/nothing", "bad/nothing: no following.json, outbox.json or known CSV; found: a.txt"},
		{"bad/columns", "bad/columns: lists.csv: line 1: expected 2 columns"},
		{"bad/renamed.zip", "bad/renamed.zip: not a valid zip file (truncated or corrupt)"},
		{"bad/corrupt.tar.gz", "bad/corrupt.tar.gz: the gzip file is truncated"},
		{"bad", "bad: columns/lists.csv: line 1: expected 2 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.input, func(t *testing.T) {
			_, err := archive.OpenWith(context.Background(), archive.Options{FS: exportsFS()}, "json", tt.input)
			var ae *archive.Error
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") || !errors.As(err, &ae) {
				t.Errorf("err = %v\nwant one *archive.Error line starting %q", err, tt.want)
			}
		})
	}
	_, err := archive.OpenWith(context.Background(), archive.Options{FS: exportsFS()}, "missing.zip")
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing input: %v is not fs.ErrNotExist", err)
	}
}

// countingFS counts the files opened, to show that an input is walked
// once: afterwards, a zip's entries are read through the file kept open,
// and a folder's files are opened only when asked for.
type countingFS struct {
	fs.FS
	mu    sync.Mutex
	opens map[string]int
}

func (c *countingFS) Open(name string) (fs.File, error) {
	c.mu.Lock()
	c.opens[name]++
	c.mu.Unlock()
	return c.FS.Open(name)
}

func (c *countingFS) snapshot() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.opens {
		out[k] = v
	}
	return out
}

var mediaFiles = []string{
	"/media_attachments/files/110/123/456/original/a1b2c3.png",
	"/media_attachments/files/110/123/457/original/d4e5f6.jpg",
	"/media_attachments/files/111/222/333/original/0a0b0c.mp4",
}

func TestOpenReadsEachInputOnce(t *testing.T) {
	c := &countingFS{FS: exportsFS(), opens: map[string]int{}}
	s := openFS(t, c, "downloads", "old.tar.gz")
	read := c.snapshot()
	for _, in := range []string{"downloads/archive.zip", "downloads/csv.zip", "old.tar.gz"} {
		if read[in] == 0 {
			t.Errorf("%s was never opened", in)
		}
	}

	postCount(t, s)
	postCount(t, s)
	for _, m := range mediaFiles {
		if _, err := archive.ReadMedia(s, m); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := archive.ReadFile(s, "avatar.png", 1<<20); err != nil {
		t.Fatal(err)
	}
	after := c.snapshot()
	for name, n := range after {
		if extra := n - read[name]; extra > 0 && name != "old.tar.gz" {
			t.Errorf("%s opened %d more times after Open", name, extra)
		}
	}
	// The downloads folder comes first: its zip gives the posts and the
	// media; the tarball is read once more for the posts each time.
	if extra := after["old.tar.gz"] - read["old.tar.gz"]; extra != 2 {
		t.Errorf("old.tar.gz opened %d more times after Open, want 2 (two streams of posts)", extra)
	}
}

// A tarball's files are read on from the last one: in the order they
// were written, once through; out of order, from the start again. Two
// files open at once each read right.
func TestOpenTarball(t *testing.T) {
	c := &countingFS{FS: exportsFS(), opens: map[string]int{}}
	s := openFS(t, c, "old.tar.gz")
	opens := func() int { return c.snapshot()["old.tar.gz"] }
	start := opens()
	for _, m := range mediaFiles {
		b, err := archive.ReadMedia(s, m)
		if err != nil || len(b) == 0 {
			t.Fatalf("%s: %d bytes, %v", m, len(b), err)
		}
	}
	if n := opens() - start; n != 1 {
		t.Errorf("media in order: the tarball opened %d times, want 1", n)
	}
	if _, err := archive.ReadMedia(s, mediaFiles[0]); err != nil {
		t.Fatal(err)
	}
	if n := opens() - start; n != 2 {
		t.Errorf("media out of order: the tarball opened %d times, want 2", n)
	}

	a, err := s.Open(strings.TrimPrefix(mediaFiles[1], "/"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Open(strings.TrimPrefix(mediaFiles[2], "/"))
	if err != nil {
		t.Fatal(err)
	}
	da, errA := io.ReadAll(a)
	db, errB := io.ReadAll(b)
	a.Close()
	b.Close()
	if errA != nil || errB != nil || len(da) != 2000 || len(db) != 3000 {
		t.Errorf("two files open at once: %d bytes (%v) and %d bytes (%v)", len(da), errA, len(db), errB)
	}
}

func TestSetOpen(t *testing.T) {
	s := openFS(t, exportsFS(), "downloads", "old.tar.gz")
	tests := []struct {
		name string
		size int64  // -1: not found
		err  error  // for Open
		from string // the input named in a read error
	}{
		{"media_attachments/files/110/123/457/original/d4e5f6.jpg", 2000, nil, ""},
		// With the storage prefix a file of the old tarball is named by.
		{"system/media_attachments/files/111/222/333/original/0a0b0c.mp4", 3000, nil, ""},
		{"avatar.png", 308, nil, ""},
		{"archive.zip/header.jpg", 504, nil, ""},
		{"media_attachments/files/9/9/9/original/none.png", -1, fs.ErrNotExist, ""},
		{"downloads", -1, fs.ErrNotExist, ""},
		{"/avatar.png", -1, fs.ErrInvalid, ""},
		{"media_attachments/../outbox.json", -1, fs.ErrInvalid, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := s.Open(tt.name)
			if tt.err != nil {
				var pe *fs.PathError
				if !errors.Is(err, tt.err) || !errors.As(err, &pe) {
					t.Fatalf("Open: %v, want a *fs.PathError of %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			st, err := f.Stat()
			if err != nil || st.Size() != tt.size || st.IsDir() || !st.Mode().IsRegular() {
				t.Fatalf("Stat: %+v, %v", st, err)
			}
			b, err := io.ReadAll(f)
			if err != nil || int64(len(b)) != tt.size {
				t.Errorf("read %d bytes, %v; Stat said %d", len(b), err, tt.size)
			}
		})
	}
	if b, err := fs.ReadFile(s, "actor.json"); err != nil || !strings.Contains(string(b), "Alex Example") {
		t.Errorf("fs.ReadFile(actor.json): %v", err)
	}
}

func TestReadFileLimits(t *testing.T) {
	s := openFS(t, exportsFS(), "archive.zip")
	tests := []struct {
		name  string
		limit int64
		want  string // error; "" for none
	}{
		{"/avatar.png", 1 << 20, ""},
		{"avatar.png", 100, "avatar.png is larger than 0 MiB"},
		{"nope.png", 1 << 20, "nope.png is in none of the exports"},
		{"../avatar.png", 1 << 20, "invalid argument"},
	}
	for _, tt := range tests {
		_, err := archive.ReadFile(s, tt.name, tt.limit)
		if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
			t.Errorf("ReadFile(%q, %d): %v, want %q", tt.name, tt.limit, err, tt.want)
		}
	}
	for _, bad := range []string{"outbox.json", "https://old.example/a.png", "media_attachments/../avatar.png"} {
		if _, err := archive.ReadMedia(s, bad); err == nil {
			t.Errorf("ReadMedia(%q) read a file that is not media", bad)
		}
	}
}

// A reader may stop taking posts and start again; a cancelled context
// ends the stream with its error.
func TestPostsStop(t *testing.T) {
	for _, in := range []string{"archive.zip", "old.tar.gz"} {
		s := openFS(t, exportsFS(), in)
		for _, err := range s.Posts(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			break
		}
		if n := postCount(t, s); n != 10 {
			t.Errorf("%s: %d posts after stopping early, want 10", in, n)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var last error
		for _, err := range s.Posts(ctx) {
			last = err
		}
		if !errors.Is(last, context.Canceled) {
			t.Errorf("%s: cancelled: %v", in, last)
		}
	}
}
