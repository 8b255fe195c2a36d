package archive_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/mastomigrate/mastomigrate/archive/archivetest"
)

var update = flag.Bool("update", false, "rewrite testdata/ from archivetest")

const testdata = "../testdata"

// TestSamplesUpToDate keeps the committed samples equal to what the
// generator writes; run with -update after changing the generator.
func TestSamplesUpToDate(t *testing.T) {
	if *update {
		if err := archivetest.Write(testdata); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range archivetest.Samples() {
		got, err := os.ReadFile(filepath.Join(testdata, name))
		if err != nil {
			t.Errorf("%s: %v (run: go test ./archive -run TestSamplesUpToDate -update)", name, err)
			continue
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator (run: go test ./archive -run TestSamplesUpToDate -update)", name)
		}
	}
}
