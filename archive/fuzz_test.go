package archive

import (
	"bufio"
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/mastomigrate/mastomigrate/archive/archivetest"
)

// The fuzz targets run their seed corpus in every `go test`; run them for
// real with, for example, go test ./archive -fuzz FuzzParse -fuzztime 60s.

var fuzzKinds = []kind{
	kindFollowingCSV, kindMutedCSV, kindBlockedCSV, kindDomainsCSV, kindBookmarksCSV, kindListsCSV,
	kindFollowingJSON, kindFollowersJSON, kindListsJSON, kindDomainBlocksJSON, kindMutedJSON,
	kindBlockedJSON, kindOutboxJSON, kindLikesJSON, kindBookmarksJSON, kindActorJSON,
}

// FuzzParse feeds any bytes to every export file reader: they may reject
// it, but must not panic, and what they accept must be normalised.
func FuzzParse(f *testing.F) {
	for _, file := range append(archivetest.CSVs(), archivetest.JSONExportFiles()...) {
		k := kindOf(file.Name)
		for i, fk := range fuzzKinds {
			if fk == k {
				f.Add(uint8(i), file.Data)
			}
		}
	}
	f.Add(uint8(12), []byte(`{"orderedItems":[],"orderedItems":[{"type":"Create","object":{"to":"as:Public"}}]}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		b := newBuilder()
		k := fuzzKinds[int(which)%len(fuzzKinds)]
		if err := b.parse(k, bufio.NewReader(bytes.NewReader(data))); err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error: %q", err)
			}
			return
		}
		e := b.export()
		for _, fl := range e.Follows {
			if fl.Account.Key() == "" || strings.HasPrefix(fl.Account.Acct, "@") {
				t.Errorf("follow not normalised: %+v", fl.Account)
			}
		}
		for _, d := range e.DomainBlocks {
			if d != strings.ToLower(d) || d == "" {
				t.Errorf("domain not normalised: %q", d)
			}
		}
	})
}

// FuzzReadFile feeds any bytes to Open as a file, so the zip, tar and gzip
// paths see corrupt headers, sizes and names, and streams the posts of
// what opens.
func FuzzReadFile(f *testing.F) {
	for name, data := range archivetest.Samples() {
		if strings.HasSuffix(name, ".zip") || strings.HasSuffix(name, ".gz") {
			f.Add(data)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := OpenWith(context.Background(), Options{FS: fstest.MapFS{"export": {Data: data}}}, "export")
		if err == nil {
			for _, err := range s.Posts(context.Background()) {
				if err != nil && !strings.HasPrefix(err.Error(), "export: ") {
					t.Errorf("error does not name the input: %v", err)
				}
			}
			s.Close()
			return
		}
		if !strings.HasPrefix(err.Error(), "export: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("error is not one line naming the input: %v", err)
		}
	})
}

// jsonCollectionKinds are the files collection reads.
var jsonCollectionKinds = []kind{
	kindOutboxJSON, kindLikesJSON, kindBookmarksJSON, kindFollowersJSON,
	kindFollowingJSON, kindMutedJSON, kindBlockedJSON, kindListsJSON, kindDomainBlocksJSON,
}

// streamCases are inputs where the jsontext reader could part from
// encoding/json: case-insensitive and escaped names, repeated members,
// an object before the addressing that empties it, odd shapes and bytes.
var streamCases = []string{
	`{"orderedItems":[],"orderedItems":[{"type":"Create","object":{"to":"as:Public"}}]}`,
	`[{"TYPE":"Create","To":["https://www.w3.org/ns/activitystreams#Public"]},{"type":"Announce","object":"https://x.example/1"}]`,
	`[{"type":"Create","object":{"cc":["Public"]},"to":[],"cc":null},{"t\u0079pe":"Create","\u0074o":"https://a.example/users/b/followers"}]`,
	`[{"type":"Create","to":"https://a.example/followers","object":{"to":["Public"]},"to":null}]`,
	`[{"type":"Create","to":[1,"Public"],"cc":["as:Public",null]},{"type":"Create","object":null},{"type":null},null]`,
	`[{"type":5}]`,
	`[{"type":"Create","to":{"id":"Public"},"object":{"TO":["as:Public"],"to":[]}}]`,
	`{"items":null,"totalItems":null}`,
	`{"totalItems":1.5,"orderedItems":[]}`,
	`{"orderedItems":{}}`,
	`[{"type":"Create","to":["\ud800","Public\u0000"],"cc":["x` + "\xff" + `/followers"]}]`,
	`["https://a.example/s/1",{"uri":"https://a.example/s/2"},{"id":5,"url":"http://a.example/s/3"},{"object":{"uri":"https://a.example/s/4"}}]`,
	`[{"URI":"ftp://x","object":"https://a.example/s/5"},{"uri":null,"Id":"https://a.example/s/6"},{"object":null}]`,
	`[{"uri":true}]`,
	`[{"uri":"https://a.example/s/7","object":{"uri":true}}]`,
	`["  https://a.example/s/8 ", "https://a.example/s/` + "\xff" + `", "https://a.example/s/` + "\xfe\"]",
	`{"type":"OrderedCollection","totalItems":3,"orderedItems":["https://a.example/users/x",{"a":1},[2]]}`,
	`[{"type":"Create","to":["Public"]} {"type":"Create"}]`,
	`[{"type":"Create","to":["Public"]},`,
}

// FuzzStreamMatchesV1 feeds the same bytes to the jsontext collection
// reader and to the encoding/json one it replaced (v1_test.go): both must
// fail, or both read the same export.
func FuzzStreamMatchesV1(f *testing.F) {
	for _, file := range append(archivetest.JSONExportFiles(), archivetest.ArchiveFiles("", true)...) {
		k := kindOf(file.Name)
		for i, fk := range jsonCollectionKinds {
			if fk == k {
				f.Add(uint8(i), file.Data)
			}
		}
	}
	for i, c := range streamCases {
		f.Add(uint8(i), []byte(c))
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		k := jsonCollectionKinds[int(which)%len(jsonCollectionKinds)]
		if bytes.Count(data, []byte("["))+bytes.Count(data, []byte("{")) > 9990 {
			// jsontext counts nesting from the top of the file, encoding/json
			// from each item: both refuse 10,000 levels, at depths a level
			// or two apart.
			t.Skip("nested too deep to compare")
		}
		nb, ob := newBuilder(), newBuilder()
		nerr := nb.parse(k, bufio.NewReader(bytes.NewReader(data)))
		oerr := ob.v1Parse(k, bufio.NewReader(bytes.NewReader(data)))
		if (nerr == nil) != (oerr == nil) {
			t.Fatalf("kind %d: jsontext reader error %v, encoding/json reader error %v", k, nerr, oerr)
		}
		if nerr != nil {
			if strings.Contains(nerr.Error(), "\n") {
				t.Errorf("multi-line error: %q", nerr)
			}
			return
		}
		if n, o := nb.export(), ob.export(); !reflect.DeepEqual(n, o) {
			t.Fatalf("kind %d: jsontext reader read\n%+v\nencoding/json reader read\n%+v", k, n, o)
		}
	})
}

// FuzzHandle checks the CSV reader's shortcut for plain handles against
// ParseAccount, which it must agree with whenever it answers.
func FuzzHandle(f *testing.F) {
	for _, s := range []string{"ana@mastodon.example", "Ana@Mastodon.Example", "a@b.", "a@.b", "a@b.c", "@a@b.c", "a b@c.d", "a@b@c.d", "ä@b.c", "a@b.c/", "https://a.example/users/b", "a@b..c", "a\v@b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := handle(s)
		if !ok {
			return
		}
		if want, wok := ParseAccount(s); !wok || got != want {
			t.Errorf("handle(%q) = %+v; ParseAccount says %+v, %v", s, got, want, wok)
		}
	})
}
