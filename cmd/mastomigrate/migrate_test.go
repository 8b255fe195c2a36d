package main

import (
	"context"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
)

// migrateFactory points a factory at a fake server, with the token in the
// environment and journals in a temporary state folder.
func migrateFactory(t testing.TB, s *mastotest.Server) (*factory, *strings.Builder, *strings.Builder) {
	f, out, errOut := testStreams()
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

func TestMigrateSample(t *testing.T) {
	s := mastotest.NewServer(t)
	migratetest.SeedSample(s)
	f, out, errOut := migrateFactory(t, s)
	code := run(context.Background(), sampleArgs("--to", s.URL, "--yes", "--include", "likes,profile"), f)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	got := s.State()
	if !reflect.DeepEqual(got, wantSampleState) {
		t.Errorf("final state\n got %+v\nwant %+v", got, wantSampleState)
	}
	p := s.Profile()
	if p.DisplayName != "Alex Example" || p.Note != "Moving house." || len(p.Fields) != 2 || p.Avatar != "image/png" || p.Header != "image/jpeg" {
		t.Errorf("profile: %+v", p)
	}
	if !strings.Contains(out.String(), "Summary") || !strings.Contains(errOut.String(), "Migration to me@new.example complete") {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out, errOut)
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
}

func TestMigrateRefusesWithoutConfirmation(t *testing.T) {
	s := mastotest.NewServer(t)
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
	s := mastotest.NewServer(t)
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
	if got := s.State(); !reflect.DeepEqual(got, wantSampleState) {
		t.Errorf("final state\n got %+v\nwant %+v", got, wantSampleState)
	}
	dir, _ := f.StateDir()
	paths, _ := migrate.Journals(dir)
	j, err := migrate.LoadJournal(paths[0])
	if err != nil || !j.Finished() || len(j.Header.Options.Only) != 0 || !slices.Equal(j.Header.Options.Include, []string{"likes"}) {
		t.Errorf("journal: %v, finished %v, options %+v", err, j.Finished(), j.Header.Options)
	}
}

// TestUpdateFollowSettings: an existing follow keeps its settings unless
// asked (Mastodon's own importer resets them: mastodon#24222).
func TestUpdateFollowSettings(t *testing.T) {
	for _, update := range []bool{false, true} {
		s := mastotest.NewServer(t)
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
		}
		if got := s.State().Follows["bo@fosstodon.example"]; !reflect.DeepEqual(got, want) {
			t.Errorf("update %v: bo's follow %+v, want %+v", update, got, want)
		}
	}
}
