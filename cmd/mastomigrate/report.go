package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

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

// leftover is one item that did not make it.
type leftover struct {
	Category string         `json:"category"`
	Item     string         `json:"item"`
	List     string         `json:"list,omitempty"`
	Status   migrate.Status `json:"status"`
	Reason   string         `json:"reason"`
	Until    *time.Time     `json:"until,omitempty"`
	step     *migrate.Step
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
	j, err := migrate.LoadJournal(path)
	if err != nil {
		return err
	}
	var items []leftover
	todo := 0 // what a later run of ours can still do
	for _, r := range j.Steps() {
		status := r.Status
		switch {
		case r.Status == migrate.StatusDone && r.Pending:
			status = "pending" // sent, but a request until accepted
		case r.Status == migrate.StatusDone || r.Step == nil && r.Status != migrate.StatusStarted:
			continue
		}
		switch r.Status {
		case migrate.StatusDeferred, migrate.StatusRetry, migrate.StatusStarted:
			todo++
		}
		it := leftover{Category: r.Category, Status: status, Reason: r.Reason, Until: r.Until, step: r.Step}
		if r.Step != nil {
			it.Item, it.List = r.Step.Item, r.Step.List
		} else {
			it.Item, it.Reason = r.ID, "interrupted: checked on the target by the next run"
		}
		items = append(items, it)
	}
	if opts.CSVDir != "" {
		if err := writeCSVs(opts.CSVDir, items); err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "✓ Wrote what did not make it to %s\n", opts.CSVDir)
	}
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if items == nil {
			items = []leftover{}
		}
		return enc.Encode(map[string]any{"account": j.Header.Account, "items": items})
	}
	if !j.Finished() {
		fmt.Fprintf(f.IO.Out, "The migration to %s is not finished: %s still to do; continue with: %s\n",
			j.Header.Account, plural(todo, "item"), migrate.ResumeCommand(j.Header))
	}
	if len(items) == 0 {
		if j.Finished() {
			fmt.Fprintf(f.IO.Out, "Everything was carried over to %s.\n", j.Header.Account)
		}
		return nil
	}
	fmt.Fprintf(f.IO.Out, "Not carried over (yet) to %s (%d):\n", j.Header.Account, len(items))
	for _, it := range items {
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

// writeCSVs writes leftovers in the shapes of Mastodon's importer
// (app/models/form/import.rb), only the files that have rows; the same
// writer as export-csv (migrate/csvout.go).
func writeCSVs(dir string, items []leftover) error {
	ops := map[string]migrate.Op{"follows": migrate.OpFollow, "mutes": migrate.OpMute, "blocks": migrate.OpBlock,
		"domain_blocks": migrate.OpBlockDomain, "bookmarks": migrate.OpBookmark, "list_members": migrate.OpAddToList}
	var steps []migrate.Step
	for _, it := range items {
		if it.step == nil || it.Status == "pending" {
			continue // in flight when stopped, or sent already
		}
		s := *it.step
		if op, ok := ops[it.Category]; ok {
			s.Op = op
		}
		steps = append(steps, s)
	}
	return migrate.WriteCSVs(dir, migrate.BuildCSVs(steps))
}
