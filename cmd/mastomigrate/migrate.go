package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

type migrateOptions struct {
	F                    *factory
	Exports              []string
	To                   string
	Yes                  bool
	DryRun               bool
	Wait                 bool
	JSON                 bool
	Only                 []string
	Skip                 []string
	Include              []string
	Concurrency          int
	Mode                 string
	UpdateFollowSettings bool
	Posts                []string // visibilities carried by --include posts
	NoBulk               bool     // --no-bulk: the per-item API path only (bulk.go)
	From                 string   // the old account, read live (from.go)
}

var includable = migrate.Includable

// categoryNames are the categories as `--only` and `--skip` spell them.
var categoryNames = func() []string {
	out := make([]string, len(migrate.Categories))
	for i, c := range migrate.Categories {
		out[i] = string(c)
	}
	return out
}()

func newMigrateCmd(f *factory) *cobra.Command {
	opts := &migrateOptions{F: f}
	cmd := &cobra.Command{
		Use:   "migrate {<export>... | --from <account>} --to <account> [flags]",
		Short: "Carry follows, lists, mutes, blocks and bookmarks over to the new account",
		Long: `Show the plan (as plan --to does), ask for confirmation, then replay the
export on the new account within the server's rate limits.

Order: follows (with their settings), lists and their members (members are
followed first, as Mastodon's own importer does), bookmarks, likes and the
profile when included, then mutes, blocks and domain blocks last, because
blocking removes follows. Nothing already there is sent again.

With --include posts, and only on GoToSocial 0.18 or newer, your own posts
from the archive follow last, oldest first, with their original dates:
backdated, not sent to followers, no notifications. --posts chooses the
visibilities (public, unlisted, private). Direct messages, boosts, polls,
replies to others and posts mentioning others stay in the archive. Mastodon
would publish old posts as new, so there --include posts is refused.

Every outcome is journaled. Run the same command again, or
'mastomigrate resume', to continue after an interruption, a crash, or
Mastodon's limit of 400 follows a day; nothing done is sent twice.

With --from, the old account is read live instead of (or besides) the
exports: its followed and featured hashtags, endorsements, private notes
and filters come too, and nothing is ever written there. Its token comes
from its login (login --read-only is enough) or MASTOMIGRATE_FROM_TOKEN.

Merge mode (the default) only adds. Overwrite mode also removes what the
new account has and the export does not (follows, blocks, mutes, domain
blocks, members of the export's lists); it asks you to type the account
name, or needs --yes with --mode overwrite.`,
		Example: `  $ mastomigrate migrate archive.zip following_accounts.csv lists.csv --to me@new.example
  $ mastomigrate migrate export/ --to me@new.example --only follows,lists --yes
  $ mastomigrate migrate export/ --to me@new.example --include likes,profile --wait
  $ mastomigrate migrate archive.zip --to me@gts.example --include posts --posts public,unlisted,private
  $ mastomigrate migrate --from me@old.example --to me@new.example`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Exports = args
			if len(args) == 0 && opts.From == "" {
				return &flagError{errors.New("name the exports, or the old account with `--from user@instance`")}
			}
			if opts.To == "" {
				return &flagError{errors.New("say which account to migrate to with `--to user@instance`")}
			}
			if opts.Mode != "merge" && opts.Mode != "overwrite" {
				return &flagError{fmt.Errorf("`--mode` is merge or overwrite, not %q", opts.Mode)}
			}
			for _, set := range []struct {
				flag  string
				vals  []string
				valid []string
			}{{"--only", opts.Only, categoryNames}, {"--skip", opts.Skip, categoryNames}, {"--include", opts.Include, includable}} {
				for _, v := range set.vals {
					if !slices.Contains(set.valid, v) {
						return &flagError{fmt.Errorf("`%s` takes %s, not %q", set.flag, strings.Join(set.valid, ", "), v)}
					}
				}
			}
			if err := checkPostsFlag(opts.Posts); err != nil {
				return err
			}
			if opts.DryRun {
				p := &planOptions{F: f, IO: f.IO, Exports: args, JSON: opts.JSON, To: opts.To, Include: opts.Include, From: opts.From,
					Posts: opts.Posts, IncludePosts: slices.Contains(opts.Include, "posts")}
				return runPlan(cmd.Context(), p)
			}
			return runMigrate(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.To, "to", "", "the new `account` (user@instance)")
	fl.StringVar(&opts.From, "from", "", "copy from the old `account` (user@instance) read live, with or instead of exports; nothing is written there")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "only show the plan, as plan --to does")
	fl.BoolVar(&opts.Wait, "wait", false, "when the daily follow limit is reached, wait for it (with a countdown) instead of stopping")
	fl.BoolVar(&opts.JSON, "json", false, "print the summary as JSON")
	fl.StringSliceVar(&opts.Only, "only", nil, "only these `categories`: "+strings.Join(categoryNames, ", "))
	fl.StringSliceVar(&opts.Skip, "skip", nil, "skip these `categories`")
	addIncludeFlag(cmd, &opts.Include)
	fl.StringSliceVar(&opts.Posts, "posts", posts.DefaultVisibilities, "with --include posts, the `visibilities` to carry: public, unlisted, private")
	fl.IntVar(&opts.Concurrency, "concurrency", 0, "requests in flight (default: chosen from the server's allowance)")
	fl.StringVar(&opts.Mode, "mode", "merge", "merge (only add) or overwrite (also remove what the export lacks)")
	fl.BoolVar(&opts.UpdateFollowSettings, "update-follow-settings", false, "also change existing follows' boosts, notify and languages to the export's")
	fl.BoolVar(&opts.NoBulk, "no-bulk", false, "send every item by API, even where the server has a bulk import (GoToSocial)")
	return cmd
}

// sessionConfig is the engine's view of the flags.
func (o *migrateOptions) sessionConfig() migrate.SessionConfig {
	return migrate.SessionConfig{Exports: o.Exports, From: o.From, To: o.To, Include: o.Include, Only: o.Only, Skip: o.Skip,
		Posts: o.Posts, Mode: o.Mode, UpdateFollowSettings: o.UpdateFollowSettings, NoBulk: o.NoBulk, Wait: o.Wait, Yes: o.Yes,
		Concurrency: o.Concurrency}
}

func runMigrate(ctx context.Context, opts *migrateOptions) error {
	env, err := opts.F.env(true)
	if err != nil {
		return err
	}
	return runMigration(ctx, opts.F, migrate.NewSession(opts.sessionConfig(), env), opts.JSON)
}

// runMigration runs a migration on the terminal and says how it ended.
func runMigration(ctx context.Context, f *factory, s *migrate.Session, asJSON bool) error {
	t := newTerminal(f)
	t.json = asJSON
	sum, err := s.Run(ctx, t)
	t.close()
	end := migrate.EndingOf(sum, err)
	var stopped *migrate.StoppedError
	if end == migrate.EndStopped && errors.As(err, &stopped) && stopped.Phase == migrate.PhaseCheck {
		fmt.Fprintf(f.IO.ErrOut, "Stopped while reading the new account; continue with: %s\n", stopped.Command)
		return err
	}
	if sum != nil && (sum.Replayed || err != nil) {
		writeSummary(f, sum, asJSON)
	}
	switch {
	case end == migrate.EndStopped:
		fmt.Fprintf(f.IO.ErrOut, "Stopped. Everything done so far is journaled; continue with: %s\n", stopped.Command)
		return err
	case !end.Finished():
		return usage(err)
	}
	sayWaiting(f, sum)
	switch end {
	case migrate.EndPartial:
		fmt.Fprintf(f.IO.ErrOut, "✓ Done with the chosen categories on %s; run without --only or --skip for the rest.\n", sum.Account)
	case migrate.EndWaitingApproval:
		fmt.Fprintf(f.IO.ErrOut, "✓ Migration to %s done, but for what waits for follow requests to be accepted. See: mastomigrate report\n", sum.Account)
	default:
		fmt.Fprintf(f.IO.ErrOut, "✓ Migration to %s complete. See what did not make it with: mastomigrate report\n", sum.Account)
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// sayWaiting tells what waits for other people: follow requests awaiting
// approval, and list members waiting for them. They do not keep the run
// unfinished (no run of ours can hurry them), but they are not done.
func sayWaiting(f *factory, sum *migrate.Summary) {
	pending, waiting := 0, 0
	for _, r := range sum.Rows {
		pending += r.Pending
		waiting += r.Waiting
	}
	if pending > 0 {
		fmt.Fprintf(f.IO.ErrOut, "! %s await approval; they become follows when accepted.\n", plural(pending, "follow request"))
	}
	if waiting > 0 {
		fmt.Fprintf(f.IO.ErrOut, "! %s wait for follow requests to be accepted (see `mastomigrate report`); once they are: mastomigrate resume\n", plural(waiting, "item"))
	}
}

func writeSummary(f *factory, sum *migrate.Summary, asJSON bool) {
	if asJSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		enc.Encode(sum)
		return
	}
	w := f.IO.Out
	fmt.Fprintf(w, "\nSummary\n  %-14s %6s %8s %8s %8s %7s %6s %9s\n", "", "done", "pending", "already", "skipped", "failed", "retry", "deferred")
	for _, r := range sum.Rows {
		if r.Done+r.Already+r.Skipped+r.Failed+r.Retry+r.Deferred+r.Waiting == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-14s %6d %8d %8d %8d %7d %6d %9d\n", strings.ReplaceAll(string(r.Category), "_", " "), r.Carried(), r.Awaiting(),
			r.Already, r.Skipped, r.Failed, r.Retry, r.Deferred)
	}
}
