package main

import (
	"context"
	"reflect"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestProfileSettingsStick: on every flavour, the settings carried with
// the texts (locked, bot, discoverable, sensitive, default privacy and
// language) are read back; those the server took without keeping are
// reported by name, and the next run sends them again.
func TestProfileSettingsStick(t *testing.T) {
	const route = "PATCH /api/v1/accounts/update_credentials"
	settings := mastotest.ProfileSettings{Locked: true, Bot: true, Discoverable: true, Sensitive: true, Privacy: "private", Language: "de"}
	for _, tt := range []struct {
		to      mastotest.Flavour
		unbound []string
		want    string
	}{
		{mastotest.Mastodon42, []string{"locked", "bot", "discoverable", "source[sensitive]", "source[privacy]", "source[language]"},
			"locked on, bot on, discoverable on, sensitive by default on, default privacy private and default language de"},
		{mastotest.Mastodon43, []string{"source[privacy]"}, "default privacy private"},
		{mastotest.Mastodon45, []string{"discoverable", "source[sensitive]"}, "discoverable on and sensitive by default on"},
		{mastotest.GoToSocial020, []string{"locked", "bot", "discoverable", "source[sensitive]", "source[privacy]", "source[language]"},
			"locked on, bot on, discoverable on, sensitive by default on, default privacy private and default language de"},
	} {
		t.Run(tt.to.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(t0)
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithClock(clock), generous(mastotest.Mastodon45))
			opts := []mastotest.Option{mastotest.WithFlavour(tt.to), mastotest.WithClock(clock)}
			if !tt.to.GoToSocial() {
				opts = append(opts, generous(tt.to))
			}
			neu := mastotest.NewServer(t, opts...)
			old.SeedProfile(mastotest.Profile{DisplayName: "Me, moving", Note: "Hello.", Settings: settings}, "", "")
			neu.SetFaults(mastotest.Faults{Unbound: map[string][]string{route: tt.unbound}})
			f, out, errOut, _ := fromFactory(t, old, neu, clock)
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--include", "profile"}
			run(context.Background(), args, f)
			want := []reportItem{{Category: "profile", Item: "display name, bio and fields", Status: "retry",
				Reason: "the new instance took the update but does not show " + tt.want + "; the next run sends it again"}}
			if got := reportJSON(t, f, out); !reflect.DeepEqual(got, want) {
				t.Errorf("report\n got %+v\nwant %+v", got, want)
			}

			neu.SetFaults(mastotest.Faults{})
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("re-run: exit %d\n%s", code, errOut)
			}
			if got := reportJSON(t, f, out); len(got) != 0 || neu.Profile().Settings != settings {
				t.Errorf("after the re-run: settings %+v, report %+v", neu.Profile().Settings, got)
			}
		})
	}
}
