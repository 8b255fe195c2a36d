package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/importcsv"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

type exportCSVOptions struct {
	F       *factory
	Exports []string
	To      string
	Out     string
}

func newExportCSVCmd(f *factory) *cobra.Command {
	opts := &exportCSVOptions{F: f}
	cmd := &cobra.Command{
		Use:   "export-csv <export>... --to <account> --out <dir>",
		Short: "Write what is still to do as CSV files for the server's own importer",
		Long: `Compare the exports with the new account (as plan --to does, changing
nothing) and write what it still lacks as Mastodon-format CSV files, for
Mastodon's importer (Settings > Import and export > Import): follows there
skip the API's limit of 400 a day.

The files have the importer's exact headers; accounts are at their new
address when they have moved, each appears once, what the new account
already has is left out, and a file holds at most 20,000 rows and 20 MB
(following_accounts-2.csv and so on after that). The steps to take are
printed. Afterwards, run migrate: it sends only what the import missed.`,
		Example: `  $ mastomigrate export-csv archive.zip following_accounts.csv --to me@new.example --out import/`,
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Exports = args
			if opts.To == "" {
				return &flagError{errors.New("say which account the files are for with `--to user@instance`")}
			}
			if opts.Out == "" {
				return &flagError{errors.New("say where to write the files with `--out <dir>`")}
			}
			return runExportCSV(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.To, "to", "", "the new `account` (user@instance)")
	cmd.Flags().StringVar(&opts.Out, "out", "", "the `dir` to write the CSV files into")
	return cmd
}

// importTypeNames are the import types as Mastodon's form names them
// (config/locales/simple_form.en.yml, imports.types).
var importTypeNames = map[string]string{
	"following": "Following list", "blocking": "Blocking list", "muting": "Muting list",
	"domain_blocking": "Domain blocking list", "bookmarks": "Bookmarks", "lists": "Lists",
}

func runExportCSV(ctx context.Context, opts *exportCSVOptions) error {
	f := opts.F
	set, err := archive.Open(ctx, opts.Exports...)
	if err != nil {
		return err
	}
	set.Close() // only the export is needed
	e := set.Export()
	c, me, account, err := f.target(ctx, opts.To)
	if err != nil {
		return err
	}
	bar := newProgress(f.IO, "resolving accounts")
	r := &migrate.Resolver{Client: c, Workers: 4, Progress: bar.set}
	ch, _, err := migrate.Check(ctx, c, me, e, r, migrate.Options{Now: f.Clock.Now()})
	bar.finish()
	if err != nil {
		return err
	}
	files := importcsv.Build(ch.Steps)
	if len(files) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "✓ %s already has everything the exports hold; no files written.\n", account)
		return nil
	}
	if err := importcsv.Write(opts.Out, files); err != nil {
		return err
	}
	caps := c.Server(ctx).Capabilities()
	w := f.IO.Out
	fmt.Fprintf(w, "Wrote %s to %s. On %s:\n", pluralFiles(len(files)), opts.Out, account)
	if caps.Has(category.Follows, api.LaneWebImport) {
		fmt.Fprintf(w, "open %s (Preferences > Import and export > Import) and upload, one at a time,\nwith \"Merge\" chosen:\n", c.Instance().JoinPath("settings", "imports"))
	} else {
		fmt.Fprintf(w, "this server (%s) has no web importer mastomigrate knows of; the files are for a server that has, or to keep.\n", caps.Name)
	}
	for i, fl := range files {
		fmt.Fprintf(w, "  %d. %s — type %q, %s\n", i+1, filepath.Join(opts.Out, fl.Name), importTypeNames[fl.Kind.Type], plural(fl.Rows, "row"))
	}
	fmt.Fprintf(w, "Mastodon works through imports in the background. Then run:\n  mastomigrate migrate %s --to %s\nto send, by API, only what the import missed.\n",
		migrate.ShellQuoteAll(opts.Exports), migrate.ShellQuote(opts.To))
	recordOffer(f, e, opts.Exports, opts.To, account, files)
	return nil
}

func pluralFiles(n int) string { return plural(n, "file") }

// recordOffer notes in the migration's journal that the fast lane was
// taken up, so status shows it; a journal in use by a run is left alone.
func recordOffer(f *factory, e *archive.Export, exports []string, to, account string, files []importcsv.File) {
	dir, err := f.StateDir()
	if err != nil {
		return
	}
	inputs := make([]string, len(exports))
	for i, in := range exports {
		if inputs[i], err = filepath.Abs(in); err != nil {
			return
		}
	}
	digest := journal.Digest(e)
	j, err := journal.Open(journal.Path(dir, account, digest), journal.Header{Account: account, Digest: digest,
		Inputs: inputs, Options: journal.RunConfig{To: to, Mode: "merge"}, Created: f.Clock.Now().UTC()})
	if err != nil {
		return
	}
	defer j.Close()
	rows := 0
	for _, fl := range files {
		rows += fl.Rows
	}
	j.RecordLane(journal.LaneOfferID, journal.LaneInfo{Status: journal.LaneOffered, Rows: rows,
		Reason: fmt.Sprintf("export-csv wrote %s", pluralFiles(len(files)))})
}
