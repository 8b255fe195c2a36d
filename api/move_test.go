package api_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

var moveClock = mastotest.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))

// pair starts OLD (old.example) and NEW (new.example), federated, with
// clients reaching them at their domains.
func pair(t *testing.T, oldF, newF mastotest.Flavour, opts ...mastotest.Option) (oldS, newS *mastotest.Server, oldC, newC *api.Client, hc *http.Client) {
	t.Helper()
	oldS = mastotest.NewServer(t, mastotest.WithDomain("old.example"), mastotest.WithFlavour(oldF), mastotest.WithClock(moveClock))
	newS = mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithDomain("new.example"), mastotest.WithFlavour(newF), mastotest.WithClock(moveClock)}, opts...)...)
	mastotest.Federate(oldS, newS)
	tr := mastotest.Transport(nil, oldS, newS)
	var err error
	if oldC, err = api.New("https://old.example", api.Options{Token: oldS.Token, Transport: tr}); err != nil {
		t.Fatal(err)
	}
	if newC, err = api.New("https://new.example", api.Options{Token: newS.Token, Transport: tr}); err != nil {
		t.Fatal(err)
	}
	return oldS, newS, oldC, newC, &http.Client{Transport: tr}
}

func TestWebFingerAndActor(t *testing.T) {
	ctx := context.Background()
	oldS, newS, _, _, hc := pair(t, mastotest.Mastodon45, mastotest.Mastodon45)
	oldURI, err := api.WebFingerSelf(ctx, hc, mustURL("https://old.example"), "@me@old.example")
	if err != nil || oldURI != oldS.MeURI() {
		t.Fatalf("webfinger: %q, %v; want %q", oldURI, err, oldS.MeURI())
	}
	newURI, _ := api.WebFingerSelf(ctx, hc, mustURL("https://new.example"), "me@new.example")

	a, err := api.FetchActor(ctx, hc, newURI)
	if err != nil || a.Reduced || len(a.AlsoKnownAs) != 0 {
		t.Fatalf("without alias: %+v, %v", a, err)
	}
	newS.SetAliasesWeb(oldURI)
	a, _ = api.FetchActor(ctx, hc, newURI)
	if !slices.Contains(a.AlsoKnownAs, oldURI) {
		t.Fatalf("with alias: %+v", a)
	}
	if _, err := api.WebFingerSelf(ctx, hc, mustURL("https://new.example"), "nobody@new.example"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("unknown handle: %v", err)
	}
	if _, err := api.FetchActor(ctx, hc, "http://new.example/users/me"); err == nil || !strings.Contains(err.Error(), "not https") {
		t.Errorf("plain http actor fetched: %v", err)
	}
}

func TestActorAuthorizedFetch(t *testing.T) {
	ctx := context.Background()
	_, newS, _, _, hc := pair(t, mastotest.Mastodon45, mastotest.Mastodon45, mastotest.WithAuthorizedFetch())
	newS.SetAliasesWeb("https://old.example/users/me")
	a, err := api.FetchActor(ctx, hc, newS.MeURI())
	if err != nil || !a.Reduced || a.AlsoKnownAs != nil {
		t.Fatalf("authorized fetch: %+v, %v; want a reduced actor", a, err)
	}
}

func TestAliasAndMoveGoToSocial(t *testing.T) {
	ctx := context.Background()
	gts := mastotest.GoToSocial020
	oldS, newS, oldC, newC, hc := pair(t, gts, gts)
	oldURI, newURI := oldS.MeURI(), newS.MeURI()

	// The move is refused while NEW does not list OLD.
	err := oldC.Move(ctx, mastotest.DefaultPassword, newURI)
	if !errors.Is(err, api.ErrValidation) || !strings.Contains(err.Error(), "not aliased") {
		t.Fatalf("move without alias: %v", err)
	}
	// The form with [] is not read by GoToSocial: the list is empty and
	// clears the aliases. The client sends JSON and keeps what was there.
	oldS.AddAccount(mastotest.Account{Username: "someone"})
	newS.SetAliasesWeb("https://old.example/users/someone")
	req, _ := http.NewRequest("POST", "https://new.example/api/v1/accounts/alias", strings.NewReader(url.Values{"also_known_as_uris[]": {oldURI}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+newS.Token)
	if resp, err := hc.Do(req); err != nil || resp.StatusCode != 200 || len(newS.Aliases()) != 0 {
		t.Fatalf("form with []: %v, %v", newS.Aliases(), err)
	}
	newS.SetAliasesWeb("https://old.example/users/someone")
	if err := newC.SetAliases(ctx, []string{"https://old.example/users/someone", oldURI}); err != nil {
		t.Fatal(err)
	}
	got, err := newC.Aliases(ctx)
	if err != nil || !slices.Equal(got, []string{"https://old.example/users/someone", oldURI}) {
		t.Fatalf("aliases: %v, %v", got, err)
	}
	// A wrong password is a 400 that does not repeat the password.
	err = oldC.Move(ctx, "hunter2", newURI)
	if e := (*api.Error)(nil); !errors.As(err, &e) || e.Status != http.StatusBadRequest || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("wrong password: %v", err)
	}
	if err := oldC.Move(ctx, mastotest.DefaultPassword, newURI); err != nil {
		t.Fatalf("move: %v", err)
	}
	// Again, to the same target: accepted (GoToSocial reprocesses it).
	if err := oldC.Move(ctx, mastotest.DefaultPassword, newURI); err != nil {
		t.Fatalf("move again: %v", err)
	}
	moveClock.Advance(time.Minute) // GoToSocial's worker has run
	me, err := oldC.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := oldC.Lookup(ctx, "me@new.example"); !errors.Is(err, api.ErrForbidden) {
		t.Errorf("lookup after the move: %v; want 403", err)
	}
	if _, err := oldC.Block(ctx, me.ID); !errors.Is(err, api.ErrForbidden) {
		t.Errorf("a write after the move: %v; want 403", err)
	}
	if err := oldC.Move(ctx, mastotest.DefaultPassword, newURI); err != nil {
		t.Errorf("the same move after it was made: %v", err)
	}
	a, err := oldC.Account(ctx, me.ID)
	if err != nil || a.Moved == nil || a.Moved.Acct != "me@new.example" {
		t.Errorf("account after the move: %+v, %v", a, err)
	}
}

func TestAliasAndMoveMissingOnMastodon(t *testing.T) {
	ctx := context.Background()
	_, _, oldC, newC, _ := pair(t, mastotest.Mastodon45, mastotest.Mastodon45)
	if err := newC.SetAliases(ctx, []string{"https://old.example/users/me"}); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("alias on Mastodon: %v; want 404", err)
	}
	if err := oldC.Move(ctx, "pw", "https://new.example/users/me"); !errors.Is(err, api.ErrNotFound) {
		t.Errorf("move on Mastodon: %v; want 404", err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestMoveCooldownGoToSocial: a move within 7 days of the last one is
// refused with 422 (docs/user_guide/migration.md).
func TestMoveCooldownGoToSocial(t *testing.T) {
	ctx := context.Background()
	gts := mastotest.GoToSocial020
	oldS, newS, oldC, newC, _ := pair(t, gts, gts)
	if err := newC.SetAliases(ctx, []string{oldS.MeURI()}); err != nil {
		t.Fatal(err)
	}
	oldS.SeedMovedAt(moveClock.Now().Add(-24 * time.Hour))
	err := oldC.Move(ctx, mastotest.DefaultPassword, newS.MeURI())
	if !errors.Is(err, api.ErrValidation) || !strings.Contains(err.Error(), "7 days") {
		t.Fatalf("move within the cooldown: %v", err)
	}
	oldS.SeedMovedAt(moveClock.Now().Add(-8 * 24 * time.Hour))
	if err := oldC.Move(ctx, mastotest.DefaultPassword, newS.MeURI()); err != nil {
		t.Fatalf("move after the cooldown: %v", err)
	}
}
