package main

import (
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// migrateFactory points a factory at a fake server, with the token in the
// environment and journals in a temporary state folder. A server on a
// clock the client can sleep on (newFake) shares it with the client.
func migrateFactory(t testing.TB, s *mastotest.Server) (*factory, *strings.Builder, *strings.Builder) {
	f, out, errOut := testStreams()
	if c, ok := s.Clock().(api.Clock); ok {
		f.Clock = c
	}
	state := t.TempDir()
	f.StateDir = func() (string, error) { return state, nil }
	f.Getenv = func(k string) string {
		if k == tokenEnv {
			return s.Token
		}
		return ""
	}
	o, e := &strings.Builder{}, &strings.Builder{}
	f.IO.Out, f.IO.ErrOut = multi{out, o}, multi{errOut, e}
	return f, o, e
}

type multi [2]interface{ Write([]byte) (int, error) }

func (m multi) Write(b []byte) (int, error) {
	m[0].Write(b)
	return m[1].Write(b)
}

func sampleArgs(extra ...string) []string {
	return append([]string{"migrate", "../../testdata/sample/mastodon-archive.zip", "../../testdata/sample/csv"}, extra...)
}

// wantSampleState is the target after migrating the sample archive and
// CSVs onto the seeded server (see migratetest.SeedSample): eve and gus
// were followed, then dropped by the domain blocks and the block that come
// last; chris was not found; max is followed at his new address; lou's
// follow is a request; ivy is followed to be on the Tech list.
var wantSampleState = mastotest.State{
	Follows: map[string]mastotest.FollowState{
		"ana@mastodon.example":    {Reblogs: true},
		"bo@fosstodon.example":    {Reblogs: false, Notify: true, Languages: []string{"en", "de"}},
		"dee@gts.example":         {Reblogs: true},
		"fay@mastodon.example":    {Reblogs: true, Notify: true},
		"lou@locked.example":      {Reblogs: true, Requested: true},
		"max@elsewhere.example":   {},
		"ivy@notfollowed.example": {Reblogs: true},
	},
	Blocks: []string{"gus@spam.example"},
	Mutes: map[string]mastotest.MuteState{
		"loud@mastodon.example": {Notifications: true},
		"noisy@gts.example":     {Notifications: false},
	},
	DomainBlocks: []string{"blocked.example", "spam.example"},
	Lists: map[string]mastotest.ListState{
		"Friends": {RepliesPolicy: "list", Members: []string{"ana@mastodon.example", "bo@fosstodon.example"}},
		"Tech":    {RepliesPolicy: "list", Members: []string{"dee@gts.example", "ivy@notfollowed.example"}},
	},
	Bookmarks: []string{"https://fosstodon.example/users/bo/statuses/2002", "https://gts.example/users/dee/statuses/01HX3",
		"https://mastodon.example/users/ana/statuses/1001"},
	Favourites: []string{"https://gts.example/users/dee/statuses/01HX9", "https://mastodon.example/users/ana/statuses/1001",
		"https://mastodon.example/users/fay/statuses/3003"},
}

// wantSample is wantSampleState as the server of flavour fl holds it.
// GoToSocial has no user domain blocks (they are reported, see
// sampleReport) and keeps no languages on follows (its follow API takes
// only reblogs and notify); eve and gus stay unfollowed there too, as
// the export blocks them.
func wantSample(fl mastotest.Flavour) mastotest.State {
	want := cloneState(wantSampleState)
	if fl.GoToSocial() {
		want.DomainBlocks = []string{}
		bo := want.Follows["bo@fosstodon.example"]
		bo.Languages = nil
		want.Follows["bo@fosstodon.example"] = bo
	}
	return want
}

// cloneState copies a state deeply enough that tests can change it.
func cloneState(st mastotest.State) mastotest.State {
	c := st
	c.Follows = maps.Clone(st.Follows)
	c.Mutes = maps.Clone(st.Mutes)
	c.Lists = maps.Clone(st.Lists)
	c.Blocks = slices.Clone(st.Blocks)
	c.DomainBlocks = slices.Clone(st.DomainBlocks)
	c.Bookmarks = slices.Clone(st.Bookmarks)
	c.Favourites = slices.Clone(st.Favourites)
	return c
}

// reportItem is one line of `report --json`.
type reportItem struct {
	Category, Item, List, Status, Reason string
}

// reportJSON runs `report --json` and returns its items.
func reportJSON(t *testing.T, f *factory, out *strings.Builder) []reportItem {
	t.Helper()
	out.Reset()
	var errOut strings.Builder
	saved := f.IO.ErrOut
	f.IO.ErrOut = &errOut
	defer func() { f.IO.ErrOut = saved }()
	if code := run(context.Background(), []string{"report", "--json"}, f); code != 0 {
		t.Fatalf("report --json: exit %d\n%s", code, errOut.String())
	}
	var rep struct{ Items []reportItem }
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatalf("report --json: %v\n%s", err, out)
	}
	return rep.Items
}

// sampleReport is what `report --json` lists after the sample on flavour
// fl: what no server can take, and on GoToSocial the domain blocks.
func sampleReport(fl mastotest.Flavour) []reportItem {
	want := []reportItem{
		{Category: "blocks", Item: "troll@bad.example", Status: "skipped", Reason: "the account is suspended"},
		{Category: "follows", Item: "chris@old.example", Status: "skipped", Reason: "not found (no such account, or its server did not answer)"},
		{Category: "follows", Item: "lou@locked.example", Status: "pending", Reason: "a follow request: it counts once lou@locked.example accepts it"},
	}
	if fl.GoToSocial() {
		for _, d := range []string{"blocked.example", "spam.example"} {
			want = append(want, reportItem{Category: "domain_blocks", Item: d, Status: "skipped",
				Reason: "this server has no domain blocks API (GET /api/v1/domain_blocks: 404 Not Found)"})
		}
	}
	return sortReport(want)
}

func sortReport(items []reportItem) []reportItem {
	items = slices.Clone(items)
	slices.SortFunc(items, func(a, b reportItem) int {
		return strings.Compare(a.Category+"\x00"+a.List+"\x00"+a.Item, b.Category+"\x00"+b.List+"\x00"+b.Item)
	})
	return items
}

// TestMigrateSample migrates the sample archive and CSVs onto each server
// flavour, and checks the exact state and report there.
func TestMigrateSample(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		s, _ := newFake(t, fl)
		migratetest.SeedSample(s)
		f, out, errOut := migrateFactory(t, s)
		code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--include", "likes,profile"), f)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if got, want := s.State(), wantSample(fl); !reflect.DeepEqual(got, want) {
			t.Errorf("final state\n got %+v\nwant %+v", got, want)
		}
		p := s.Profile()
		if p.DisplayName != "Alex Example" || p.Note != "Moving house." || len(p.Fields) != 2 || p.Avatar != "image/png" || p.Header != "image/jpeg" {
			t.Errorf("profile: %+v", p)
		}
		if !strings.Contains(out.String(), "Summary") || !strings.Contains(errOut.String(), "Migration to me@"+s.Domain+" complete") {
			t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
		}
		if got, want := sortReport(reportJSON(t, f, out)), sampleReport(fl); !reflect.DeepEqual(got, want) {
			t.Errorf("report\n got %+v\nwant %+v", got, want)
		}

		// Running it again changes nothing and sends no write.
		writes := s.Writes()
		f2, _, errOut2 := migrateFactory(t, s)
		f2.StateDir = f.StateDir
		if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--include", "likes,profile"), f2); code != 0 {
			t.Fatalf("second run: exit %d\n%s", code, errOut2)
		}
		if n := s.Writes() - writes; n != 0 {
			t.Errorf("the second run made %d writes", n)
		}
		dir, _ := f.StateDir()
		noToken(t, []string{s.Token}, map[string]string{"stdout": out.String(), "stderr": errOut.String(), "the second run's stderr": errOut2.String()}, dir)
	})
}

func TestMigrateRefusesWithoutConfirmation(t *testing.T) {
	s, _ := newFake(t, mastotest.Mastodon45)
	migratetest.SeedSample(s)
	f, _, errOut := migrateFactory(t, s)
	code := run(context.Background(), sampleArgs("--to", s.URL), f)
	if code != exitUsage || !strings.Contains(errOut.String(), "refusing to change me@new.example without confirmation") {
		t.Errorf("exit %d: %s", code, errOut)
	}
	if s.Writes() != 0 {
		t.Errorf("%d writes without confirmation", s.Writes())
	}
}

// TestMigrateOnlyThenRest: --only leaves the migration unfinished; a
// later run's options become what resume would use; the full run ends it.
func TestMigrateOnlyThenRest(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		s, _ := newFake(t, fl)
		migratetest.SeedSample(s)
		f, out, errOut := migrateFactory(t, s)
		if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--only", "follows"), f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if st := s.State(); len(st.Blocks) != 0 || len(st.Follows) == 0 {
			t.Fatalf("--only follows: %d follows, %d blocks", len(st.Follows), len(st.Blocks))
		}
		if !strings.Contains(errOut.String(), "Done with the chosen categories") {
			t.Errorf("stderr: %s", errOut)
		}
		out.Reset()
		run(context.Background(), []string{"status"}, f)
		if !strings.Contains(out.String(), "unfinished") {
			t.Errorf("status after --only:\n%s", out)
		}

		if code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--include", "likes"), f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		if got, want := s.State(), wantSample(fl); !reflect.DeepEqual(got, want) {
			t.Errorf("final state\n got %+v\nwant %+v", got, want)
		}
		dir, _ := f.StateDir()
		paths, _ := journal.List(dir)
		j, err := journal.Load(paths[0])
		if err != nil || !j.Finished() || len(j.Header.Options.Only) != 0 || !slices.Equal(j.Header.Options.Include, []string{"likes"}) {
			t.Errorf("journal: %v, finished %v, options %+v", err, j.Finished(), j.Header.Options)
		}
	})
}

// TestUpdateFollowSettings: an existing follow keeps its settings unless
// asked (Mastodon's own importer resets them: mastodon#24222).
func TestUpdateFollowSettings(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		for _, update := range []bool{false, true} {
			s, _ := newFake(t, fl)
			migratetest.SeedSample(s)
			// bo is followed on the target already, with boosts on; the export
			// has boosts off, notify on, languages en and de.
			s.SeedFollow(s.ID("bo@fosstodon.example"), mastotest.FollowState{Reblogs: true})
			f, _, errOut := migrateFactory(t, s)
			args := sampleArgs("--to", s.URL, "--yes", "--only", "follows")
			if update {
				args = append(args, "--update-follow-settings")
			}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d\n%s", code, errOut)
			}
			want := mastotest.FollowState{Reblogs: true}
			if update {
				want = mastotest.FollowState{Reblogs: false, Notify: true, Languages: []string{"en", "de"}}
				if fl.GoToSocial() {
					want.Languages = nil // its follows have no languages
				}
			}
			if got := s.State().Follows["bo@fosstodon.example"]; !reflect.DeepEqual(got, want) {
				t.Errorf("update %v: bo's follow %+v, want %+v", update, got, want)
			}
		}
	})
}

// TestMigrateSampleSlowAccepts: remote servers take a minute to accept a
// follow, as real ones do, so every follow is still a request when the
// lists are filled. Mastodon (4.2+) takes a pending follow on a list;
// GoToSocial needs the follow accepted, so its list members wait (the
// run says so, and the report lists them as waiting), and the same
// command run again after the accepts adds them.
func TestMigrateSampleSlowAccepts(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		s, clock := newFake(t, fl, mastotest.WithAcceptDelay(time.Minute))
		migratetest.SeedSample(s)
		f, out, errOut := migrateFactory(t, s)
		args := sampleArgs("--to", s.URL, "--yes", "--no-bulk") // the per-item path: GoToSocial's import is tested on its own
		if code := run(context.Background(), args, f); code != 0 {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
		var waiting []string
		for _, it := range reportJSON(t, f, out) {
			if it.Status == "waiting" {
				waiting = append(waiting, it.Category+" "+it.List+": "+it.Item)
			}
		}
		slices.Sort(waiting)
		if fl.GoToSocial() {
			// ana was followed before the run; the others' follows are
			// requests until the Accepts arrive.
			w := []string{"list_members Friends: bo@fosstodon.example", "list_members Tech: dee@gts.example", "list_members Tech: ivy@notfollowed.example"}
			if !slices.Equal(waiting, w) {
				t.Errorf("waiting %q, want %q", waiting, w)
			}
			if !strings.Contains(errOut.String(), "3 items wait for follow requests to be accepted") {
				t.Errorf("the run does not say list members wait:\n%s", errOut)
			}
			if got := s.State().Lists; !slices.Equal(got["Friends"].Members, []string{"ana@mastodon.example"}) || len(got["Tech"].Members) != 0 {
				t.Errorf("lists before the accepts: %+v", got)
			}
			if n := s.Count("POST /api/v1/lists/:id/accounts"); n == 0 {
				t.Error("no list member was sent")
			}
			clock.Advance(2 * time.Minute)
			errOut.Reset()
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("the same command after the accepts: exit %d\n%s", code, errOut)
			}
		} else if len(waiting) != 0 {
			t.Errorf("waiting on %s, which lists pending follows: %q", fl, waiting)
		}
		clock.Advance(2 * time.Minute) // every Accept has arrived
		want := wantSample(fl)
		want.Favourites = []string{}
		if got := s.State(); !reflect.DeepEqual(got, want) {
			t.Errorf("final state\n got %+v\nwant %+v", got, want)
		}
	})
}
