package main

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestDomainBlocksSettle migrates domain blocks Mastodon stores other than
// they are written: a Unicode domain is sent once, in the punycode the
// server keeps, and found on the next run; a domain with a port or an
// underscore, which Mastodon refuses, is never sent and the plan says why.
func TestDomainBlocksSettle(t *testing.T) {
	for _, fl := range []mastotest.Flavour{mastotest.Mastodon42, mastotest.Mastodon45} {
		t.Run(fl.String(), func(t *testing.T) {
			s, _ := newFake(t, fl)
			s.SeedDomainBlock("spam.example")
			export := t.TempDir()
			csv := "Bücher.Example\nspam.example\nsocial.example:8080\nunder_score.example\nxn--bcher-kva.example\n"
			if err := os.WriteFile(filepath.Join(export, "blocked_domains.csv"), []byte(csv), 0o644); err != nil {
				t.Fatal(err)
			}
			f, out, errOut := migrateFactory(t, s)
			for i := range 2 {
				out.Reset()
				if code := run(context.Background(), []string{"migrate", export, "--to", s.URL, "--yes"}, f); code != 0 {
					t.Fatalf("run %d: exit %d\n%s\n%s", i+1, code, out, errOut)
				}
				for _, want := range []string{
					`social.example:8080: not sent: "social.example" has a port (8080)`,
					`under_score.example: not sent: the label "under_score" has '_'`,
				} {
					if !strings.Contains(out.String(), want) {
						t.Errorf("run %d: the plan does not say %q:\n%s", i+1, want, out)
					}
				}
			}
			// Overwrite keeps what the export has, in whichever spelling.
			if code := run(context.Background(), []string{"migrate", export, "--to", s.URL, "--mode", "overwrite", "--yes"}, f); code != 0 {
				t.Fatalf("overwrite: exit %d\n%s\n%s", code, out, errOut)
			}
			if n := s.Count("DELETE /api/v1/domain_blocks"); n != 0 {
				t.Errorf("overwrite removed %d domain blocks the export has", n)
			}
			if got, want := s.State().DomainBlocks, []string{"spam.example", "xn--bcher-kva.example"}; !slices.Equal(got, want) {
				t.Errorf("domain blocks %q, want %q", got, want)
			}
			if n := s.Count("POST /api/v1/domain_blocks"); n != 1 {
				t.Errorf("%d domain blocks sent over two runs, want 1 (Bücher.Example, once)", n)
			}
			out.Reset()
			run(context.Background(), []string{"report"}, f)
			if strings.Contains(out.String(), "taken") {
				t.Errorf("the report has a refused domain block:\n%s", out)
			}
		})
	}
}
