// Package move is the account move, `mastomigrate move`: a different job
// from migrating data, it moves the followers (the alias on the new
// account, the move on the old one, the followers counted after). It
// asks and tells through migrate.Person, decides refusals by migrate's
// outcome policy, and keeps a journal of its own (journal.go).
package move

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/outcome"
)

// Config is what a person asks of a move: `move`'s flags.
type Config struct {
	From, To string
	DryRun   bool          // show every check, change nothing
	Check    bool          // only count the new account's followers against the old one's
	Yes      bool          // do not ask before setting the alias (the move itself always asks)
	Force    bool          // move though the migration is not finished
	Wait     time.Duration // how long to wait for the old account to show the move
	Poll     time.Duration // between two looks at it
	Every    time.Duration // Check: between two followers counts (0: once)
	For      time.Duration // Check: how long to keep counting (0: a day)
}

// WaitError ends a move that must wait for something outside it (the
// old account to show the move, the alias set on the web): run it again
// later.
type WaitError struct{ Msg string }

func (e *WaitError) Error() string { return e.Msg }

// Check is one check's outcome.
type Check struct {
	Step   string `json:"step"`
	State  string `json:"state"` // done, already, found, missing, cannot_check, would, waiting, not_finished
	Detail string `json:"detail"`
}

// Result is what a move found and did, as `move --json` prints it.
type Result struct {
	From     string           `json:"from"`
	To       string           `json:"to"`
	DryRun   bool             `json:"dry_run"`
	Checks   []Check          `json:"checks"`
	Accounts journal.MoveInfo `json:"accounts"`
}

// Move is the account move: ready, alias, move, moved, then the followers
// count; each step journaled, a run continuing at the first not done.
// Nothing is written to the old account but the move itself.
type Move struct {
	// AfterStep, when set, runs after each step is journaled (tests stop
	// there, as a kill would).
	AfterStep func(step string) error

	cfg      Config
	env      migrate.Env
	p        migrate.Person
	oldC     *api.Client
	newC     *api.Client
	public   *http.Client // without tokens: WebFinger and actors
	j        *Journal
	res      Result
	oldIsGTS bool
	newIsGTS bool
}

// New prepares a move; nothing is read until Run.
func New(cfg Config, env migrate.Env) *Move {
	if cfg.Wait <= 0 {
		cfg.Wait = 15 * time.Minute
	}
	if cfg.Poll <= 0 {
		cfg.Poll = 10 * time.Second
	}
	env = env.WithDefaults()
	return &Move{cfg: cfg, env: env, public: &http.Client{Transport: env.HTTP.Transport, Timeout: time.Minute}}
}

// Result is what the move found and did so far.
func (m *Move) Result() Result { return m.res }

// Run makes the move, asking p before each change (p.Secret for the old
// account's handle and password) and telling each check through
// p.Notify (Phase "move", Item the step, State and Message).
func (m *Move) Run(ctx context.Context, p migrate.Person) (err error) {
	m.p = p
	var oldA, newA *api.Account
	if m.newC, newA, err = m.env.Accounts.Open(ctx, m.cfg.To, false); err != nil {
		return err
	}
	if m.oldC, oldA, err = m.env.Accounts.Open(ctx, m.cfg.From, true); err != nil {
		return err
	}
	if m.res.To, err = m.handle(ctx, m.newC, m.cfg.To, newA.Acct, ""); err != nil {
		return err
	}
	if m.res.From, err = m.handle(ctx, m.oldC, m.cfg.From, oldA.Acct, m.res.To); err != nil {
		return err
	}
	if m.res.From == m.res.To {
		return &migrate.UsageError{Err: fmt.Errorf("`--from` and `--to` are the same account (%s)", m.res.From)}
	}
	m.res.DryRun = m.cfg.DryRun
	path := JournalPath(m.env.StateDir, m.res.From, m.res.To)
	if m.cfg.DryRun {
		if _, serr := os.Stat(path); serr == nil {
			if m.j, err = LoadJournal(path); err != nil {
				return err
			}
		}
	} else {
		if m.j, err = OpenJournal(path, m.res.From, m.res.To, m.env.Clock.Now()); err != nil {
			return err
		}
		defer m.j.Close()
	}
	if m.j != nil {
		m.res.Accounts = m.j.Info()
	}
	m.newIsGTS = m.newC.Server(ctx).Software == "gotosocial"
	m.oldIsGTS = m.oldC.Server(ctx).Software == "gotosocial"

	if m.cfg.Check {
		if !m.done(StepMoved) {
			return &migrate.UsageError{Err: fmt.Errorf("the move from %s to %s is not done yet: run `mastomigrate move --from %s --to %s` first", m.res.From, m.res.To, m.res.From, m.res.To)}
		}
		return m.followers(ctx, true)
	}
	steps := []func(context.Context) error{m.ready, m.alias, m.move, m.moved}
	for i, id := range Steps {
		if m.done(id) {
			m.report(id, "done", "done in an earlier run")
			continue
		}
		if err := steps[i](ctx); err != nil {
			return err
		}
		if m.AfterStep != nil && !m.cfg.DryRun {
			if err := m.AfterStep(id); err != nil {
				return err
			}
		}
	}
	return m.followers(ctx, false)
}

// handle is the account's handle (user@domain, lower case): the login's,
// or as typed, or, for an instance address with a token from the
// environment, whose token it is (verify_credentials), as `migrate` finds
// it. Mastodon refuses a moved account's token: then the journal of a
// move to `to` from that instance says whose it was.
func (m *Move) handle(ctx context.Context, c *api.Client, typed, name, to string) (string, error) {
	for _, h := range []string{name, typed} {
		if isHandle(h) {
			return strings.ToLower(strings.TrimPrefix(h, "@")), nil
		}
	}
	me, err := c.Me(ctx)
	if err == nil {
		return strings.ToLower(me.Acct + "@" + c.Domain(ctx)), nil
	}
	if errors.Is(err, api.ErrForbidden) && to != "" {
		if moves, merr := Statuses(m.env.StateDir); merr == nil {
			var found []string
			for _, mv := range moves {
				if _, domain, _ := strings.Cut(mv.From, "@"); mv.To == to && strings.EqualFold(domain, c.Domain(ctx)) {
					found = append(found, mv.From)
				}
			}
			if len(found) == 1 {
				return found[0], nil
			}
		}
		return "", fmt.Errorf("%s refuses the token (%w), so whose account it is cannot be read: give `--from` as the account's handle (user@domain)", c.Instance().Host, err)
	}
	return "", fmt.Errorf("reading the account at %s: %w", c.Instance().Host, err)
}

// isHandle reports whether s reads user@domain rather than an address.
func isHandle(s string) bool {
	user, domain, ok := strings.Cut(strings.TrimPrefix(s, "@"), "@")
	return ok && user != "" && domain != "" && !strings.Contains(s, "/")
}

func (m *Move) done(step string) bool { return m.j != nil && m.j.Done(step) }

// mark journals a step (not on a dry run) with the current info.
func (m *Move) mark(step string, st journal.Status, reason string) error {
	if m.cfg.DryRun || m.j == nil {
		return nil
	}
	info := m.res.Accounts
	return m.j.Mark(step, st, reason, &info, m.env.Clock.Now())
}

// report tells a check and keeps it.
func (m *Move) report(step, state, detail string) {
	m.res.Checks = append(m.res.Checks, Check{Step: step, State: state, Detail: detail})
	m.p.Notify(migrate.Event{Kind: migrate.EventItem, Phase: migrate.PhaseMove, Item: step, State: state, Message: detail})
}

// say tells guidance, one note a line.
func (m *Move) say(format string, a ...any) {
	for _, line := range strings.Split(fmt.Sprintf(format, a...), "\n") {
		m.p.Notify(migrate.Event{Kind: migrate.EventNote, Phase: migrate.PhaseMove, Message: line})
	}
}

// ask confirms a change, unless Yes.
func (m *Move) ask(ctx context.Context, account, prompt string) error {
	return m.askWeb(ctx, migrate.Confirmation{Account: account, Changes: 1, Prompt: prompt})
}

// askWeb confirms q, unless Yes.
func (m *Move) askWeb(ctx context.Context, q migrate.Confirmation) error {
	if m.cfg.Yes {
		return nil
	}
	ok, err := m.p.Confirm(ctx, q)
	if err != nil {
		return err
	}
	if !ok {
		return migrate.ErrNotConfirmed
	}
	return nil
}

func webURL(c *api.Client, path string) string { return c.Instance().JoinPath(path).String() }

// ready checks that the migration to NEW is finished, and learns what
// later steps need while the old account can still be read.
func (m *Move) ready(ctx context.Context) error {
	oldName, newName := m.res.From, m.res.To
	mc, err := CheckMigration(m.env.StateDir, newName, m.cfg.To)
	if err != nil {
		return err
	}
	if mc.Finished {
		m.report(StepReady, "done", "the migration to "+newName+" is finished")
	} else {
		m.report(StepReady, "not_finished", "the migration to "+newName+" is not finished")
		for _, l := range mc.Summary() {
			m.say("  %s", l)
		}
		m.say("Moving now would lose them: once %s has moved, its token may stop working and its follows can no longer be read.", oldName)
		if mc.Resume != "" {
			m.say("Finish first with: %s", mc.Resume)
		}
		if !m.cfg.Force && !m.cfg.DryRun {
			return fmt.Errorf("the migration to %s is not finished: finish it first, or move anyway with `--force`", newName)
		}
	}
	newMe, err := m.newC.Me(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", newName, err)
	}
	oldMe, err := m.oldC.Me(ctx)
	if errors.Is(err, api.ErrForbidden) {
		// Mastodon refuses a moved account's token: the move was made
		// already. NEW's copy of OLD says where it went and how many
		// followers it has left; its id there is not OLD's own.
		m.say("%s refuses %s's token (%v): the account may have moved already.", m.oldC.Instance().Host, oldName, err)
		if oldMe, err = m.newC.Lookup(ctx, oldName); err == nil {
			oldMe.ID = ""
		}
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", oldName, err)
	}
	info := &m.res.Accounts
	info.OldID, info.OldFollowers, info.NewFollowers = oldMe.ID, oldMe.FollowersCnt, newMe.FollowersCnt
	if info.OldURI, err = api.WebFingerSelf(ctx, m.public, m.oldC.Instance(), oldName); err != nil {
		return err
	}
	if info.NewURI, err = api.WebFingerSelf(ctx, m.public, m.newC.Instance(), newName); err != nil {
		return err
	}
	info.OldSoftware, info.NewSoftware = m.oldC.Server(ctx).Software, m.newC.Server(ctx).Software
	return m.mark(StepReady, journal.StatusDone, "")
}

// alias makes sure NEW lists OLD's actor in alsoKnownAs.
func (m *Move) alias(ctx context.Context) error {
	if m.newIsGTS {
		return m.aliasByAPI(ctx)
	}
	return m.aliasOnWeb(ctx)
}

// aliasByAPI sets the alias on GoToSocial, keeping the aliases already
// there (an empty or partial list replaces them), and reads it back.
func (m *Move) aliasByAPI(ctx context.Context) error {
	oldName, newName, oldURI := m.res.From, m.res.To, m.res.Accounts.OldURI
	have, err := m.newC.Aliases(ctx)
	if err != nil {
		return fmt.Errorf("reading %s's aliases: %w", newName, err)
	}
	if slices.Contains(have, oldURI) {
		m.report(StepAlias, "already", fmt.Sprintf("%s already lists %s (%s)", newName, oldName, oldURI))
		return m.mark(StepAlias, journal.StatusDone, "already set")
	}
	if m.cfg.DryRun {
		m.report(StepAlias, "would", fmt.Sprintf("would add %s (%s) to %s's aliases, keeping the %d already there", oldName, oldURI, newName, len(have)))
		return nil
	}
	if err := m.ask(ctx, newName, fmt.Sprintf("Add %s as an alias of %s (%s)?", oldName, newName, oldURI)); err != nil {
		return err
	}
	if err := m.newC.SetAliases(ctx, append(slices.Clone(have), oldURI)); err != nil {
		return fmt.Errorf("setting the alias on %s: %w", newName, err)
	}
	got, err := m.newC.Aliases(ctx)
	if err != nil {
		return fmt.Errorf("reading %s's aliases back: %w", newName, err)
	}
	if !slices.Contains(got, oldURI) {
		return fmt.Errorf("%s accepted the alias but does not list it: %v", newName, got)
	}
	m.report(StepAlias, "done", fmt.Sprintf("%s now lists %s (%s), checked", newName, oldName, oldURI))
	return m.mark(StepAlias, journal.StatusDone, "set and checked")
}

// aliasOnWeb says where to set the alias on Mastodon, which has no API
// for it, and checks NEW's public actor for OLD in alsoKnownAs.
func (m *Move) aliasOnWeb(ctx context.Context) error {
	oldName, newName := m.res.From, m.res.To
	page := webURL(m.newC, "/settings/aliases")
	instructions := func() {
		m.say("On %s, open %s (Settings > Account > Moving from a different account),\nenter the old account's handle @%s and save.", newName, page, oldName)
	}
	waitErr := &WaitError{fmt.Sprintf("%s does not list %s as an alias yet: add it at %s, then run the same command again", newName, oldName, page)}
	for attempt := 0; ; attempt++ {
		state, detail, err := m.actorCheck(ctx)
		if err != nil {
			return err
		}
		cached := func() {
			m.say("%s's server may use a copy of %s's profile up to a day old: if the move says the alias is missing, wait and try again.", oldName, newName)
		}
		switch state {
		case "found":
			m.report(StepAlias, "found", detail)
			cached()
			return m.mark(StepAlias, journal.StatusDone, "found in the actor")
		case "cannot_check":
			m.report(StepAlias, "cannot_check", detail)
			instructions()
			cached()
			if m.cfg.DryRun {
				return nil
			}
			if err := m.askWeb(ctx, migrate.Confirmation{Account: newName, Changes: 1, Link: page, Enter: "@" + oldName,
				Prompt: fmt.Sprintf("Is %s listed as an alias on %s?", oldName, newName)}); err != nil {
				return err
			}
			return m.mark(StepAlias, journal.StatusDone, "not verified: the actor is reduced")
		}
		m.report(StepAlias, "missing", detail)
		if attempt == 0 {
			instructions()
		}
		if m.cfg.DryRun {
			return nil
		}
		if err := m.mark(StepAlias, journal.StatusRetry, "missing from the actor"); err != nil {
			return err
		}
		if attempt >= 5 {
			return waitErr
		}
		saved, err := m.p.Confirm(ctx, migrate.Confirmation{Account: newName, Kind: migrate.ConfirmDone, Link: page, Enter: "@" + oldName,
			Prompt: "Press Enter once it is saved (Ctrl-C to stop):"})
		if err != nil {
			return err
		}
		if !saved {
			return waitErr
		}
	}
}

// actorCheck reads NEW's actor as other servers see it: found, missing,
// or cannot_check (a reduced actor under authorized fetch).
func (m *Move) actorCheck(ctx context.Context) (state, detail string, err error) {
	oldName, newName, oldURI := m.res.From, m.res.To, m.res.Accounts.OldURI
	a, err := api.FetchActor(ctx, m.public, m.res.Accounts.NewURI)
	if err != nil {
		return "", "", err
	}
	switch {
	case slices.Contains(a.AlsoKnownAs, oldURI):
		return "found", fmt.Sprintf("%s's actor lists %s (%s) in alsoKnownAs", newName, oldName, oldURI), nil
	case a.Reduced:
		return "cannot_check", fmt.Sprintf("cannot check: %s's server shows only a reduced actor to unsigned requests (authorized fetch), without its aliases", newName), nil
	}
	return "missing", fmt.Sprintf("%s's actor does not list %s (%s) in alsoKnownAs", newName, oldName, oldURI), nil
}

// oldAccount reads OLD as it stands: by id with its own token (GoToSocial
// allows that after the move), or else NEW's copy of it, which the Move
// activity updates.
func (m *Move) oldAccount(ctx context.Context) (*api.Account, error) {
	var a *api.Account
	var err error
	c := m.oldC
	if id := m.res.Accounts.OldID; id != "" {
		a, err = c.Account(ctx, id)
	} else {
		a, err = c.Me(ctx)
	}
	if errors.Is(err, api.ErrForbidden) || errors.Is(err, api.ErrUnauthorized) {
		c = m.newC
		a, err = c.Lookup(ctx, m.res.From)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", m.res.From, err)
	}
	if a.Moved != nil {
		a.Moved.Acct = c.FullAcct(a.Moved) // local to the server that answered
	}
	return a, nil
}

// movedTo says whether a (from oldAccount) shows a move, and whether it
// is to NEW.
func (m *Move) movedTo(a *api.Account) (moved, toNew bool, where string) {
	if a.Moved == nil {
		return false, false, ""
	}
	t := a.Moved
	where = t.Acct
	toNew = strings.EqualFold(where, m.res.To) || (t.URI != "" && t.URI == m.res.Accounts.NewURI)
	return true, toNew, where
}

// move makes the move on OLD: by API on GoToSocial, after the handle and
// the password are typed; on the web on Mastodon.
func (m *Move) move(ctx context.Context) error {
	oldName, newName := m.res.From, m.res.To
	a, err := m.oldAccount(ctx)
	if err != nil {
		return err
	}
	if moved, toNew, where := m.movedTo(a); moved {
		if !toNew {
			return fmt.Errorf("%s has already moved to %s, not %s", oldName, where, newName)
		}
		m.report(StepRequest, "already", oldName+" has already moved to "+newName)
		return m.mark(StepRequest, journal.StatusDone, "already moved")
	}
	if !m.oldIsGTS {
		page := webURL(m.oldC, "/settings/migration")
		m.report(StepRequest, "would", "start the move on the web")
		m.say("On %s, open %s (Settings > Account > Moving to a different account),\nenter the new account's handle @%s and %s's current password.", oldName, page, newName, oldName)
		m.say("Mastodon allows one move every 30 days. Your posts stay on %s; your followers follow %s on their own.", oldName, newName)
		// Done when OLD shows the move: the next step waits for it.
		return nil
	}
	m.say("GoToSocial allows one move every 7 days. After it, %s's token still reads the account,\nbut lookups, searches and every change are refused there.", oldName)
	if m.cfg.DryRun {
		m.report(StepRequest, "would", fmt.Sprintf("would move %s to %s (%s) after you type its handle and password", oldName, newName, m.res.Accounts.NewURI))
		return nil
	}
	typed, err := m.p.Secret(ctx, migrate.SecretRequest{Kind: migrate.SecretHandle, Account: oldName,
		Prompt: fmt.Sprintf("To move %s to %s, type the old account's handle (%s):", oldName, newName, oldName)})
	if err != nil {
		return err
	}
	if !strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(typed), "@"), oldName) {
		return errors.New("the handle does not match; nothing was moved")
	}
	password, err := m.p.Secret(ctx, migrate.SecretRequest{Kind: migrate.SecretPassword, Account: oldName, Prompt: fmt.Sprintf("Password of %s (not shown):", oldName)})
	if err != nil {
		return fmt.Errorf("reading the password: %w", err)
	}
	if password == "" {
		return errors.New("no password given; nothing was moved")
	}
	if err := m.mark(StepRequest, journal.StatusStarted, ""); err != nil {
		return err
	}
	err = m.oldC.Move(ctx, password, m.res.Accounts.NewURI)
	password = ""
	host := m.oldC.Instance().Host
	var ae *api.Error
	if outcome.Decide(journal.OpMove, err) == outcome.Failed && errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusBadRequest:
			m.mark(StepRequest, journal.StatusRetry, "refused: wrong password")
			return fmt.Errorf("%s refused the password; nothing was moved", host)
		case http.StatusUnprocessableEntity:
			m.mark(StepRequest, journal.StatusRetry, "refused: "+ae.Message)
			return fmt.Errorf("%s refused the move: %s (if %s's alias was only just set, %s may still have an older copy of it: wait a few minutes and run the same command again; a move within 7 days of the last one is refused too)",
				host, ae.Message, newName, host)
		}
	}
	if err != nil {
		return fmt.Errorf("moving %s: %w", oldName, err)
	}
	m.report(StepRequest, "done", fmt.Sprintf("%s accepted the move to %s", host, newName))
	return m.mark(StepRequest, journal.StatusDone, "accepted")
}

// moved waits, within Wait, until OLD's `moved` points at NEW.
func (m *Move) moved(ctx context.Context) error {
	oldName, newName := m.res.From, m.res.To
	clock := m.env.Clock
	start := clock.Now()
	for {
		a, err := m.oldAccount(ctx)
		if err != nil {
			return err
		}
		moved, toNew, where := m.movedTo(a)
		if moved && !toNew {
			return fmt.Errorf("%s has moved to %s, not %s", oldName, where, newName)
		}
		if moved {
			if !m.done(StepRequest) {
				m.report(StepRequest, "done", "the move was made")
				if err := m.mark(StepRequest, journal.StatusDone, "made"); err != nil {
					return err
				}
			}
			m.report(StepMoved, "done", fmt.Sprintf("%s shows the move to %s", oldName, newName))
			return m.mark(StepMoved, journal.StatusDone, "")
		}
		waited := clock.Now().Sub(start)
		if m.cfg.DryRun || waited >= m.cfg.Wait {
			m.report(StepMoved, "waiting", oldName+" does not show a move yet")
			if m.cfg.DryRun {
				return nil
			}
			if err := m.mark(StepMoved, journal.StatusRetry, "not shown yet"); err != nil {
				return err
			}
			return &WaitError{fmt.Sprintf("%s does not show the move after %s; once it is made, run the same command again (it continues here)", oldName, m.cfg.Wait)}
		}
		next := min(m.cfg.Poll, m.cfg.Wait-waited)
		m.p.Notify(migrate.Event{Kind: migrate.EventWait, Phase: migrate.PhaseMove, Item: StepMoved, Until: clock.Now().Add(next),
			Message: fmt.Sprintf("Waiting for %s to show the move (%s of %s)…", oldName, waited.Round(time.Second), m.cfg.Wait)})
		if err := clock.Sleep(ctx, next); err != nil {
			return err
		}
	}
}

// followers counts NEW's followers against OLD's before the move: once,
// or with Check and Every until they match or For is spent.
func (m *Move) followers(ctx context.Context, check bool) error {
	oldName, newName := m.res.From, m.res.To
	clock := m.env.Clock
	start := clock.Now()
	limit := m.cfg.For
	if limit == 0 {
		limit = 24 * time.Hour
	}
	for {
		me, err := m.newC.Me(ctx)
		if err != nil {
			return fmt.Errorf("reading %s: %w", newName, err)
		}
		info := &m.res.Accounts
		info.NewFollowers = me.FollowersCnt
		detail := fmt.Sprintf("%s has %d followers; %s had %d before the move", newName, me.FollowersCnt, oldName, info.OldFollowers)
		state := "waiting"
		if me.FollowersCnt >= info.OldFollowers {
			state = "done"
		}
		if m.done(StepMoved) || m.cfg.DryRun {
			if err := m.mark(StepFollowers, journal.StatusDone, fmt.Sprintf("%d of %d", me.FollowersCnt, info.OldFollowers)); err != nil {
				return err
			}
		}
		if !check || m.cfg.Every == 0 || state == "done" || clock.Now().Sub(start)+m.cfg.Every > limit {
			m.report(StepFollowers, state, detail)
			if state != "done" && m.done(StepMoved) && !check {
				m.say("Remote servers move followers over minutes to days. Count again with:\nmastomigrate move --from %s --to %s --check --every 1h --for 24h", oldName, newName)
			}
			return nil
		}
		m.p.Notify(migrate.Event{Kind: migrate.EventWait, Phase: migrate.PhaseMove, Item: StepFollowers, Until: clock.Now().Add(m.cfg.Every),
			Message: fmt.Sprintf("%s; next count in %s", detail, m.cfg.Every)})
		if err := clock.Sleep(ctx, m.cfg.Every); err != nil {
			return err
		}
	}
}
