package archive_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/archive/archivetest"
)

func sample(name string) string { return filepath.Join(testdata, "sample", name) }

// read opens the exports and returns what they hold.
func read(ctx context.Context, paths ...string) (*archive.Export, error) {
	s, err := archive.Open(ctx, paths...)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return s.Export(), nil
}

type counts struct {
	follows, lists, members, domains, mutes, blocks, bookmarks, likes int
	posts, boosts, media                                              int
	followers                                                         int // -1: unknown
}

func countsOf(e *archive.Export) counts {
	c := counts{
		follows: len(e.Follows), lists: len(e.Lists), members: e.ListMembers(),
		domains: len(e.DomainBlocks), mutes: len(e.Mutes), blocks: len(e.Blocks),
		bookmarks: len(e.Bookmarks), likes: len(e.Likes), media: e.Media.Files, followers: -1,
	}
	if e.Posts != nil {
		c.posts, c.boosts = e.Posts.Total(), e.Posts.Boosts
	}
	if e.Followers != nil {
		c.followers = *e.Followers
	}
	return c
}

func TestReadSamples(t *testing.T) {
	csvCounts := counts{follows: 9, lists: 2, members: 4, domains: 2, mutes: 2, blocks: 2, bookmarks: 3, followers: -1}
	archiveCounts := counts{bookmarks: 3, likes: 3, posts: 8, boosts: 2, media: 3, followers: -1}
	jsonCounts := counts{follows: 5, lists: 3, members: 3, domains: 2, mutes: 2, blocks: 1, bookmarks: 1, likes: 3, posts: 8, boosts: 2, media: 1, followers: 3}
	tests := []struct {
		name   string
		inputs []string
		want   counts
	}{
		{"csv folder", []string{sample("csv")}, csvCounts},
		{"csv zip", []string{sample("csv.zip")}, csvCounts},
		{"csv files one by one", []string{sample("csv/following_accounts.csv"), sample("csv/lists.csv")},
			counts{follows: 9, lists: 2, members: 4, followers: -1}},
		{"archive zip", []string{sample("mastodon-archive.zip")}, archiveCounts},
		// The tar.gz repeats orderedItems (empty first) and stores media
		// under absolute paths, as Mastodon did before 4.2.
		{"archive tar.gz", []string{sample("mastodon-archive.tar.gz")}, archiveCounts},
		{"json export zip", []string{sample("json-export.zip")}, jsonCounts},
		{"json export folder", []string{sample("json-export")}, jsonCounts},
		// ana, bo and chris are in both; hal and jo only in the JSON.
		{"json zip and csv", []string{sample("json-export.zip"), sample("csv")},
			counts{follows: 11, lists: 4, members: 6, domains: 3, mutes: 3, blocks: 2, bookmarks: 3, likes: 3, posts: 8, boosts: 2, media: 1, followers: 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := read(context.Background(), tt.inputs...)
			if err != nil {
				t.Fatal(err)
			}
			if got := countsOf(e); got != tt.want {
				t.Errorf("counts\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestReadDetails(t *testing.T) {
	e, err := read(context.Background(), sample("json-export.zip"), sample("csv"), sample("mastodon-archive.tar.gz"))
	if err != nil {
		t.Fatal(err)
	}
	follows := map[string]archive.Follow{}
	for _, f := range e.Follows {
		follows[f.Account.Key()] = f
	}
	ana := follows["ana@mastodon.example"]
	if ana.Account.URI != "https://mastodon.example/users/ana" {
		t.Errorf("ana's URI from following.json was not merged into the CSV entry: %+v", ana.Account)
	}
	if ana.Reblogs == nil || !*ana.Reblogs || ana.Notify == nil || *ana.Notify {
		t.Errorf("ana's options from the CSV were lost: %+v", ana)
	}
	bo := follows["bo@fosstodon.example"]
	if bo.Reblogs == nil || *bo.Reblogs || strings.Join(bo.Languages, ",") != "en,de" {
		t.Errorf("bo: %+v", bo)
	}
	if hal := follows["https://pixel.example/users/hal"]; hal.Reblogs == nil || !*hal.Reblogs {
		t.Errorf("hal (URI only, object with reblogs): %+v", hal)
	}
	if jo := follows["jo@mastodon.example"]; jo.Account.URI != "https://mastodon.example/@jo" {
		t.Errorf("jo (nested account object): %+v", jo)
	}

	lists := map[string]archive.List{}
	for _, l := range e.Lists {
		lists[l.Title] = l
	}
	if f := lists["Friends"]; f.RepliesPolicy != "followed" || f.Exclusive == nil || *f.Exclusive || len(f.Members) != 3 {
		t.Errorf("Friends (JSON settings, CSV and JSON members): %+v", f)
	}
	if p := lists["Photos"]; p.RepliesPolicy != "none" || p.Exclusive == nil || !*p.Exclusive {
		t.Errorf("Photos: %+v", p)
	}
	if _, ok := lists["Empty"]; !ok {
		t.Error("an empty list from lists.json was dropped")
	}

	for _, m := range e.Mutes {
		if m.Account.Acct == "loud@mastodon.example" {
			if m.ExpiresAt == nil || m.ExpiresAt.Year() != 2027 || m.Notifications == nil || !*m.Notifications {
				t.Errorf("loud's mute lost its expiry or notifications: %+v", m)
			}
		}
	}
	if strings.Join(e.DomainBlocks, ",") != "blocked.example,ads.example,spam.example" {
		t.Errorf("domain blocks (lower-cased, de-duplicated): %v", e.DomainBlocks)
	}
	// troll is https://bad.example/users/troll in JSON and troll@bad.example in CSV.
	if len(e.Blocks) != 2 {
		t.Errorf("blocks not merged across URI and handle: %+v", e.Blocks)
	}
	if *e.Posts != (archive.PostCount{Public: 4, Unlisted: 2, FollowersOnly: 1, Direct: 1, Boosts: 2}) {
		t.Errorf("posts by visibility: %+v", *e.Posts)
	}
	if e.Media.Files != 4 || e.Media.Bytes != 2048+1000+2000+3000 {
		t.Errorf("media: %+v", e.Media)
	}
	p := e.Profile
	if p == nil || p.DisplayName != "Alex Example" || p.Avatar != "avatar.png" || len(p.Fields) != 2 {
		t.Errorf("profile: %+v", p)
	}
}

func TestReadBadInput(t *testing.T) {
	broken := func(name string) string { return filepath.Join(testdata, "broken", name) }
	tests := []struct {
		input string
		want  string // the error must contain the input, and this
	}{
		{broken("not-an-export.zip"), "no following.json, outbox.json or known CSV; found: a.txt, b.png"},
		{broken("truncated.zip"), "not a valid zip file"},
		{broken("corrupt.zip"), "following_accounts.csv: "},
		{broken("encrypted.zip"), "following_accounts.csv: entry is encrypted"},
		{broken("dotdot.zip"), `../outbox.json: entry path contains ".."`},
		{broken("absolute.zip"), "/etc/following.json: entry has an absolute path"},
		{broken("truncated.tar.gz"), "truncated"},
		{broken("wrong-shape"), "following.json: wrong JSON shape"},
		{broken("not-json"), "lists.json: JSON ends early"},
		{broken("bad-columns"), `following_accounts.csv: line 2: Show boosts is "maybe", expected true or false`},
		{broken("bad-columns-lists"), "lists.csv: line 1: expected 2 columns"},
		{broken("domains-with-accounts"), `blocked_domains.csv: line 1: "ana@mastodon.example" is not a domain`},
		{broken("missing.zip"), "no such file or directory"},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.input), func(t *testing.T) {
			_, err := read(context.Background(), tt.input)
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.input) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q\nwant it to name %q and say %q", msg, tt.input, tt.want)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error spans lines: %q", msg)
			}
			var ae *archive.Error
			if !errors.As(err, &ae) {
				t.Errorf("error is %T, not *archive.Error", err)
			}
		})
	}
}

// TestReadHostile builds the large hostile inputs at run time rather than
// committing them.
func TestReadHostile(t *testing.T) {
	dir := t.TempDir()
	bomb := filepath.Join(dir, "bomb.zip")
	f, _ := os.Create(bomb)
	if err := archivetest.Bomb(f, 64<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tokenDir := filepath.Join(dir, "token")
	os.Mkdir(tokenDir, 0o755)
	f, _ = os.Create(filepath.Join(tokenDir, "following.json"))
	if err := archivetest.HugeToken(f, 40<<20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	tests := []struct{ input, want string }{
		{bomb, "following.json: entry inflates to"},
		{tokenDir, "following.json: near byte"},
	}
	for _, tt := range tests {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := read(context.Background(), tt.input)
		runtime.ReadMemStats(&after)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: got %v, want %q", tt.input, err, tt.want)
		}
		// Memory stays bounded whatever the input's size: neither the bomb
		// nor the 40 MiB token is read into memory.
		if n := after.TotalAlloc - before.TotalAlloc; n > 32<<20 {
			t.Errorf("%s: allocated %d MiB", tt.input, n>>20)
		}
	}
}

func TestParseAccount(t *testing.T) {
	tests := []struct {
		in   string
		want archive.Account
		ok   bool
	}{
		{"ana@mastodon.example", archive.Account{Acct: "ana@mastodon.example"}, true},
		{" @Ana@Mastodon.Example ", archive.Account{Acct: "Ana@mastodon.example"}, true},
		{"https://Mastodon.Example/users/ana/", archive.Account{URI: "https://mastodon.example/users/ana"}, true},
		{"localuser", archive.Account{Acct: "localuser"}, true},
		{"erin@127.0.0.1:8080", archive.Account{Acct: "erin@127.0.0.1:8080"}, true},
		{"@dev@LocalHost:3000", archive.Account{Acct: "dev@localhost:3000"}, true},
		{"dev@localhost", archive.Account{Acct: "dev@localhost"}, true},
		{"https://127.0.0.1:8080/users/erin", archive.Account{URI: "https://127.0.0.1:8080/users/erin"}, true},
		{"a@host:port", archive.Account{}, false},
		{"a@host:123456", archive.Account{}, false},
		{"a@nodot", archive.Account{}, false},
		{"a@h.example:1:2", archive.Account{}, false},
		{"a@box:8080", archive.Account{Acct: "a@box:8080"}, true},
		{"two words@x.example", archive.Account{}, false},
		{"a@b@c.example", archive.Account{}, false},
		{"", archive.Account{}, false},
		{"https://", archive.Account{}, false},
	}
	for _, tt := range tests {
		got, ok := archive.ParseAccount(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseAccount(%q) = %+v, %v; want %+v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
