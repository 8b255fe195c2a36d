package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

type planOptions struct {
	F       *factory
	IO      *streams
	Exports []string
	JSON    bool
	To      string
	Include []string
	Explain bool
	// IncludeLikes is the old --include-likes, kept working.
	IncludeLikes bool
	Posts        []string // --posts: the visibilities --include posts would carry
	IncludePosts bool
	From         string // the old account, read live (from.go)
}

func newPlanCmd(f *factory, runF func(context.Context, *planOptions) error) *cobra.Command {
	opts := &planOptions{F: f, IO: f.IO}
	cmd := &cobra.Command{
		Use:   "plan [--json] [--explain] [--include <extras>] {<export>... | --from <account>}",
		Short: "Show what can and cannot be carried to a new account, changing nothing",
		Long: `Read the exports and show, per category, what a migration would carry over,
what cannot be carried over and why (with --explain: what you can do instead).

An export is a file or a folder: Mastodon's archive (zip or tar.gz), its CSV
exports (following_accounts.csv, lists.csv, blocked_accounts.csv,
muted_accounts.csv, blocked_domains.csv, bookmarks.csv), or a JSON export
ZIP. A folder is read like the list of files in it, zips included. Give as
many as you have; they are merged.`,
		Example: `  $ mastomigrate plan archive-20261101.zip
  $ mastomigrate plan archive.tar.gz following_accounts.csv lists.csv
  $ mastomigrate plan --json ~/Downloads/export/
  $ mastomigrate plan --explain --include likes,profile ~/Downloads/export/
  $ mastomigrate plan archive.zip following_accounts.csv --to me@new.example
  $ mastomigrate plan --from me@old.example --to me@new.example`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && opts.From == "" {
				return &flagError{errors.New("name at least one export file or folder, e.g. `mastomigrate plan ~/Downloads/archive-20261101.zip`")}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Exports = args
			if err := checkInclude(opts.Include); err != nil {
				return err
			}
			opts.IncludePosts = opts.IncludePosts || slices.Contains(opts.Include, "posts")
			if opts.IncludeLikes && !slices.Contains(opts.Include, "likes") {
				opts.Include = append(opts.Include, "likes")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runPlan(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.JSON, "json", false, "print one JSON object for scripts")
	fl.StringVar(&opts.From, "from", "", "also read the old `account` (user@instance) live: what the exports leave out, and everything they hold (reads only)")
	fl.BoolVar(&opts.Explain, "explain", false, "say why each thing cannot be carried over, and what to do instead")
	fl.StringVar(&opts.To, "to", "", "also check the new `account` (user@instance): what is already there, what cannot be found (reads only)")
	addIncludeFlag(cmd, &opts.Include)
	fl.BoolVar(&opts.IncludeLikes, "include-likes", false, "same as --include likes")
	fl.MarkHidden("include-likes")
	fl.StringSliceVar(&opts.Posts, "posts", posts.DefaultVisibilities, "with --to, the `visibilities` of posts to count for --include posts: public, unlisted, private")
	return cmd
}

// addIncludeFlag defines --include, the same for plan and migrate.
func addIncludeFlag(cmd *cobra.Command, include *[]string) {
	cmd.Flags().StringSliceVar(include, "include", nil, "opt-in `extras`: likes (each like notifies its author), profile (display name, bio, fields, avatar, header), posts (GoToSocial only: backdated, not federated)")
}

// checkInclude refuses what --include does not take.
func checkInclude(include []string) error {
	for _, v := range include {
		if !slices.Contains(migrate.Includable, v) {
			return &flagError{fmt.Errorf("`--include` takes %s, not %q", strings.Join(migrate.Includable, ", "), v)}
		}
	}
	return nil
}

func runPlan(ctx context.Context, opts *planOptions) error {
	if opts.To != "" {
		if err := checkPostsFlag(opts.Posts); err != nil {
			return err
		}
	}
	env, err := opts.F.env(false)
	if err != nil {
		return err
	}
	cfg := migrate.SessionConfig{Exports: opts.Exports, From: opts.From, To: opts.To, Include: opts.Include, Posts: opts.Posts}
	t := newTerminal(opts.F)
	t.showRead = true
	p, err := migrate.NewSession(cfg, env).Plan(ctx, t)
	t.close()
	if err != nil {
		return err
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false) // "Settings > Account", not "\u003e"
		return enc.Encode(p)
	}
	if err := p.WriteTextWith(opts.IO.Out, migrate.TextOptions{Width: opts.IO.width(), Explain: opts.Explain}); err != nil {
		return err
	}
	_, err = fmt.Fprint(opts.IO.Out, p.LanesText())
	return err
}

// readProgress shows, on a terminal, which export is being read and how
// far: a 1 GiB tar.gz takes seconds to read through.
type readProgress struct {
	s     *streams
	last  time.Time
	shown bool
}

func newReadProgress(s *streams) *readProgress { return &readProgress{s: s} }

func (r *readProgress) set(input string, bytes int64) {
	if !r.s.ErrTTY {
		return
	}
	now := r.s.now()
	if r.shown && now.Sub(r.last) < 200*time.Millisecond {
		return
	}
	r.last, r.shown = now, true
	fmt.Fprintf(r.s.ErrOut, "\r\033[KReading %s… %s", filepath.Base(input), migrate.HumanBytes(bytes))
}

func (r *readProgress) finish() {
	if r.shown {
		fmt.Fprint(r.s.ErrOut, "\r\033[K")
	}
}
