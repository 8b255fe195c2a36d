package importcsv

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

func TestBuildCSVsSplitsAtTheImporterLimits(t *testing.T) {
	var steps []journal.Step
	for i := 0; i < MaxRows+5; i++ {
		steps = append(steps, journal.Step{Op: journal.OpFollow, Item: fmt.Sprintf("u%d@example.org", i)})
	}
	steps = append(steps, journal.Step{Op: journal.OpFollow, Item: "U0@example.org"}) // a duplicate, differently cased
	yes := true
	steps = append(steps, journal.Step{Op: journal.OpMute, Item: "m@example.org", Mute: &archive.Mute{Notifications: &yes}},
		journal.Step{Op: journal.OpBlockDomain, Item: "Spam.Example"}, journal.Step{Op: journal.OpAddToList, List: "Tech", Item: "u1@example.org"},
		journal.Step{Op: journal.OpUnfollow, Item: "gone@example.org"}, journal.Step{Op: journal.OpFavourite, Item: "https://x/1"})
	files := Build(steps)
	var names []string
	for _, f := range files {
		names = append(names, fmt.Sprintf("%s:%d", f.Name, f.Rows))
	}
	want := "following_accounts-1.csv:20000 following_accounts-2.csv:5 lists.csv:1 muted_accounts.csv:1 blocked_domains.csv:1"
	if got := strings.Join(names, " "); got != want {
		t.Fatalf("files %s\nwant %s", got, want)
	}
	for _, f := range files {
		recs, err := csv.NewReader(bytes.NewReader(f.Data)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(recs[0], ",") != strings.Join(f.Kind.Header, ",") || len(recs)-1 != f.Rows {
			t.Errorf("%s: header %v, %d rows", f.Name, recs[0], len(recs)-1)
		}
	}
	if got := string(files[4].Data); got != "#domain\nspam.example\n" {
		t.Errorf("domains: %q", got)
	}
	if got := string(files[3].Data); got != "Account address,Hide notifications\nm@example.org,true\n" {
		t.Errorf("mutes: %q", got)
	}
}

func TestSplitCSVByBytes(t *testing.T) {
	k := Kinds[0]
	rows := [][]string{{"a@x.org", "true", "false", ""}, {"b@x.org", "true", "false", ""}, {"c@x.org", "true", "false", ""}}
	header := len("Account address,Show boosts,Notify on new posts,Languages\n")
	files := split(k, rows, 100, header+2*len("a@x.org,true,false,\n"))
	if len(files) != 2 || files[0].Rows != 2 || files[1].Rows != 1 {
		t.Fatalf("%+v", files)
	}
	for _, f := range files {
		if !bytes.HasPrefix(f.Data, []byte("Account address,")) {
			t.Errorf("%s lacks the header", f.Name)
		}
	}
}
