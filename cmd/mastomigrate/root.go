package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
)

// Exit codes. 75 is EX_TEMPFAIL from sysexits.h: try again later.
const (
	exitOK        = 0
	exitError     = 1
	exitUsage     = 2
	exitTempFail  = 75
	exitCancelled = 130
)

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
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &flagError{err} })
	root.AddCommand(newPlanCmd(f, nil), newVersionCmd(s), newLoginCmd(f), newLogoutCmd(f), newWhoamiCmd(f), newMigrateCmd(f),
		newResumeCmd(f), newStatusCmd(f), newReportCmd(f))
	root.AddCommand(newMoveCmd(f, nil))
	return root
}

// run executes one command line and returns the process exit code. Errors
// are printed once, on one line, here.
func run(ctx context.Context, args []string, f *factory) int {
	s := f.IO
	root := newRootCmd(f)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(s.ErrOut, "mastomigrate: %s\n", oneLine(err.Error()))
	var fe *flagError
	var de *deferredError
	var mw *moveWaitError
	switch {
	case errors.As(err, &de) || errors.As(err, &mw):
		return exitTempFail
	case errors.As(err, &fe) || isCobraUsageError(err):
		fmt.Fprintf(s.ErrOut, "Run 'mastomigrate --help' for usage.\n")
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitCancelled
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
