package ui_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/migratetest"
	"github.com/mastomigrate/mastomigrate/ui"
	"github.com/mastomigrate/mastomigrate/ui/uitest"
)

// movePage is the page for a move between two fake servers of flavour,
// each account's login stored, once the migration to the new one is
// finished (as the move checks).
func movePage(t *testing.T, flavour mastotest.Flavour) (p *page, oldS, newS *mastotest.Server) {
	t.Helper()
	clock := mastotest.NewManualClock(time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC))
	fl := mastotest.WithFlavour(flavour)
	oldS = mastotest.NewServer(t, mastotest.WithDomain("old.example"), fl, mastotest.WithClock(clock))
	newS = mastotest.NewServer(t, mastotest.WithDomain("new.example"), fl, mastotest.WithClock(clock))
	mastotest.Federate(oldS, newS)
	oldS.AddToken("old-token")
	rt := mastotest.Transport(nil, oldS, newS)
	p = startPage(t, newS, clock, rt)
	tokens, _ := p.tokens()
	tokens.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: "https://new.example"}, Token: newS.Token})
	tokens.Put(&api.Login{Account: "me@old.example", App: api.App{Instance: "https://old.example"}, Token: "old-token"})
	if err := tokens.Save(); err != nil {
		t.Fatal(err)
	}
	migratetest.SeedSample(newS)
	env := migrate.Env{Accounts: storeAccounts{tokens: p.tokens, clock: clock, rt: rt}, StateDir: p.stateDir, Clock: clock}
	if sum, err := migrate.NewSession(migrate.SessionConfig{Exports: sample, To: "me@new.example", Yes: true}, env).Run(t.Context(), quietPerson{}); err != nil || !sum.Finished {
		t.Fatalf("the migration before the move: %+v, %v", sum, err)
	}
	return p, oldS, newS
}

// TestMove: the account move from the page, between two GoToSocial
// servers: the alias agreed to, the old account's handle and password
// typed in the page's fields, the move made and seen, every check shown;
// the password reaches the old server's move and nothing the page sends.
func TestMove(t *testing.T) {
	p, oldS, newS := movePage(t, mastotest.GoToSocial020)

	_, body := p.Get("/report")
	if !strings.Contains(body, `id="move-form"`) || !strings.Contains(body, `<option value="me@old.example">`) {
		t.Fatalf("no move form with the stored logins:\n%s", body)
	}
	p.Post("/move/start", url.Values{"from": {"me@old.example"}, "to": {"me@new.example"}, "mode": {"move"}})
	var asked []string
	s := p.WaitFor("a question or the end", func(s ui.Snapshot) bool { return s.Question != nil || uitest.Ended(s) })
	for s.Question != nil {
		a := url.Values{"id": {itoa(s.Question.ID)}, "answer": {"yes"}}
		switch {
		case s.Question.Confirm != nil:
			asked = append(asked, "confirm")
		case s.Question.Secret.Kind == migrate.SecretHandle:
			asked = append(asked, "handle")
			a.Set("typed", "me@old.example")
		case s.Question.Secret.Kind == migrate.SecretPassword:
			asked = append(asked, "password")
			a.Set("typed", mastotest.DefaultPassword)
		}
		if _, body := p.Post("/run/answer", a); strings.Contains(body, mastotest.DefaultPassword) {
			t.Error("the page echoed the password")
		}
		id := s.Question.ID
		s = p.WaitFor("the next question or the end", func(s ui.Snapshot) bool {
			return s.Question != nil && s.Question.ID != id || uitest.Ended(s)
		})
	}
	if s.State != "finished" {
		t.Fatalf("state %q: %s (asked %v)", s.State, s.Message, asked)
	}
	if strings.Join(asked, ",") != "confirm,handle,password" {
		t.Errorf("asked %v", asked)
	}
	if oldS.MoveRequests() != 1 || len(newS.Aliases()) != 1 {
		t.Errorf("%d move requests, aliases %v", oldS.MoveRequests(), newS.Aliases())
	}
	_, body = p.Get("/run")
	for _, want := range []string{"Move your followers", "<strong>alias on the new account</strong>", "<strong>old account shows the move</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the run screen lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(p.Seen(), mastotest.DefaultPassword) {
		t.Error("the password reached the page")
	}
	p.noTokens()
}

// TestMoveMastodon: on Mastodon the alias is set on the website: the
// page's question says which page to open and which handle to enter
// there (links, as the terminal prints them), and once the person says
// it is saved the move goes on; nothing is written to either account.
func TestMoveMastodon(t *testing.T) {
	p, oldS, newS := movePage(t, mastotest.Mastodon45)
	writes := oldS.Writes() + newS.Writes()

	p.Post("/move/start", url.Values{"from": {"me@old.example"}, "to": {"me@new.example"}, "mode": {"move"}})
	s := p.WaitFor("the alias's question", func(s ui.Snapshot) bool { return s.Question != nil || uitest.Ended(s) })
	q := s.Question
	if q == nil || q.Confirm == nil || q.Confirm.Kind != migrate.ConfirmDone {
		t.Fatalf("asked %+v (state %q: %s), want to say when the alias is saved", q, s.State, s.Message)
	}
	_, body := p.Get("/run")
	for _, want := range []string{
		`<a href="https://new.example/settings/aliases" target="_blank" rel="noopener noreferrer" id="web-link">`,
		`enter <code id="web-enter">@me@old.example</code> and save`,
		`aria-describedby="question-web"`,
		// The engine's guidance, its addresses links.
		`open <a href="https://new.example/settings/aliases" target="_blank" rel="noopener noreferrer">https://new.example/settings/aliases</a> (Settings`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the question lacks %q:\n%s", want, body)
		}
	}
	// Saved on the website, and the move made there too.
	newS.SetAliasesWeb(oldS.MeURI())
	if err := oldS.MoveWeb(newS.MeURI()); err != nil {
		t.Fatal(err)
	}
	p.Post("/run/answer", url.Values{"id": {itoa(q.ID)}, "answer": {"yes"}})
	s = p.WaitFor("the end", func(s ui.Snapshot) bool { return uitest.Ended(s) || s.Question != nil && s.Question.ID != q.ID })
	if s.State != "finished" {
		t.Fatalf("state %q: %s (question %+v)", s.State, s.Message, s.Question)
	}
	_, body = p.Get("/run")
	for _, want := range []string{"<strong>alias on the new account</strong>", "<strong>old account shows the move</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the run screen lacks %q:\n%s", want, body)
		}
	}
	if w := oldS.Writes() + newS.Writes(); w != writes {
		t.Errorf("%d writes during the move", w-writes)
	}
	p.noTokens()
}
