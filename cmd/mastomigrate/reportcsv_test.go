package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// TestReportCSV: `report --csv` writes what did not make it as Mastodon's
// own export files, with their headers, only the files that have rows,
// so they can be tried again. A follow request awaiting approval was
// sent, so it is not among them; GoToSocial's domain blocks are.
func TestReportCSV(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		s, _ := newFake(t, fl)
		migratetest.SeedSample(s)
		f, _, errOut := migrateFactory(t, s)
		if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--no-bulk"), f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		dir := filepath.Join(t.TempDir(), "leftovers")
		if code := run(context.Background(), []string{"report", "--csv", dir}, f); code != 0 {
			t.Fatalf("report --csv: exit %d\n%s", code, errOut)
		}
		want := map[string]string{
			"following_accounts.csv": "Account address,Show boosts,Notify on new posts,Languages\nchris@old.example,true,false,\n",
			// The headers Mastodon's importer accepts (app/models/form/import.rb).
			"blocked_accounts.csv": "Account address\ntroll@bad.example\n",
		}
		if fl.GoToSocial() {
			want["blocked_domains.csv"] = "#domain\nblocked.example\nspam.example\n"
		}
		got := map[string]string{}
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got[e.Name()] = string(b)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("files\n got %q\nwant %q", got, want)
		}

		// The files are an export mastomigrate reads: planning them names
		// exactly those items.
		_, out, _ := testStreams()
		f.IO.Out = out
		if code := run(context.Background(), []string{"plan", "--json", dir}, f); code != 0 {
			t.Fatalf("plan of the leftovers: exit %d\n%s", code, errOut)
		}
		var plan struct {
			Importable map[string]int `json:"importable"`
		}
		if err := json.Unmarshal(out.Bytes(), &plan); err != nil {
			t.Fatal(err)
		}
		wantPlan := map[string]int{"follows": 1, "blocks": 1}
		if fl.GoToSocial() {
			wantPlan["domain_blocks"] = 2
		}
		for k, v := range plan.Importable {
			if v == 0 {
				delete(plan.Importable, k)
			}
		}
		if !reflect.DeepEqual(plan.Importable, wantPlan) {
			t.Errorf("the leftovers plan as %v, want %v", plan.Importable, wantPlan)
		}
	})
}

// TestReportCSVWaitingMembers: on GoToSocial, list members waiting for
// their follow to be accepted are left over too, in lists.csv (which, as
// the report writes it, has the importer's header).
func TestReportCSVWaitingMembers(t *testing.T) {
	s, _ := newFake(t, mastotest.GoToSocial020, mastotest.WithAcceptDelay(time.Hour))
	migratetest.SeedSample(s)
	f, _, errOut := migrateFactory(t, s)
	if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--no-bulk"), f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	dir := t.TempDir()
	if code := run(context.Background(), []string{"report", "--csv", dir}, f); code != 0 {
		t.Fatalf("report --csv: exit %d\n%s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "lists.csv"))
	if want := "List name,Account address\nFriends,bo@fosstodon.example\nTech,dee@gts.example\nTech,ivy@notfollowed.example\n"; err != nil || string(b) != want {
		t.Errorf("lists.csv: %q, %v; want %q", b, err, want)
	}
}
