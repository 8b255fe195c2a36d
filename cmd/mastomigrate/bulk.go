package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// bulkLane takes the server's fastest lane before the per-item replay: on
// GoToSocial, follows, blocks and mutes go as one import each
// (migrate/bulk.go); the replay that follows sends only what the imports
// missed. On servers without an import API it does nothing.
func bulkLane(ctx context.Context, f *factory, c *api.Client, me *api.Account, e *archive.Export, j *migrate.Journal, opts *migrateOptions) error {
	caps := c.Server(ctx).Capabilities()
	if opts.NoBulk || !caps.Has("follows", api.LaneImport) {
		return nil
	}
	if opts.Mode == "overwrite" && !opts.Yes {
		// An overwrite import removes what its file lacks, and cannot
		// say how much beforehand: only the per-item path, which counts
		// the removals and has the account name typed, goes without --yes.
		fmt.Fprintf(f.IO.ErrOut, "! Overwrite mode without --yes: sending item by item, so the removals can be shown and confirmed.\n")
		return nil
	}
	b := &migrate.Bulk{Client: c, Journal: j, Clock: f.Clock, Overwrite: opts.Mode == "overwrite",
		Want: func(cat string) bool {
			return (len(opts.Only) == 0 || slices.Contains(opts.Only, cat)) && !slices.Contains(opts.Skip, cat)
		},
		Confirm: func(rows int) error {
			fmt.Fprintf(f.IO.ErrOut, "%s has a bulk import: %s go in one upload each for follows, blocks and mutes.\n", caps.Name, plural(rows, "item"))
			return confirm(f, opts, me.Acct+"@"+c.Domain(ctx), make([]migrate.Step, rows))
		},
		Progress: func(msg string) {
			if strings.HasPrefix(msg, "import: ") {
				if f.IO.ErrTTY {
					fmt.Fprintf(f.IO.ErrOut, "\r\033[K%s", msg)
				}
				return
			}
			if f.IO.ErrTTY {
				fmt.Fprint(f.IO.ErrOut, "\r\033[K")
			}
			fmt.Fprintln(f.IO.ErrOut, msg)
		}}
	_, err := b.Run(ctx, me, e)
	return err
}

// offerFastLane says, on a server whose importer is on the web (Mastodon),
// when the follows would take more than a day by API, and remembers the
// offer in the journal for status.
func offerFastLane(ctx context.Context, f *factory, c *api.Client, j *migrate.Journal, steps []migrate.Step, exports []string, account string) {
	caps := c.Server(ctx).Capabilities()
	est := migrate.EstimateLanes(steps, caps)
	if !est.OfferWebImport {
		return
	}
	fmt.Fprintf(f.IO.ErrOut, "! %s. Faster: mastomigrate export-csv %s --to %s --out DIR, then import the files on the web; the next migrate sends only what the import missed.\n",
		est.Text, strings.Join(exports, " "), account)
	if _, ok := j.Lane(migrate.LaneOfferID); !ok {
		j.RecordLane(migrate.LaneOfferID, migrate.LaneInfo{Status: migrate.LaneOffered, Rows: est.Follows,
			Reason: fmt.Sprintf("export-csv; by API about %s", plural(est.APIDays, "day"))})
	}
}

// laneNote is what status adds about the fast lane: offered (Mastodon's
// web import, by export-csv) or taken (GoToSocial's import).
func laneNote(j *migrate.Journal) string {
	if info, ok := j.Lane(migrate.LaneOfferID); ok {
		return "; fast lane offered (" + info.Reason + ")"
	}
	for _, typ := range []api.ImportType{api.ImportFollowing, api.ImportBlocks, api.ImportMutes} {
		if _, ok := j.Lane("bulk " + string(typ)); ok {
			return "; bulk import used"
		}
	}
	return ""
}

// planLanes is the plan's line comparing the lanes, when the server has
// one faster than the API: "API: 5,000 follows at 400 a day, about 13
// days; web import: minutes".
func planLanes(ctx context.Context, c *api.Client, steps []migrate.Step) string {
	caps := c.Server(ctx).Capabilities()
	est := migrate.EstimateLanes(steps, caps)
	if !est.OfferWebImport && !(caps.Has("follows", api.LaneImport) && est.Follows > 0) {
		return ""
	}
	line := "\nTime by lane (" + caps.Name + "): " + est.Text + "\n"
	if est.OfferWebImport {
		line += "  The web import is the fast lane: mastomigrate export-csv <export>... --to <account> --out <dir>\n"
	}
	return line
}
