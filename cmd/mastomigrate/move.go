package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// fromTokenEnv is the old account's token for scripts, as tokenEnv is the
// new one's.
const fromTokenEnv = "MASTOMIGRATE_FROM_TOKEN"

type moveOptions struct {
	F        *factory
	From, To string
	DryRun   bool
	Yes      bool
	Force    bool
	JSON     bool
	Check    bool
	Wait     time.Duration // how long to wait for the old account to show the move
	Poll     time.Duration // between two looks at it
	Every    time.Duration // --check: between two followers counts
	For      time.Duration // --check: how long to keep counting
	// ReadPassword reads the old account's password without echo.
	ReadPassword func(ctx context.Context, prompt string) (string, error)
	// afterStep runs after each step is journaled (tests stop there, as a
	// kill would).
	afterStep func(step string) error
}

func newMoveCmd(f *factory, runF func(*moveOptions) error) *cobra.Command {
	opts := &moveOptions{F: f, ReadPassword: terminalPassword(f)}
	cmd := &cobra.Command{
		Use:   "move --from <old-account> --to <new-account> [--dry-run] [--check [--every <duration> --for <duration>]]",
		Short: "Move your followers: the alias, the move, and checks before and after",
		Long: `Move your followers from the old account to the new one, the only way
followers come over, and check each step:

1. the migration to the new account is finished (after the move the old
   account's follows may no longer be readable);
2. the new account lists the old one as an alias: set by mastomigrate on
   GoToSocial, on the web on Mastodon (mastomigrate says where and checks
   the new account's public actor);
3. the move on the old account: on GoToSocial after you type the old
   account's handle and its password (hidden, never stored); on Mastodon on
   the web (mastomigrate says where);
4. the old account shows the move, then the new account's followers are
   counted against the old one's. Remote servers move followers over
   minutes to days: count again with --check.

Each step is journaled: running the command again continues at the first
step not done. Nothing is written to the old account but the move itself.
The old account's token comes from its login or MASTOMIGRATE_FROM_TOKEN,
the new one's from its login or MASTOMIGRATE_TOKEN.`,
		Example: `  $ mastomigrate move --from me@old.example --to me@new.example --dry-run
  $ mastomigrate move --from me@old.example --to me@new.example
  $ mastomigrate move --from me@old.example --to me@new.example --check --every 1h --for 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, h := range []struct{ flag, v string }{{"--from", opts.From}, {"--to", opts.To}} {
				user, domain, ok := strings.Cut(strings.TrimPrefix(h.v, "@"), "@")
				if !ok || user == "" || domain == "" || strings.Contains(h.v, "/") {
					return &flagError{fmt.Errorf("`%s` needs an account's handle (user@domain), not %q", h.flag, h.v)}
				}
			}
			if strings.EqualFold(strings.TrimPrefix(opts.From, "@"), strings.TrimPrefix(opts.To, "@")) {
				return &flagError{errors.New("`--from` and `--to` name the same account")}
			}
			if (opts.Every > 0 || opts.For > 0) && !opts.Check {
				return &flagError{errors.New("`--every` and `--for` go with `--check`")}
			}
			if opts.Wait <= 0 || opts.Poll <= 0 || opts.Every < 0 || opts.For < 0 {
				return &flagError{errors.New("durations must be positive")}
			}
			if runF != nil {
				return runF(opts)
			}
			return runMove(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.From, "from", "", "the old account's `handle` (user@domain)")
	fl.StringVar(&opts.To, "to", "", "the new account's `handle` (user@domain)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "show every check, change nothing")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask before setting the alias (the move always asks)")
	fl.BoolVar(&opts.Force, "force", false, "move even though the migration to the new account is not finished")
	fl.BoolVar(&opts.JSON, "json", false, "print the checks as JSON")
	fl.BoolVar(&opts.Check, "check", false, "only count the new account's followers against the old one's")
	fl.DurationVar(&opts.Every, "every", 0, "with --check: count again after this `duration`")
	fl.DurationVar(&opts.For, "for", 0, "with --check --every: stop after this `duration` (default 24h)")
	fl.DurationVar(&opts.Wait, "wait", 15*time.Minute, "how long to wait for the old account to show the move")
	fl.DurationVar(&opts.Poll, "poll", 10*time.Second, "how often to look at the old account while waiting")
	fl.MarkHidden("poll")
	return cmd
}

// terminalPassword reads a password from the terminal without echo. A
// Ctrl-C meanwhile cancels ctx: the terminal's echo is restored at once,
// before main's second Ctrl-C could exit with it still off.
func terminalPassword(f *factory) func(context.Context, string) (string, error) {
	return func(ctx context.Context, prompt string) (string, error) {
		if !f.IO.InTTY || f.IO.In != os.Stdin {
			return "", errors.New("the password can only be typed at a terminal")
		}
		fd := int(os.Stdin.Fd())
		state, err := term.GetState(fd)
		if err != nil {
			return "", err
		}
		fmt.Fprint(f.IO.ErrOut, prompt)
		type result struct {
			b   []byte
			err error
		}
		done := make(chan result, 1)
		go func() {
			b, err := term.ReadPassword(fd)
			done <- result{b, err}
		}()
		select {
		case r := <-done:
			fmt.Fprintln(f.IO.ErrOut)
			return string(r.b), r.err
		case <-ctx.Done():
			term.Restore(fd, state)
			fmt.Fprintln(f.IO.ErrOut)
			return "", ctx.Err()
		}
	}
}

// moveWaitError ends a run that must wait for something outside it (the
// old account to show the move, the alias on the web): exit status 75.
type moveWaitError struct{ msg string }

func (e *moveWaitError) Error() string { return e.msg }

// moveCheck is one check's outcome, as printed.
type moveCheck struct {
	Step   string `json:"step"`
	State  string `json:"state"` // done, already, found, missing, cannot_check, would, waiting, not_finished
	Detail string `json:"detail"`
}

// mover runs one move: the two clients, the journal, what it printed.
type mover struct {
	f        *factory
	opts     *moveOptions
	oldC     *api.Client
	newC     *api.Client
	oldName  string // handles
	newName  string
	public   *http.Client // without tokens: WebFinger and actors
	j        *migrate.MoveJournal
	info     migrate.MoveInfo
	checks   []moveCheck
	in       *bufio.Reader
	oldIsGTS bool
	newIsGTS bool
}

func runMove(ctx context.Context, opts *moveOptions) (err error) {
	f := opts.F
	m := &mover{f: f, opts: opts, in: bufio.NewReader(f.IO.In),
		public: &http.Client{Transport: f.Transport, Timeout: time.Minute}}
	if m.newC, m.newName, err = f.clientEnv(tokenEnv, opts.To); err != nil {
		return err
	}
	if m.oldC, m.oldName, err = f.clientEnv(fromTokenEnv, opts.From); err != nil {
		return err
	}
	m.oldName, m.newName = handle(opts.From, m.oldName), handle(opts.To, m.newName)
	dir, err := f.StateDir()
	if err != nil {
		return err
	}
	path := migrate.MoveJournalPath(dir, m.oldName, m.newName)
	if opts.DryRun {
		if _, serr := os.Stat(path); serr == nil {
			if m.j, err = migrate.LoadMoveJournal(path); err != nil {
				return err
			}
		}
	} else {
		if m.j, err = migrate.OpenMoveJournal(path, m.oldName, m.newName, f.Clock.Now()); err != nil {
			return err
		}
		defer m.j.Close()
	}
	if m.j != nil {
		m.info = m.j.Info()
	}
	m.newIsGTS = m.newC.Server(ctx).Software == "gotosocial"
	m.oldIsGTS = m.oldC.Server(ctx).Software == "gotosocial"
	defer func() {
		if opts.JSON {
			enc := json.NewEncoder(f.IO.Out)
			enc.SetIndent("", "  ")
			enc.Encode(struct {
				From     string           `json:"from"`
				To       string           `json:"to"`
				DryRun   bool             `json:"dry_run"`
				Checks   []moveCheck      `json:"checks"`
				Accounts migrate.MoveInfo `json:"accounts"`
			}{m.oldName, m.newName, opts.DryRun, m.checks, m.info})
		}
	}()

	if opts.Check {
		if !m.done(migrate.MoveMoved) {
			return &flagError{fmt.Errorf("the move from %s to %s is not done yet: run `mastomigrate move --from %s --to %s` first", m.oldName, m.newName, m.oldName, m.newName)}
		}
		return m.followers(ctx, true)
	}
	steps := []func(context.Context) error{m.ready, m.alias, m.move, m.moved}
	for i, id := range migrate.MoveSteps {
		if m.done(id) {
			m.report(id, "done", "done in an earlier run")
			continue
		}
		if err := steps[i](ctx); err != nil {
			return err
		}
		if opts.afterStep != nil && !opts.DryRun {
			if err := opts.afterStep(id); err != nil {
				return err
			}
		}
	}
	return m.followers(ctx, false)
}

// handle is the account's handle: the login's, or as typed.
func handle(typed, name string) string {
	if strings.Contains(name, "@") && !strings.Contains(name, "://") {
		return strings.ToLower(strings.TrimPrefix(name, "@"))
	}
	return strings.ToLower(strings.TrimPrefix(typed, "@"))
}

func (m *mover) done(step string) bool { return m.j != nil && m.j.Done(step) }

// mark journals a step (not on a dry run) with the current info.
func (m *mover) mark(step string, st migrate.Status, reason string) error {
	if m.opts.DryRun || m.j == nil {
		return nil
	}
	info := m.info
	return m.j.Mark(step, st, reason, &info, m.f.Clock.Now())
}

// report prints a check on stdout (unless --json) and keeps it.
func (m *mover) report(step, state, detail string) {
	m.checks = append(m.checks, moveCheck{Step: step, State: state, Detail: detail})
	if m.opts.JSON {
		return
	}
	mark := map[string]string{"done": "✓", "already": "✓", "found": "✓", "missing": "✗", "cannot_check": "?",
		"would": "·", "waiting": "…", "not_finished": "!"}[state]
	if mark == "" {
		mark = "·"
	}
	fmt.Fprintf(m.f.IO.Out, "%s %s: %s\n", mark, migrate.MoveStepName(step), detail)
}

// say prints guidance on stdout (unless --json).
func (m *mover) say(format string, a ...any) {
	if !m.opts.JSON {
		fmt.Fprintf(m.f.IO.Out, format, a...)
	}
}

func webURL(c *api.Client, path string) string { return c.Instance().JoinPath(path).String() }

// ready checks that the migration to NEW is finished, and learns what
// later steps need while the old account can still be read.
func (m *mover) ready(ctx context.Context) error {
	dir, err := m.f.StateDir()
	if err != nil {
		return err
	}
	mc, err := migrate.CheckMigration(dir, m.newName, m.opts.To)
	if err != nil {
		return err
	}
	if mc.Finished {
		m.report(migrate.MoveReady, "done", "the migration to "+m.newName+" is finished")
	} else {
		m.report(migrate.MoveReady, "not_finished", "the migration to "+m.newName+" is not finished")
		for _, l := range mc.Summary() {
			m.say("    %s\n", l)
		}
		m.say("  Moving now would lose them: once %s has moved, its token may stop working and its follows can no longer be read.\n", m.oldName)
		if mc.Resume != "" {
			m.say("  Finish first with: %s\n", mc.Resume)
		}
		if !m.opts.Force && !m.opts.DryRun {
			return fmt.Errorf("the migration to %s is not finished: finish it first, or move anyway with `--force`", m.newName)
		}
	}
	newMe, err := m.newC.Me(ctx)
	if err != nil {
		return fmt.Errorf("reading %s: %w", m.newName, err)
	}
	oldMe, err := m.oldC.Me(ctx)
	if errors.Is(err, api.ErrForbidden) {
		// Mastodon refuses a moved account's token: the move was made
		// already. NEW's copy of OLD says where it went and how many
		// followers it has left; its id there is not OLD's own.
		m.say("  %s refuses %s's token (%v): the account may have moved already.\n", m.oldC.Instance().Host, m.oldName, err)
		if oldMe, err = m.newC.Lookup(ctx, m.oldName); err == nil {
			oldMe.ID = ""
		}
	}
	if err != nil {
		return fmt.Errorf("reading %s: %w", m.oldName, err)
	}
	m.info.OldID, m.info.OldFollowers, m.info.NewFollowers = oldMe.ID, oldMe.FollowersCnt, newMe.FollowersCnt
	if m.info.OldURI, err = api.WebFingerSelf(ctx, m.public, m.oldC.Instance(), m.oldName); err != nil {
		return err
	}
	if m.info.NewURI, err = api.WebFingerSelf(ctx, m.public, m.newC.Instance(), m.newName); err != nil {
		return err
	}
	m.info.OldSoftware, m.info.NewSoftware = m.oldC.Server(ctx).Software, m.newC.Server(ctx).Software
	return m.mark(migrate.MoveReady, migrate.StatusDone, "")
}

// alias makes sure NEW lists OLD's actor in alsoKnownAs.
func (m *mover) alias(ctx context.Context) error {
	if m.newIsGTS {
		return m.aliasByAPI(ctx)
	}
	return m.aliasOnWeb(ctx)
}

// aliasByAPI sets the alias on GoToSocial, keeping the aliases already
// there (an empty or partial list replaces them), and reads it back.
func (m *mover) aliasByAPI(ctx context.Context) error {
	have, err := m.newC.Aliases(ctx)
	if err != nil {
		return fmt.Errorf("reading %s's aliases: %w", m.newName, err)
	}
	if slices.Contains(have, m.info.OldURI) {
		m.report(migrate.MoveAlias, "already", fmt.Sprintf("%s already lists %s (%s)", m.newName, m.oldName, m.info.OldURI))
		return m.mark(migrate.MoveAlias, migrate.StatusDone, "already set")
	}
	if m.opts.DryRun {
		m.report(migrate.MoveAlias, "would", fmt.Sprintf("would add %s (%s) to %s's aliases, keeping the %d already there", m.oldName, m.info.OldURI, m.newName, len(have)))
		return nil
	}
	if err := m.ask(fmt.Sprintf("Add %s as an alias of %s (%s)? [y/N] ", m.oldName, m.newName, m.info.OldURI)); err != nil {
		return err
	}
	if err := m.newC.SetAliases(ctx, append(slices.Clone(have), m.info.OldURI)); err != nil {
		return fmt.Errorf("setting the alias on %s: %w", m.newName, err)
	}
	got, err := m.newC.Aliases(ctx)
	if err != nil {
		return fmt.Errorf("reading %s's aliases back: %w", m.newName, err)
	}
	if !slices.Contains(got, m.info.OldURI) {
		return fmt.Errorf("%s accepted the alias but does not list it: %v", m.newName, got)
	}
	m.report(migrate.MoveAlias, "done", fmt.Sprintf("%s now lists %s (%s), checked", m.newName, m.oldName, m.info.OldURI))
	return m.mark(migrate.MoveAlias, migrate.StatusDone, "set and checked")
}

// ask confirms a change: --yes, or y at a terminal.
func (m *mover) ask(prompt string) error {
	if m.opts.Yes {
		return nil
	}
	if !m.f.IO.InTTY {
		return &flagError{errors.New("refusing to change anything without confirmation: run it on a terminal, or add `--yes`")}
	}
	fmt.Fprint(m.f.IO.ErrOut, prompt)
	line, _ := m.in.ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("not confirmed; nothing was changed")
	}
	return nil
}

// aliasOnWeb says where to set the alias on Mastodon, which has no API
// for it, and checks NEW's public actor for OLD in alsoKnownAs.
func (m *mover) aliasOnWeb(ctx context.Context) error {
	page := webURL(m.newC, "/settings/aliases")
	instructions := func() {
		m.say("  On %s, open %s (Settings > Account > Moving from a different account),\n  enter the old account's handle @%s and save.\n", m.newName, page, m.oldName)
	}
	for attempt := 0; ; attempt++ {
		state, detail, err := m.actorCheck(ctx)
		if err != nil {
			return err
		}
		cached := func() {
			m.say("  %s's server may use a copy of %s's profile up to a day old: if the move says the alias is missing, wait and try again.\n", m.oldName, m.newName)
		}
		switch state {
		case "found":
			m.report(migrate.MoveAlias, "found", detail)
			cached()
			return m.mark(migrate.MoveAlias, migrate.StatusDone, "found in the actor")
		case "cannot_check":
			m.report(migrate.MoveAlias, "cannot_check", detail)
			instructions()
			cached()
			if m.opts.DryRun {
				return nil
			}
			if err := m.ask(fmt.Sprintf("Is %s listed as an alias on %s? [y/N] ", m.oldName, m.newName)); err != nil {
				return err
			}
			return m.mark(migrate.MoveAlias, migrate.StatusDone, "not verified: the actor is reduced")
		}
		m.report(migrate.MoveAlias, "missing", detail)
		if attempt == 0 {
			instructions()
		}
		if m.opts.DryRun {
			return nil
		}
		if err := m.mark(migrate.MoveAlias, migrate.StatusRetry, "missing from the actor"); err != nil {
			return err
		}
		if !m.f.IO.InTTY || attempt >= 5 {
			return &moveWaitError{fmt.Sprintf("%s does not list %s as an alias yet: add it at %s, then run the same command again", m.newName, m.oldName, page)}
		}
		fmt.Fprint(m.f.IO.ErrOut, "Press Enter once it is saved (Ctrl-C to stop): ")
		if _, err := m.in.ReadString('\n'); err != nil {
			return &moveWaitError{fmt.Sprintf("%s does not list %s as an alias yet: add it at %s, then run the same command again", m.newName, m.oldName, page)}
		}
	}
}

// actorCheck reads NEW's actor as other servers see it: found, missing,
// or cannot_check (a reduced actor under authorized fetch).
func (m *mover) actorCheck(ctx context.Context) (state, detail string, err error) {
	a, err := api.FetchActor(ctx, m.public, m.info.NewURI)
	if err != nil {
		return "", "", err
	}
	switch {
	case slices.Contains(a.AlsoKnownAs, m.info.OldURI):
		return "found", fmt.Sprintf("%s's actor lists %s (%s) in alsoKnownAs", m.newName, m.oldName, m.info.OldURI), nil
	case a.Reduced:
		return "cannot_check", fmt.Sprintf("cannot check: %s's server shows only a reduced actor to unsigned requests (authorized fetch), without its aliases", m.newName), nil
	}
	return "missing", fmt.Sprintf("%s's actor does not list %s (%s) in alsoKnownAs", m.newName, m.oldName, m.info.OldURI), nil
}

// oldAccount reads OLD as it stands: by id with its own token (GoToSocial
// allows that after the move), or else NEW's copy of it, which the Move
// activity updates.
func (m *mover) oldAccount(ctx context.Context) (*api.Account, error) {
	var a *api.Account
	var err error
	c := m.oldC
	if m.info.OldID != "" {
		a, err = c.Account(ctx, m.info.OldID)
	} else {
		a, err = c.Me(ctx)
	}
	if errors.Is(err, api.ErrForbidden) || errors.Is(err, api.ErrUnauthorized) {
		c = m.newC
		a, err = c.Lookup(ctx, m.oldName)
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", m.oldName, err)
	}
	if a.Moved != nil {
		a.Moved.Acct = c.FullAcct(a.Moved) // local to the server that answered
	}
	return a, nil
}

// movedTo says whether a (from oldAccount) shows a move, and whether it
// is to NEW.
func (m *mover) movedTo(a *api.Account) (moved, toNew bool, where string) {
	if a.Moved == nil {
		return false, false, ""
	}
	t := a.Moved
	where = t.Acct
	toNew = strings.EqualFold(where, m.newName) || (t.URI != "" && t.URI == m.info.NewURI)
	return true, toNew, where
}

// move makes the move on OLD: by API on GoToSocial, after the handle and
// the password are typed; on the web on Mastodon.
func (m *mover) move(ctx context.Context) error {
	a, err := m.oldAccount(ctx)
	if err != nil {
		return err
	}
	if moved, toNew, where := m.movedTo(a); moved {
		if !toNew {
			return fmt.Errorf("%s has already moved to %s, not %s", m.oldName, where, m.newName)
		}
		m.report(migrate.MoveRequest, "already", m.oldName+" has already moved to "+m.newName)
		return m.mark(migrate.MoveRequest, migrate.StatusDone, "already moved")
	}
	if !m.oldIsGTS {
		page := webURL(m.oldC, "/settings/migration")
		m.report(migrate.MoveRequest, "would", "start the move on the web")
		m.say("  On %s, open %s (Settings > Account > Moving to a different account),\n  enter the new account's handle @%s and %s's current password.\n", m.oldName, page, m.newName, m.oldName)
		m.say("  Mastodon allows one move every 30 days. Your posts stay on %s; your followers follow %s on their own.\n", m.oldName, m.newName)
		// Done when OLD shows the move: the next step waits for it.
		return nil
	}
	m.say("  GoToSocial allows one move every 7 days. After it, %s's token still reads the account,\n  but lookups, searches and every change are refused there.\n", m.oldName)
	if m.opts.DryRun {
		m.report(migrate.MoveRequest, "would", fmt.Sprintf("would move %s to %s (%s) after you type its handle and password", m.oldName, m.newName, m.info.NewURI))
		return nil
	}
	if !m.f.IO.InTTY {
		return &flagError{fmt.Errorf("the move needs %s's handle and password typed at a terminal; run it on a terminal", m.oldName)}
	}
	fmt.Fprintf(m.f.IO.ErrOut, "To move %s to %s, type the old account's handle (%s): ", m.oldName, m.newName, m.oldName)
	line, _ := m.in.ReadString('\n')
	if !strings.EqualFold(strings.TrimPrefix(strings.TrimSpace(line), "@"), m.oldName) {
		return errors.New("the handle does not match; nothing was moved")
	}
	password, err := m.opts.ReadPassword(ctx, fmt.Sprintf("Password of %s (not shown): ", m.oldName))
	if err != nil {
		return fmt.Errorf("reading the password: %w", err)
	}
	if password == "" {
		return errors.New("no password given; nothing was moved")
	}
	if err := m.mark(migrate.MoveRequest, migrate.StatusStarted, ""); err != nil {
		return err
	}
	err = m.oldC.Move(ctx, password, m.info.NewURI)
	password = ""
	var ae *api.Error
	if errors.As(err, &ae) {
		switch ae.Status {
		case http.StatusBadRequest:
			m.mark(migrate.MoveRequest, migrate.StatusRetry, "refused: wrong password")
			return fmt.Errorf("%s refused the password; nothing was moved", m.oldC.Instance().Host)
		case http.StatusUnprocessableEntity:
			m.mark(migrate.MoveRequest, migrate.StatusRetry, "refused: "+ae.Message)
			return fmt.Errorf("%s refused the move: %s (if %s's alias was only just set, %s may still have an older copy of it: wait a few minutes and run the same command again; a move within 7 days of the last one is refused too)",
				m.oldC.Instance().Host, ae.Message, m.newName, m.oldC.Instance().Host)
		}
	}
	if err != nil {
		return fmt.Errorf("moving %s: %w", m.oldName, err)
	}
	m.report(migrate.MoveRequest, "done", fmt.Sprintf("%s accepted the move to %s", m.oldC.Instance().Host, m.newName))
	return m.mark(migrate.MoveRequest, migrate.StatusDone, "accepted")
}

// moved waits, within --wait, until OLD's `moved` points at NEW.
func (m *mover) moved(ctx context.Context) error {
	clock := m.f.Clock
	start := clock.Now()
	for n := 0; ; n++ {
		a, err := m.oldAccount(ctx)
		if err != nil {
			return err
		}
		moved, toNew, where := m.movedTo(a)
		if moved && !toNew {
			return fmt.Errorf("%s has moved to %s, not %s", m.oldName, where, m.newName)
		}
		if moved {
			if n > 0 && m.f.IO.ErrTTY {
				fmt.Fprintln(m.f.IO.ErrOut)
			}
			if !m.done(migrate.MoveRequest) {
				m.report(migrate.MoveRequest, "done", "the move was made")
				if err := m.mark(migrate.MoveRequest, migrate.StatusDone, "made"); err != nil {
					return err
				}
			}
			m.report(migrate.MoveMoved, "done", fmt.Sprintf("%s shows the move to %s", m.oldName, m.newName))
			return m.mark(migrate.MoveMoved, migrate.StatusDone, "")
		}
		waited := clock.Now().Sub(start)
		if m.opts.DryRun || waited >= m.opts.Wait {
			if n > 0 && m.f.IO.ErrTTY {
				fmt.Fprintln(m.f.IO.ErrOut)
			}
			m.report(migrate.MoveMoved, "waiting", m.oldName+" does not show a move yet")
			if m.opts.DryRun {
				return nil
			}
			if err := m.mark(migrate.MoveMoved, migrate.StatusRetry, "not shown yet"); err != nil {
				return err
			}
			return &moveWaitError{fmt.Sprintf("%s does not show the move after %s; once it is made, run the same command again (it continues here)", m.oldName, m.opts.Wait)}
		}
		if m.f.IO.ErrTTY {
			fmt.Fprintf(m.f.IO.ErrOut, "\r\033[KWaiting for %s to show the move (%s of %s)…", m.oldName, waited.Round(time.Second), m.opts.Wait)
		} else {
			fmt.Fprintf(m.f.IO.ErrOut, "Waiting for %s to show the move (%s of %s)…\n", m.oldName, waited.Round(time.Second), m.opts.Wait)
		}
		if err := clock.Sleep(ctx, min(m.opts.Poll, m.opts.Wait-waited)); err != nil {
			return err
		}
	}
}

// followers counts NEW's followers against OLD's before the move: once,
// or with --check --every until they match or --for is spent.
func (m *mover) followers(ctx context.Context, check bool) error {
	clock := m.f.Clock
	start := clock.Now()
	limit := m.opts.For
	if limit == 0 {
		limit = 24 * time.Hour
	}
	for {
		me, err := m.newC.Me(ctx)
		if err != nil {
			return fmt.Errorf("reading %s: %w", m.newName, err)
		}
		m.info.NewFollowers = me.FollowersCnt
		detail := fmt.Sprintf("%s has %d followers; %s had %d before the move", m.newName, me.FollowersCnt, m.oldName, m.info.OldFollowers)
		state := "waiting"
		if me.FollowersCnt >= m.info.OldFollowers {
			state = "done"
		}
		if m.done(migrate.MoveMoved) || m.opts.DryRun {
			if err := m.mark(migrate.MoveFollowers, migrate.StatusDone, fmt.Sprintf("%d of %d", me.FollowersCnt, m.info.OldFollowers)); err != nil {
				return err
			}
		}
		if !check || m.opts.Every == 0 || state == "done" || clock.Now().Sub(start)+m.opts.Every > limit {
			m.report(migrate.MoveFollowers, state, detail)
			if state != "done" && m.done(migrate.MoveMoved) && !check {
				m.say("  Remote servers move followers over minutes to days. Count again with:\n  mastomigrate move --from %s --to %s --check --every 1h --for 24h\n", m.oldName, m.newName)
			}
			return nil
		}
		fmt.Fprintf(m.f.IO.ErrOut, "%s  %s; next count in %s\n", clock.Now().Local().Format("15:04"), detail, m.opts.Every)
		if err := clock.Sleep(ctx, m.opts.Every); err != nil {
			return err
		}
	}
}

// statusMoves lists the moves' journals for `status`, after lead; it
// returns how many.
func statusMoves(f *factory, w io.Writer, lead string) (int, error) {
	dir, err := f.StateDir()
	if err != nil {
		return 0, err
	}
	paths, err := migrate.MoveJournals(dir)
	if err != nil || len(paths) == 0 {
		return 0, err
	}
	fmt.Fprint(w, lead)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MOVE FROM\tTO\tSTATE")
	for _, p := range paths {
		j, err := migrate.LoadMoveJournal(p)
		if err != nil {
			fmt.Fprintf(tw, "%s\t\tdamaged: %v\n", p, err)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", j.Header.From, j.Header.Account, j.State())
	}
	return len(paths), tw.Flush()
}
