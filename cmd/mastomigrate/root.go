package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/move"
)

// Exit codes. 75 is EX_TEMPFAIL from sysexits.h: try again later.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitTempFail  = 75
	exitCancelled = 130
)

// uiHint is the root help's last line.
const uiHint = "\nNo terminal needed: 'mastomigrate ui' does the whole migration in your browser."

// flagError is a mistake in how the command was called; usage is shown.
type flagError struct{ err error }

func (e *flagError) Error() string { return e.err.Error() }
func (e *flagError) Unwrap() error { return e.err }

func newRootCmd(f *factory) *cobra.Command {
	s := f.IO
	root := &cobra.Command{
		Use:   "mastomigrate <command> [flags]",
		Short: "Move a Mastodon account's follows, lists, blocks and mutes to a new instance",
		Long: `mastomigrate reads the exports you downloaded from your old Mastodon
instance (the archive, the CSV files, or a JSON export ZIP), shows what can
and cannot be carried over, and replays the rest on your new account.`,
		Example: `  $ mastomigrate plan archive-20261101.zip following_accounts.csv lists.csv
  $ mastomigrate plan --json export/ | jq .importable`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       versionString(),
		PersistentPreRun: func(cmd *cobra.Command, args []string) {
			// Only these have requests in flight to finish on Ctrl-C.
			to := cmd.Flags().Lookup("to")
			f.sending.Store(cmd.Name() == "migrate" || cmd.Name() == "resume" || (cmd.Name() == "plan" && to != nil && to.Value.String() != ""))
		},
	}
	root.SetVersionTemplate("mastomigrate {{.Version}}\n")
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &flagError{err} })
	// The root's help (also what no arguments show) ends pointing those
	// who would rather not use a terminal to the page.
	help := root.HelpFunc()
	root.SetHelpFunc(func(c *cobra.Command, args []string) {
		help(c, args)
		if c == root {
			fmt.Fprintln(c.OutOrStdout(), uiHint)
		}
	})
	root.AddCommand(newPlanCmd(f, nil), newVersionCmd(s), newLoginCmd(f), newLogoutCmd(f), newWhoamiCmd(f), newMigrateCmd(f),
		newResumeCmd(f), newStatusCmd(f), newReportCmd(f), newCompletionCmd(s), newMoveCmd(f, nil))
	root.AddCommand(newExportCSVCmd(f)) // issue 11: the fast lane for Mastodon
	root.AddCommand(newUICmd(f))        // issue 17: the same engine in the browser
	for _, c := range root.Commands() {
		if c.Name() == "status" && c.Example == "" {
			c.Example = "  $ mastomigrate status"
		}
		registerCompletions(c, f)
	}
	return root
}

// run executes one command line and returns the process exit code. Errors
// are printed once, on one line, here.
func run(ctx context.Context, args []string, f *factory) int {
	s := f.IO
	root := newRootCmd(f)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if errors.Is(err, context.Canceled) {
		// Ctrl-C: whatever has more to say (migrate's command to continue)
		// has said it; "context canceled" tells a person nothing.
		return exitCancelled
	}
	if re := unreachable("", err); re != nil {
		err = re
	}
	fmt.Fprintf(s.ErrOut, "mastomigrate: %s\n", oneLine(err.Error()))
	var fe *flagError
	var de *migrate.DeferredError
	var mw *move.WaitError
	var re *migrate.RetryError
	switch {
	case errors.As(err, &de) || errors.As(err, &mw) || errors.As(err, &re) || errors.As(err, new(*appLimitError)):
		return exitTempFail
	case errors.As(err, &fe) || isCobraUsageError(err):
		help := "mastomigrate --help"
		if cmd != nil && cmd != root {
			help = cmd.CommandPath() + " --help"
		}
		fmt.Fprintf(s.ErrOut, "Run '%s' for usage.\n", help)
		return exitUsage
	case errors.As(err, new(*envTokenError)): // says it already
	case errors.Is(err, api.ErrUnauthorized) && f.Getenv(tokenEnv) != "":
		fmt.Fprintf(s.ErrOut, "The instance refused the token in %s.\n", tokenEnv)
	case errors.Is(err, api.ErrUnauthorized):
		fmt.Fprintf(s.ErrOut, "The instance refused the token: run `mastomigrate login <instance>` again.\n")
	}
	return exitError
}

// isCobraUsageError recognises cobra's own argument errors, which it
// returns as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command") || strings.HasPrefix(msg, "requires at least") ||
		strings.HasPrefix(msg, "accepts ") || strings.HasPrefix(msg, "unknown flag") || strings.HasPrefix(msg, "unknown shorthand flag")
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
