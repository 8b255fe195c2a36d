package main

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/migrate"
)

type reportOptions struct {
	F       *factory
	Journal string
	JSON    bool
	CSVDir  string
}

func newReportCmd(f *factory) *cobra.Command {
	opts := &reportOptions{F: f}
	cmd := &cobra.Command{
		Use:   "report [--json] [--csv <dir>]",
		Short: "Show what did not make it, and why",
		Long: `Show the items of the most recent migration that were not carried over:
not found, refused, failed, or still waiting, each with its reason.

--csv writes them as Mastodon's own CSV files (following_accounts.csv,
lists.csv, blocked_accounts.csv, muted_accounts.csv, blocked_domains.csv,
bookmarks.csv) so they can be retried later with mastomigrate, or through
Preferences > Import and export > Import on the new instance.`,
		Example: `  $ mastomigrate report
  $ mastomigrate report --csv leftovers/`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runReport(opts) },
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.Flags().StringVar(&opts.CSVDir, "csv", "", "write what did not make it as Mastodon CSV files into `dir`")
	cmd.Flags().StringVar(&opts.Journal, "journal", "", "report on this journal `file` rather than the most recent")
	return cmd
}

func runReport(opts *reportOptions) error {
	f := opts.F
	path := opts.Journal
	if path == "" {
		paths, err := f.journals()
		if err != nil {
			return err
		}
		if len(paths) == 0 {
			return fmt.Errorf("no migration yet: run `mastomigrate migrate` first")
		}
		path = paths[0]
	}
	rep, err := migrate.LoadReport(path)
	if err != nil {
		return err
	}
	if opts.CSVDir != "" {
		if err := rep.WriteCSVs(opts.CSVDir); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "✓ Wrote what did not make it to %s\n", opts.CSVDir)
	}
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"account": rep.Account, "items": rep.Items})
	}
	if !rep.Finished {
		fmt.Fprintf(f.IO.Out, "The migration to %s is not finished: %s still to do; continue with: %s\n",
			rep.Account, plural(rep.Todo, "item"), rep.Resume)
	}
	if len(rep.Items) == 0 {
		if rep.Finished {
			fmt.Fprintf(f.IO.Out, "Everything was carried over to %s.\n", rep.Account)
		}
		return nil
	}
	fmt.Fprintf(f.IO.Out, "Not carried over (yet) to %s (%d):\n", rep.Account, len(rep.Items))
	for _, it := range rep.Items {
		what := strings.ReplaceAll(it.Category, "_", " ")
		if it.List != "" {
			what += " (" + it.List + ")"
		}
		reason := it.Reason
		if it.Until != nil {
			reason += ", until " + it.Until.UTC().Format("2006-01-02 15:04 MST")
		}
		fmt.Fprintf(f.IO.Out, "  %-8s %s %s: %s\n", it.Status, what, it.Item, reason)
	}
	return nil
}
