// Package archivetest writes the sample exports in testdata/, the broken
// ones the error tests use, and large synthetic exports for benchmarks.
// Everything it writes is deterministic, so the committed files can be
// checked against a fresh run.
package archivetest

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// stamp is the time every generated entry carries.
var stamp = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// File is one entry of a generated export.
type File struct {
	Name string
	Data []byte
}

// The sample account, alex@old.example, moving away. Its follows, lists and
// so on are written in every format Mastodon and others produce, with the
// overlaps a real user has (the same follows in the JSON ZIP and the CSV).
const (
	followingCSV = "Account address,Show boosts,Notify on new posts,Languages\n" +
		"ana@mastodon.example,true,false,\n" +
		"bo@fosstodon.example,false,true,\"en, de\"\n" +
		"chris@old.example,true,false,\n" +
		"dee@gts.example,true,false,\n" +
		"eve@blocked.example,true,false,\n" +
		"fay@mastodon.example,true,true,\n" +
		"gus@spam.example,true,false,\n" +
		"lou@locked.example,true,false,\n" +
		"max@moved.example,false,false,\n"
	mutedCSV = "Account address,Hide notifications\n" +
		"loud@mastodon.example,true\n" +
		"noisy@gts.example,false\n"
	blockedCSV = "gus@spam.example\ntroll@bad.example\n"
	domainsCSV = "blocked.example\nSpam.Example\n"
	bookmarks  = "https://mastodon.example/users/ana/statuses/1001\n" +
		"https://fosstodon.example/users/bo/statuses/2002\n" +
		"https://gts.example/users/dee/statuses/01HX3\n"
	listsCSV = "Friends,ana@mastodon.example\n" +
		"Friends,bo@fosstodon.example\n" +
		"Tech,dee@gts.example\n" +
		"Tech,ivy@notfollowed.example\n"
)

// CSVs returns Mastodon's six CSV exports of the sample account.
func CSVs() []File {
	return []File{
		{"following_accounts.csv", []byte(followingCSV)},
		{"muted_accounts.csv", []byte(mutedCSV)},
		{"blocked_accounts.csv", []byte(blockedCSV)},
		{"blocked_domains.csv", []byte(domainsCSV)},
		{"bookmarks.csv", []byte(bookmarks)},
		{"lists.csv", []byte(listsCSV)},
	}
}

func mustJSON(v any) []byte {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		panic(err)
	}
	return b
}

const public = "https://www.w3.org/ns/activitystreams#Public"

// note is a Create activity for one post of the given visibility.
func note(i int, visibility string) map[string]any {
	self := "https://old.example/users/alex"
	to, cc := []string{public}, []string{self + "/followers"}
	switch visibility {
	case "unlisted":
		to, cc = []string{self + "/followers"}, []string{public}
	case "private":
		to, cc = []string{self + "/followers"}, []string{"https://mastodon.example/users/ana"}
	case "direct":
		to, cc = []string{"https://mastodon.example/users/ana"}, []string{}
	}
	id := fmt.Sprintf("%s/statuses/%d", self, 110000+i)
	return map[string]any{
		"id": id + "/activity", "type": "Create", "actor": self,
		"published": "2024-05-01T10:00:00Z", "to": to, "cc": cc,
		"object": map[string]any{
			"id": id, "type": "Note", "attributedTo": self, "to": to, "cc": cc,
			"content":    fmt.Sprintf("<p>Post number %d, %s.</p>", i, visibility),
			"attachment": []any{},
		},
	}
}

func announce(i int) map[string]any {
	return map[string]any{
		"id": fmt.Sprintf("https://old.example/users/alex/statuses/%d/activity", 120000+i), "type": "Announce",
		"actor": "https://old.example/users/alex", "to": []string{public},
		"object": fmt.Sprintf("https://mastodon.example/users/ana/statuses/%d", 900+i),
	}
}

// outboxItems: 4 public, 2 unlisted, 1 followers-only, 1 direct, 2 boosts.
func outboxItems() []any {
	var items []any
	for i, v := range []string{"public", "public", "unlisted", "private", "public", "direct", "unlisted", "public"} {
		items = append(items, note(i, v))
	}
	return append(items, announce(1), announce(2))
}

func outbox(items []any) map[string]any {
	return map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": "outbox.json",
		"type": "OrderedCollection", "totalItems": len(items), "orderedItems": items,
	}
}

// outboxTwice writes orderedItems twice, empty first, as Mastodon did
// before 4.2.10 (encoding/json cannot produce a repeated key).
func outboxTwice(items []any) []byte {
	b := mustJSON(items)
	return []byte(fmt.Sprintf(`{"@context":"https://www.w3.org/ns/activitystreams","id":"outbox.json","type":"OrderedCollection","totalItems":%d,"orderedItems":[],"orderedItems":%s}`, len(items), b))
}

func collectionOf(items []string) []byte {
	return mustJSON(map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams", "id": "likes.json",
		"type": "OrderedCollection", "orderedItems": items,
	})
}

var likes = []string{
	"https://mastodon.example/users/ana/statuses/1001",
	"https://mastodon.example/users/fay/statuses/3003",
	"https://gts.example/users/dee/statuses/01HX9",
}

func actorJSON() []byte {
	return mustJSON(map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams"}, "id": "https://old.example/users/alex",
		"type": "Person", "preferredUsername": "alex", "name": "Alex Example",
		"summary": "<p>Moving house.</p>", "manuallyApprovesFollowers": false,
		"followers": "https://old.example/users/alex/followers",
		"icon":      map[string]any{"type": "Image", "mediaType": "image/png", "url": "avatar.png"},
		"image":     map[string]any{"type": "Image", "mediaType": "image/jpeg", "url": "header.jpg"},
		"attachment": []any{
			map[string]any{"type": "PropertyValue", "name": "Pronouns", "value": "they/them"},
			map[string]any{"type": "PropertyValue", "name": "Web", "value": "<a href=\"https://alex.example\">alex.example</a>"},
		},
	})
}

// pseudo-media: bytes that look like a file, distinct per name.
func media(name string, n int) []byte {
	return bytes.Repeat([]byte(name[:1]), n)
}

var mediaNames = []string{
	"media_attachments/files/110/123/456/original/a1b2c3.png",
	"media_attachments/files/110/123/457/original/d4e5f6.jpg",
	"media_attachments/files/111/222/333/original/0a0b0c.mp4",
}

// ArchiveFiles is Mastodon's own archive (backup_service.rb order):
// outbox, media, likes, bookmarks, avatar, header, actor.
func ArchiveFiles(mediaPrefix string, repeatedKey bool) []File {
	ob := mustJSON(outbox(outboxItems()))
	if repeatedKey {
		ob = outboxTwice(outboxItems())
	}
	files := []File{{"outbox.json", ob}}
	for i, m := range mediaNames {
		files = append(files, File{mediaPrefix + m, media(m[len(m)-6:], 1000*(i+1))})
	}
	return append(files,
		File{"likes.json", collectionOf(likes)},
		File{"bookmarks.json", collectionOf(strings.Fields(bookmarks))},
		File{"avatar.png", append([]byte("\x89PNG\r\n\x1a\n"), media("png", 300)...)},
		File{"header.jpg", append([]byte("\xff\xd8\xff\xe0"), media("jpg", 500)...)},
		File{"actor.json", actorJSON()},
	)
}

// JSONExportFiles is the JSON export ZIP third-party tools make: shapes
// vary, so it mixes plain arrays, collections, strings and objects.
func JSONExportFiles() []File {
	t, f := true, false
	following := []any{
		"https://mastodon.example/users/ana", // the same as ana@ in the CSV
		map[string]any{"acct": "@bo@Fosstodon.Example", "show_reblogs": false, "notify": true, "languages": []string{"en", "de"}},
		"chris@old.example",
		map[string]any{"id": "https://pixel.example/users/hal", "reblogs": true, "notify": false},
		map[string]any{"account": map[string]any{"acct": "jo@mastodon.example", "url": "https://mastodon.example/@jo"}},
	}
	lists := []any{
		map[string]any{"title": "Friends", "replies_policy": "followed", "exclusive": false,
			"accounts": []any{"ana@mastodon.example", map[string]any{"acct": "jo@mastodon.example"}}},
		map[string]any{"name": "Photos", "replies_policy": "none", "exclusive": t,
			"members": []any{"https://pixel.example/users/hal"}},
		map[string]any{"title": "Empty", "replies_policy": "list", "exclusive": f, "accounts": []any{}},
	}
	return []File{
		{"following.json", mustJSON(following)},
		{"followers.json", mustJSON(map[string]any{"type": "OrderedCollection", "totalItems": 3,
			"orderedItems": []string{"https://a.example/users/x", "https://b.example/users/y", "https://c.example/users/z"}})},
		{"lists.json", mustJSON(lists)},
		{"domain_blocks.json", mustJSON([]any{"blocked.example", map[string]any{"domain": "ads.example"}})},
		{"muted_users.json", mustJSON([]any{
			map[string]any{"acct": "loud@mastodon.example", "hide_notifications": true, "expires_at": "2027-01-01T00:00:00Z"},
			map[string]any{"acct": "spoiler@fosstodon.example", "expires_at": "2027-06-01T00:00:00Z"},
		})},
		{"blocked_users.json", mustJSON(map[string]any{"type": "Collection", "items": []any{"https://bad.example/users/troll"}})},
		{"outbox.json", mustJSON(outbox(outboxItems()))},
		{"likes.json", collectionOf(likes)},
		{"bookmarks.json", mustJSON([]any{map[string]any{"uri": "https://mastodon.example/users/ana/statuses/1001"}})},
		{"actor.json", actorJSON()},
		{mediaNames[0], media("x", 2048)},
	}
}

// ZIP encodes files as a zip with fixed times.
func ZIP(files []File) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			panic(err)
		}
		w.Write(f.Data)
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// TarGz encodes files as a gzipped tar with fixed times.
func TarGz(files []File) []byte {
	var buf bytes.Buffer
	gw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	tw := tar.NewWriter(gw)
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.Name, Mode: 0o644, Size: int64(len(f.Data)), ModTime: stamp, Typeflag: tar.TypeReg, Format: tar.FormatPAX})
		tw.Write(f.Data)
	}
	tw.Close()
	gw.Close()
	return buf.Bytes()
}

// Samples returns every sample export by its path under testdata/.
func Samples() map[string][]byte {
	out := map[string][]byte{
		"sample/json-export.zip":                           ZIP(JSONExportFiles()),
		"sample/mastodon-archive.zip":                      ZIP(ArchiveFiles("", false)),
		"sample/mastodon-archive.tar.gz":                   TarGz(ArchiveFiles("/home/mastodon/live/public/system/", true)),
		"sample/csv.zip":                                   ZIP(CSVs()),
		"sample/json-export/actor.json":                    nil, // placeholder replaced below
		"broken/not-an-export.zip":                         ZIP([]File{{"a.txt", []byte("hello")}, {"b.png", media("png", 10)}}),
		"broken/dotdot.zip":                                ZIP([]File{{"../outbox.json", []byte("[]")}}),
		"broken/absolute.zip":                              ZIP([]File{{"/etc/following.json", []byte("[]")}}),
		"broken/wrong-shape/following.json":                []byte(`{"type":"OrderedCollection","orderedItems":[42]}`),
		"broken/not-json/lists.json":                       []byte(`[{"title": "Friends", "accounts": [`),
		"broken/bad-columns/following_accounts.csv":        []byte("Account address,Show boosts\nana@mastodon.example,maybe\n"),
		"broken/bad-columns-lists/lists.csv":               []byte("Friends\n"),
		"broken/domains-with-accounts/blocked_domains.csv": []byte("ana@mastodon.example\n"),
	}
	for _, f := range JSONExportFiles() {
		out["sample/json-export/"+f.Name] = f.Data
	}
	for _, f := range CSVs() {
		out["sample/csv/"+f.Name] = f.Data
	}
	good := ZIP(CSVs())
	out["broken/truncated.zip"] = good[:len(good)/2]
	out["broken/corrupt.zip"] = corrupt(good)
	out["broken/encrypted.zip"] = encrypted(CSVs()[0])
	tg := TarGz(ArchiveFiles("", false))
	out["broken/truncated.tar.gz"] = tg[:len(tg)*2/3]
	return out
}

// corrupt flips bytes inside the first entry's compressed data (past its
// 30-byte local header, name and timestamp field), so the directory still
// reads and the entry fails to inflate or to match its checksum.
func corrupt(z []byte) []byte {
	c := append([]byte{}, z...)
	for i := 80; i < 100 && i < len(c); i++ {
		c[i] ^= 0x5a
	}
	return c
}

// encrypted marks an entry as encrypted (general purpose flag bit 0), as
// a password-protected zip does; the payload need not be real ciphertext.
func encrypted(f File) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: f.Name, Method: zip.Store, Modified: stamp, Flags: 0x1}
	w, _ := zw.CreateHeader(h)
	w.Write(f.Data)
	zw.Close()
	return buf.Bytes()
}

// Write writes every sample under dir.
func Write(dir string) error {
	for name, data := range Samples() {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Bomb writes a zip whose following.json inflates from a few hundred KiB
// to size bytes of spaces.
func Bomb(w io.Writer, size int64) error {
	zw := zip.NewWriter(w)
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: "following.json", Method: zip.Deflate, Modified: stamp})
	if err != nil {
		return err
	}
	fw.Write([]byte("["))
	chunk := bytes.Repeat([]byte(" "), 1<<20)
	for n := int64(0); n < size; n += int64(len(chunk)) {
		if _, err := fw.Write(chunk); err != nil {
			return err
		}
	}
	fw.Write([]byte("]"))
	return zw.Close()
}

// HugeToken writes a JSON export file that is one string of size bytes.
func HugeToken(w io.Writer, size int64) error {
	if _, err := io.WriteString(w, `["`); err != nil {
		return err
	}
	chunk := bytes.Repeat([]byte("a"), 1<<20)
	for n := int64(0); n < size; n += int64(len(chunk)) {
		if _, err := w.Write(chunk); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, `@x.example"]`)
	return err
}
