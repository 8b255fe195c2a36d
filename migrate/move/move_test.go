package move_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/move"
)

// hosts opens an account on the fake server of its domain.
type hosts struct {
	servers map[string]*mastotest.Server
	rt      http.RoundTripper
	clock   api.Clock
}

func (h hosts) Open(_ context.Context, account string, _ bool) (*api.Client, *api.Account, error) {
	_, domain, _ := strings.Cut(account, "@")
	s := h.servers[domain]
	c, err := api.New("https://"+domain, api.Options{Token: s.Token, Transport: h.rt, Clock: h.clock})
	return c, &api.Account{Acct: account}, err
}

// person says no to every question and keeps what it was asked and told.
type person struct {
	asked  []migrate.Confirmation
	events []migrate.Event
}

func (p *person) Confirm(_ context.Context, q migrate.Confirmation) (bool, error) {
	p.asked = append(p.asked, q)
	return false, nil
}

func (p *person) Secret(context.Context, migrate.SecretRequest) (string, error) {
	return "", errors.New("no secrets in these tests")
}

func (p *person) Notify(e migrate.Event) { p.events = append(p.events, e) }

// TestMoveAsksThePerson: the move, with a fake person and no CLI, tells
// each check as an event, changes nothing in a dry run, and changes
// nothing when the person says no to the alias.
func TestMoveAsksThePerson(t *testing.T) {
	tests := []struct {
		name   string
		dryRun bool
		want   error
	}{
		{"dry run", true, nil},
		{"declined", false, migrate.ErrNotConfirmed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clock := mastotest.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
			gts := mastotest.WithFlavour(mastotest.GoToSocial020)
			oldS := mastotest.NewServer(t, mastotest.WithDomain("old.example"), gts, mastotest.WithClock(clock))
			newS := mastotest.NewServer(t, mastotest.WithDomain("new.example"), gts, mastotest.WithClock(clock))
			mastotest.Federate(oldS, newS)
			rt := mastotest.Transport(nil, oldS, newS)
			env := migrate.Env{Accounts: hosts{map[string]*mastotest.Server{"old.example": oldS, "new.example": newS}, rt, clock},
				StateDir: t.TempDir(), Clock: clock, HTTP: &http.Client{Transport: rt}}
			j, err := journal.Open(filepath.Join(env.StateDir, "me@new.example-0123.journal"),
				journal.Header{Account: "me@new.example", Options: journal.RunConfig{To: "me@new.example"}})
			if err != nil {
				t.Fatal(err)
			}
			j.Record(journal.Record{ID: "follow a@x", Category: "follows", Status: journal.StatusDone})
			j.Finish()
			j.Close()

			p := &person{}
			m := move.New(move.Config{From: "me@old.example", To: "me@new.example", DryRun: tt.dryRun}, env)
			if err := m.Run(context.Background(), p); !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
			ready := false
			for _, ev := range p.events {
				if ev.Phase != migrate.PhaseMove {
					t.Errorf("event outside the move: %+v", ev)
				}
				if ev.Kind == migrate.EventItem && ev.Item == move.StepReady && ev.State == "done" {
					ready = true
				}
			}
			if !ready {
				t.Errorf("no event says the migration is finished: %+v", p.events)
			}
			if tt.dryRun == (len(p.asked) > 0) {
				t.Errorf("dry run %v, asked %+v", tt.dryRun, p.asked)
			}
			if len(newS.Aliases()) != 0 || oldS.MoveRequests() != 0 {
				t.Errorf("changed: aliases %v, %d move requests", newS.Aliases(), oldS.MoveRequests())
			}
		})
	}
}
