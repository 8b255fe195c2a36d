package main

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate"
)

type planOptions struct {
	F            *factory
	IO           *streams
	Exports      []string
	JSON         bool
	To           string
	IncludeLikes bool
	Posts        []string // --posts: the visibilities --include posts would carry
	IncludePosts bool
}

func newPlanCmd(f *factory, runF func(context.Context, *planOptions) error) *cobra.Command {
	opts := &planOptions{F: f, IO: f.IO}
	cmd := &cobra.Command{
		Use:   "plan [--json] <export>...",
		Short: "Show what can and cannot be carried to a new account, changing nothing",
		Long: `Read the exports and show, per category, what a migration would carry over,
what cannot be carried over and why, with what you can do instead.

An export is a file or a folder: Mastodon's archive (zip or tar.gz), its CSV
exports (following_accounts.csv, lists.csv, blocked_accounts.csv,
muted_accounts.csv, blocked_domains.csv, bookmarks.csv), or a JSON export
ZIP. Give as many as you have; they are merged.`,
		Example: `  $ mastomigrate plan archive-20261101.zip
  $ mastomigrate plan archive.tar.gz following_accounts.csv lists.csv
  $ mastomigrate plan --json ~/Downloads/export/
  $ mastomigrate plan archive.zip following_accounts.csv --to me@new.example`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &flagError{errors.New("name at least one export file or folder")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Exports = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPlan(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print one JSON object for scripts")
	cmd.Flags().StringVar(&opts.To, "to", "", "also check the new `account` (user@instance): what is already there, what cannot be found (reads only)")
	cmd.Flags().BoolVar(&opts.IncludeLikes, "include-likes", false, "count likes in the check (replaying them notifies their authors)")
	cmd.Flags().StringSliceVar(&opts.Posts, "posts", migrate.DefaultPostVisibilities, "with --to, the `visibilities` of posts to count for --include posts: public, unlisted, private")
	return cmd
}

func runPlan(ctx context.Context, opts *planOptions) error {
	e, err := archive.Read(ctx, opts.Exports...)
	if err != nil {
		return err
	}
	p := migrate.NewPlan(e)
	if opts.To != "" {
		c, _, err := opts.F.client(opts.To)
		if err != nil {
			return err
		}
		bar := newProgress(opts.IO, "resolving accounts")
		r := &migrate.Resolver{Client: c, Workers: 4, Progress: bar.set}
		p.Target, _, err = migrate.Check(ctx, c, nil, e, r, migrate.Options{IncludeLikes: opts.IncludeLikes, Now: opts.F.Clock.Now()})
		bar.finish()
		if err != nil {
			return err
		}
		if err := checkPostsFlag(opts.Posts); err != nil {
			return err
		}
		if p.PostCarry, err = postPlan(ctx, c, opts.Exports, e.Posts != nil, opts.IncludePosts, opts.Posts); err != nil {
			return err
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(p)
	}
	return p.WriteText(opts.IO.Out)
}
