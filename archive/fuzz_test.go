package archive

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

// FuzzReadFile feeds any bytes to Read as a file, so the zip, tar and gzip
// paths see corrupt headers, sizes and names.
func FuzzReadFile(f *testing.F) {
	for name, data := range archivetest.Samples() {
		if strings.HasSuffix(name, ".zip") || strings.HasSuffix(name, ".gz") {
			f.Add(data)
		}
	}
	// One file per worker: a TempDir per input stalls the fuzzing engine.
	p := filepath.Join(f.TempDir(), "export")
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := Read(context.Background(), p)
		if err != nil && !strings.Contains(err.Error(), p) {
			t.Errorf("error does not name the input: %v", err)
		}
	})
}
