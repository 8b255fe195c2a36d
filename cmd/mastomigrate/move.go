package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/mastomigrate/mastomigrate/migrate/move"
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
the new one's from its login or MASTOMIGRATE_TOKEN; with a token in the
environment, an account may be named by its instance's address.`,
		Example: `  $ mastomigrate move --from me@old.example --to me@new.example --dry-run
  $ mastomigrate move --from me@old.example --to me@new.example
  $ mastomigrate move --from me@old.example --to me@new.example --check --every 1h --for 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, h := range []struct{ flag, v string }{{"--from", opts.From}, {"--to", opts.To}} {
				if strings.TrimSpace(h.v) == "" {
					return &flagError{fmt.Errorf("`%s` needs an account's handle (user@domain), or its instance's address with a token in %s", h.flag, map[string]string{"--from": fromTokenEnv, "--to": tokenEnv}[h.flag])}
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
	fl.StringVar(&opts.From, "from", "", "the old `account` (user@domain, or its instance's address with MASTOMIGRATE_FROM_TOKEN)")
	fl.StringVar(&opts.To, "to", "", "the new `account` (user@domain, or its instance's address with MASTOMIGRATE_TOKEN)")
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

func runMove(ctx context.Context, opts *moveOptions) error {
	f := opts.F
	env, err := f.env(true)
	if err != nil {
		return err
	}
	m := move.New(move.Config{From: opts.From, To: opts.To, DryRun: opts.DryRun, Check: opts.Check, Yes: opts.Yes,
		Force: opts.Force, Wait: opts.Wait, Poll: opts.Poll, Every: opts.Every, For: opts.For}, env)
	m.AfterStep = opts.afterStep
	t := newTerminal(f)
	t.json, t.readPassword = opts.JSON, opts.ReadPassword
	err = m.Run(ctx, t)
	t.close()
	if opts.JSON && m.Result().From != "" {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		enc.Encode(m.Result())
	}
	return usage(err)
}

// statusMoves lists the moves' journals for `status`, after lead; it
// returns how many.
func statusMoves(f *factory, w io.Writer, lead string) (int, error) {
	dir, err := f.StateDir()
	if err != nil {
		return 0, err
	}
	moves, err := move.Statuses(dir)
	if err != nil || len(moves) == 0 {
		return 0, err
	}
	fmt.Fprint(w, lead)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MOVE FROM\tTO\tSTATE")
	for _, m := range moves {
		if m.Damaged != "" {
			fmt.Fprintf(tw, "%s\t\tdamaged: %v\n", m.Journal, m.Damaged)
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", m.From, m.To, m.State)
	}
	return len(moves), tw.Flush()
}
