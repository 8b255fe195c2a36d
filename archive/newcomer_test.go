package archive_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/mastomigrate/mastomigrate/archive"
)

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, text string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// A downloads folder holds the archive and the CSVs as zips, next to
// files that are not exports: it reads as the list of its files.
func TestReadFolderHoldingZips(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, sample("mastodon-archive.zip"), filepath.Join(dir, "archive-20261101.zip"))
	copyFile(t, sample("csv.zip"), filepath.Join(dir, "csv.zip"))
	writeFile(t, filepath.Join(dir, "notes.txt"), "todo\n")

	e, err := read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	want := counts{follows: 9, lists: 2, members: 4, domains: 2, mutes: 2, blocks: 2, bookmarks: 3 + 3,
		likes: 3, posts: 8, boosts: 2, media: 3, followers: -1}
	// The archive's and the CSV's bookmarks are the same three.
	want.bookmarks = 3
	if got := countsOf(e); got != want {
		t.Errorf("counts\n got %+v\nwant %+v", got, want)
	}
	if len(e.Ignored) != 1 || !strings.HasSuffix(e.Ignored[0], "notes.txt") {
		t.Errorf("ignored = %q, want notes.txt only", e.Ignored)
	}

	// A folder of zips alone.
	os.Remove(filepath.Join(dir, "notes.txt"))
	os.Remove(filepath.Join(dir, "archive-20261101.zip"))
	e, err = read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Follows) != 9 {
		t.Errorf("folder of csv.zip: %d follows, want 9", len(e.Follows))
	}
}

func TestReadFolderBrokenZipNamesIt(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "archive.zip"), "PK\x03\x04 truncated")
	_, err := read(context.Background(), dir)
	if err == nil || !strings.Contains(err.Error(), "archive.zip") || strings.Count(err.Error(), "\n") > 0 {
		t.Fatalf("err = %v, want one line naming archive.zip", err)
	}
}

func TestReadSymlinkedCSV(t *testing.T) {
	dir := t.TempDir()
	abs, err := filepath.Abs(sample("csv/following_accounts.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(abs, filepath.Join(dir, "following_accounts.csv")); err != nil {
		t.Skip("no symlinks here:", err)
	}
	e, err := read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Follows) != 9 {
		t.Errorf("%d follows through a link, want 9", len(e.Follows))
	}
}

func utf16File(bigEndian, bom bool, text string) string {
	var b []byte
	put := func(u uint16) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(text)) {
		put(u)
	}
	return string(b)
}

// Excel and Notepad write a byte-order mark; Excel's "Unicode text" is UTF-16.
func TestReadByteOrderMarks(t *testing.T) {
	const bom = "\ufeff"
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "lists.csv"), bom+"Friends,ana@mastodon.example\r\nFriends,bo@fosstodon.example\r\nTech,dee@gts.example\r\n")
	writeFile(t, filepath.Join(dir, "blocked_domains.csv"), bom+"Spam.Example\nspam.example\n")
	writeFile(t, filepath.Join(dir, "bookmarks.csv"), bom+"https://mastodon.example/users/ana/statuses/1001\n")
	writeFile(t, filepath.Join(dir, "blocked_accounts.csv"), utf16File(false, true, "gus@spam.example\r\ntroll@bad.example\r\n"))
	writeFile(t, filepath.Join(dir, "muted_accounts.csv"), utf16File(true, true, "Account address,Hide notifications\nloud@mastodon.example,true\n"))
	e, err := read(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, l := range e.Lists {
		titles = append(titles, l.Title)
	}
	if !slices.Equal(titles, []string{"Friends", "Tech"}) {
		t.Errorf("lists = %q, want Friends and Tech", titles)
	}
	if !slices.Equal(e.DomainBlocks, []string{"spam.example"}) {
		t.Errorf("domain blocks = %q, want spam.example once", e.DomainBlocks)
	}
	if len(e.Bookmarks) != 1 {
		t.Errorf("bookmarks = %q", e.Bookmarks)
	}
	if len(e.Blocks) != 2 || e.Blocks[0].Acct != "gus@spam.example" {
		t.Errorf("UTF-16LE blocks = %+v", e.Blocks)
	}
	if len(e.Mutes) != 1 || e.Mutes[0].Account.Acct != "loud@mastodon.example" {
		t.Errorf("UTF-16BE mutes = %+v", e.Mutes)
	}
}

func TestReadUTF16WithoutMarkSaysSaveAsUTF8(t *testing.T) {
	p := writeFile(t, filepath.Join(t.TempDir(), "blocked_accounts.csv"), utf16File(false, false, "gus@spam.example\r\n"))
	_, err := read(context.Background(), p)
	if err == nil || !strings.Contains(err.Error(), "save it as UTF-8") || !strings.HasPrefix(err.Error(), p+": ") {
		t.Fatalf("err = %v", err)
	}
}

func TestReadWrongHeaderNamesBoth(t *testing.T) {
	dir := t.TempDir()
	for _, tt := range []struct{ file, text, want string }{
		{"following_accounts.csv", "Name,Email,Phone\nana,ana@example.com,123\n",
			`line 1: the header row is "Name,Email,Phone", but a file of follows (by its name) has "Account address,Show boosts,Notify on new posts,Languages"`},
		{"following_accounts.csv", "Account address,Hide notifications\nana@mastodon.example,true\n",
			`line 1: the header row is "Account address,Hide notifications", but a file of follows (by its name) has "Account address,Show boosts`},
		{"blocked_domains.csv", "#uri\nhttps://a.example/1\n",
			`line 1: the header row is "#uri", but a file of blocked domains (by its name) has "#domain"`},
	} {
		p := writeFile(t, filepath.Join(dir, tt.file), tt.text)
		_, err := read(context.Background(), p)
		if err == nil || !strings.HasPrefix(err.Error(), p+": "+tt.want) {
			t.Errorf("%s: err = %v\nwant %s: %s", tt.file, err, p, tt.want)
		}
	}
}

// Excel's plain "CSV" is in the system's code page: the file cannot say
// which, so it is refused with what to do; UTF-8 of any length passes.
func TestReadCSVNotUTF8(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, filepath.Join(dir, "lists.csv"), "Friends,ana@mastodon.example\nCaf\xe9,bo@fosstodon.example\n")
	_, err := read(context.Background(), p)
	if err == nil || err.Error() != p+`: line 2: the text is not UTF-8 (Excel's plain "CSV" uses your system's code page); save it as "CSV UTF-8"` {
		t.Errorf("err = %v", err)
	}

	// Many multi-byte titles, so characters straddle every read.
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		b.WriteString("Café ☕ 𝄞,ana@mastodon.example\n")
	}
	b.WriteString("Ünïcödé,bo@fosstodon.example\n")
	p = writeFile(t, filepath.Join(dir, "lists.csv"), b.String())
	e, err := read(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Lists) != 2 || e.Lists[0].Title != "Café ☕ 𝄞" || e.Lists[1].Title != "Ünïcödé" {
		t.Errorf("lists = %+v", e.Lists)
	}
}

// Progress moves within files as they are read, never back, and names the input.
func TestOpenWithProgress(t *testing.T) {
	var calls int
	var last int64
	in := sample("mastodon-archive.tar.gz")
	s, err := archive.OpenWith(context.Background(), archive.Options{Progress: func(input string, n int64) {
		calls++
		if input != in || n < last {
			t.Errorf("progress(%q, %d) after %d", input, n, last)
		}
		last = n
	}}, in)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if calls < 5 || last == 0 {
		t.Errorf("%d calls, last %d", calls, last)
	}
}
