package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
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
			}{{"--only", opts.Only, migrate.Categories}, {"--skip", opts.Skip, migrate.Categories}, {"--include", opts.Include, includable}} {
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
	fl.StringSliceVar(&opts.Only, "only", nil, "only these `categories`: "+strings.Join(migrate.Categories, ", "))
	fl.StringSliceVar(&opts.Skip, "skip", nil, "skip these `categories`")
	addIncludeFlag(cmd, &opts.Include)
	fl.StringSliceVar(&opts.Posts, "posts", migrate.DefaultPostVisibilities, "with --include posts, the `visibilities` to carry: public, unlisted, private")
	fl.IntVar(&opts.Concurrency, "concurrency", 0, "requests in flight (default: chosen from the server's allowance)")
	fl.StringVar(&opts.Mode, "mode", "merge", "merge (only add) or overwrite (also remove what the export lacks)")
	fl.BoolVar(&opts.UpdateFollowSettings, "update-follow-settings", false, "also change existing follows' boosts, notify and languages to the export's")
	fl.BoolVar(&opts.NoBulk, "no-bulk", false, "send every item by API, even where the server has a bulk import (GoToSocial)")
	return cmd
}

// deferredError ends a run that has follows waiting for the daily limit.
type deferredError struct {
	follows int           // follows waiting
	others  int           // list members waiting for them, and retries
	limit   int           // follows a day
	until   time.Time     // when the limit resets
	in      time.Duration // from now
	command string
}

func (e *deferredError) Error() string {
	others := ""
	if e.others > 0 {
		others = fmt.Sprintf(" (and %s waiting for them)", plural(e.others, "other item"))
	}
	return fmt.Sprintf("%s remain%s: Mastodon allows %d a day and starts counting again at %s (in %s); continue then with: %s",
		plural(e.follows, "follow"), others, e.limit, e.until.UTC().Format("2006-01-02 15:04 MST"),
		humanDuration(e.in), e.command)
}

// humanDuration writes 13h58m, 45m, or under a minute.
func humanDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return "under a minute"
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	}
	return fmt.Sprintf("%dh%02dm", int(d.Hours()), int(d.Minutes())%60)
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func runMigrate(ctx context.Context, opts *migrateOptions) error {
	f := opts.F
	in, err := readInputs(ctx, f, opts.From, opts.Exports, slices.Contains(opts.Include, "likes"), nil)
	if err != nil {
		return err
	}
	e := in.export
	c, me, account, err := f.target(ctx, opts.To)
	if err != nil {
		return err
	}
	if err := in.distinct(account); err != nil {
		return err
	}
	includePosts := slices.Contains(opts.Include, "posts")
	if includePosts {
		if len(opts.Posts) == 0 {
			opts.Posts = migrate.DefaultPostVisibilities
		}
		if err := refusePosts(ctx, c, account); err != nil {
			return err
		}
	}

	dir, err := f.StateDir()
	if err != nil {
		return err
	}
	inputs := make([]string, len(opts.Exports))
	for i, in := range opts.Exports {
		if inputs[i], err = filepath.Abs(in); err != nil {
			return err
		}
	}
	cfg := migrate.RunConfig{To: opts.To, Include: opts.Include, Only: opts.Only, Skip: opts.Skip, Mode: opts.Mode,
		UpdateFollowSettings: opts.UpdateFollowSettings, NoBulk: opts.NoBulk, From: opts.From}
	if includePosts {
		cfg.Posts = opts.Posts
	}
	digest := in.digest
	j, err := migrate.OpenJournal(migrate.JournalPath(dir, account, digest),
		migrate.Header{Account: account, Digest: digest, Inputs: inputs, Options: cfg, Created: f.Clock.Now().UTC()})
	if err != nil {
		return err
	}
	defer j.Close()
	if j.Torn {
		fmt.Fprintf(f.IO.ErrOut, "! The journal's last line was cut short by a crash; it was dropped and that step will be checked again.\n")
	}
	for key, rec := range j.Accounts() {
		c.Remember(key, &api.Account{ID: rec.AccountID, Acct: rec.Acct, Locked: rec.Locked})
	}

	// The allowance is known from the first answer (Me): a few requests in
	// flight use it well; Mastodon's 300 per 5 minutes gives 6.
	concurrency := opts.Concurrency
	if concurrency <= 0 {
		concurrency = 4
		if rate, ok := c.Rate(); ok {
			concurrency = max(1, min(8, rate.Limit/50))
		}
	}
	p := in.plan(opts.Include)
	bar := newProgress(f.IO, "resolving accounts")
	r := &migrate.Resolver{Client: c, Workers: concurrency, Progress: bar.set, Found: func(key string, a *api.Account) {
		if a.Moved != nil {
			a = a.Moved
		}
		if !a.Suspended {
			j.RememberAccount(key, a.ID, a.Acct, a.Locked)
		}
	}}
	mopts := migrate.Options{IncludeLikes: slices.Contains(opts.Include, "likes"), Overwrite: opts.Mode == "overwrite",
		UpdateFollowSettings: opts.UpdateFollowSettings, Now: f.Clock.Now()}
	if err := bulkLane(ctx, f, c, me, e, j, opts); err != nil {
		return err
	}
	ch, target, err := in.check(ctx, c, me, r, mopts)
	bar.finish()
	if errors.Is(err, context.Canceled) {
		fmt.Fprintf(f.IO.ErrOut, "Stopped while reading the new account; continue with: %s\n", resumeCommand(j.Header))
	}
	if err != nil {
		return err
	}
	offerFastLane(ctx, f, c, j, ch.Steps, opts.Exports, opts.To)
	p.Target = ch
	if err := j.RecordProblems(ch.Problems); err != nil {
		return err
	}
	if err := migrate.SettleAccepted(j, target, c); err != nil {
		return err
	}
	pending, deferred, err := migrate.Pending(ch, j, f.Clock.Now(), opts.Wait)
	if err != nil {
		return err
	}
	todo := selectSteps(pending, opts.Only, opts.Skip)
	// With --only or --skip, what was left out is still to do later.
	partial := len(todo) < len(pending)

	var profile *migrate.ProfileUpdate
	if slices.Contains(opts.Include, "profile") {
		if profile, err = in.profile(ctx, f, opts.Exports); err != nil {
			return err
		}
		if profile != nil {
			p.WarnProfile(profile, c.Server(ctx).Capabilities())
		}
	}

	if p.PostCarry, err = postPlan(ctx, c, opts.Exports, e.Posts != nil, includePosts, opts.Posts); err != nil {
		return err
	}
	posts := 0
	if includePosts {
		posts = postsLeft(j, p.PostCarry)
		if e.Posts == nil {
			fmt.Fprintf(f.IO.ErrOut, "! --include posts: none of the exports holds your posts (outbox.json, in the archive from Preferences > Import and export > Request your archive)\n")
		}
	}
	if !opts.JSON {
		if err := p.WriteText(f.IO.Out); err != nil {
			return err
		}
	}
	if len(todo) == 0 && profile == nil && posts == 0 {
		if len(deferred) == 0 {
			return finish(f, j, account, partial)
		}
	} else if err := confirm(f, opts, account, append(slices.Clip(todo), make([]migrate.Step, posts)...)); err != nil {
		return err
	}
	for _, s := range todo {
		if s.Op == migrate.OpFavourite {
			fmt.Fprintf(f.IO.ErrOut, "! Each like notifies the author of the post, as a new like would.\n")
			break
		}
	}

	prog := newRunProgress(f.IO)
	runner := &migrate.Runner{Client: c, Journal: j, Target: target, Concurrency: concurrency, Clock: f.Clock,
		Wait: opts.Wait, Progress: prog.set, Profile: profile,
		Waiting: func(until time.Time) { countdown(ctx, f, until) }}
	sum, runErr := runner.Run(ctx, ch, todo, deferred)
	countSkipped(sum, ch.Problems, opts.Only, opts.Skip)
	prog.finish()
	if runErr == nil && includePosts && p.PostCarry != nil {
		runErr = runPosts(ctx, f, c, j, me, opts, sum)
	}
	if sum != nil {
		writeSummary(f, sum, opts.JSON)
	}
	return endOfRun(f, j, account, sum, runErr, partial)
}

// endOfRun says how the run ended and what to do next, and marks the
// journal finished when nothing is left.
func endOfRun(f *factory, j *migrate.Journal, account string, sum *migrate.Summary, runErr error, partial bool) error {
	command := resumeCommand(j.Header)
	if runErr != nil {
		if errors.Is(runErr, context.Canceled) {
			fmt.Fprintf(f.IO.ErrOut, "Stopped. Everything done so far is journaled; continue with: %s\n", command)
		}
		return runErr
	}
	if n := sum.Remaining(); n > 0 {
		if sum.DeferredUntil != nil {
			follows := 0
			for _, r := range sum.Rows {
				if r.Category == "follows" {
					follows = r.Deferred
				}
			}
			until, limit := *sum.DeferredUntil, sum.FollowLimit
			if limit == 0 {
				limit = migrate.FollowsPerDay // deferred by an earlier run
			}
			return &deferredError{follows: follows, others: n - follows, limit: limit, until: until, in: until.Sub(f.Clock.Now()), command: command}
		}
		return &retryError{items: n, command: command}
	}
	sayWaiting(f, sum)
	return finish(f, j, account, partial)
}

// retryError ends a run that left items a later run can do: refused for
// now (server errors), or waiting for a follow still to be made.
type retryError struct {
	items   int
	command string
}

func (e *retryError) Error() string {
	return fmt.Sprintf("%s could not be done yet (see `mastomigrate report`); run again to continue: %s", plural(e.items, "item"), e.command)
}

// sayWaiting tells what waits for other people: follow requests awaiting
// approval, and list members waiting for them. They do not keep the run
// unfinished (no run of ours can hurry them), but they are not done.
func sayWaiting(f *factory, sum *migrate.Summary) {
	if sum == nil {
		return
	}
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

// finish marks the journal finished, unless --only or --skip left
// categories for another run.
func finish(f *factory, j *migrate.Journal, account string, partial bool) error {
	if partial {
		fmt.Fprintf(f.IO.ErrOut, "✓ Done with the chosen categories on %s; run without --only or --skip for the rest.\n", account)
		return nil
	}
	if err := j.Finish(); err != nil {
		return err
	}
	if j.Waiting() {
		// Nothing more a run of ours can do now; what waits for other
		// people's approval is said above, and `resume` picks it up.
		fmt.Fprintf(f.IO.ErrOut, "✓ Migration to %s done, but for what waits for follow requests to be accepted. See: mastomigrate report\n", account)
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "✓ Migration to %s complete. See what did not make it with: mastomigrate report\n", account)
	return nil
}

// resumeCommand is the exact command that continues a migration.
func resumeCommand(h migrate.Header) string {
	args := []string{"mastomigrate", "migrate"}
	for _, in := range h.Inputs {
		args = append(args, shellQuote(in))
	}
	if h.Options.From != "" {
		args = append(args, "--from", shellQuote(h.Options.From))
	}
	args = append(args, "--to", shellQuote(h.Options.To), "--yes")
	if h.Options.Mode == "overwrite" {
		args = append(args, "--mode", "overwrite")
	}
	for flag, vals := range map[string][]string{"--include": h.Options.Include, "--only": h.Options.Only, "--skip": h.Options.Skip} {
		if len(vals) > 0 {
			args = append(args, flag, strings.Join(vals, ","))
		}
	}
	if h.Options.UpdateFollowSettings {
		args = append(args, "--update-follow-settings")
	}
	if h.Options.NoBulk {
		args = append(args, "--no-bulk")
	}
	if len(h.Options.Posts) > 0 {
		args = append(args, "--posts", strings.Join(h.Options.Posts, ","))
	}
	return strings.Join(args, " ")
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("@%+=:,./-_", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func selectSteps(steps []migrate.Step, only, skip []string) []migrate.Step {
	var out []migrate.Step
	for _, s := range steps {
		if len(only) > 0 && !slices.Contains(only, s.Category) || slices.Contains(skip, s.Category) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// confirm asks before changing the account. Without a terminal and
// without --yes it refuses; overwrite removals need the account typed.
func confirm(f *factory, opts *migrateOptions, account string, steps []migrate.Step) error {
	removals := 0
	for _, s := range steps {
		switch s.Op {
		case migrate.OpUnfollow, migrate.OpUnblock, migrate.OpUnmute, migrate.OpUnblockDomain, migrate.OpRemoveFromList:
			removals++
		}
	}
	if opts.Yes {
		return nil
	}
	if !f.IO.InTTY {
		return &flagError{fmt.Errorf("refusing to change %s without confirmation: run it on a terminal, or add `--yes`", account)}
	}
	in := bufio.NewReader(f.IO.In)
	if removals > 0 {
		fmt.Fprintf(f.IO.ErrOut, "\nOverwrite mode removes %s from %s.\nType the account name (%s) to go on: ", plural(removals, "item"), account, account)
		line, _ := in.ReadString('\n')
		if strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "@")) != account {
			return errors.New("not confirmed; nothing was changed")
		}
		return nil
	}
	fmt.Fprintf(f.IO.ErrOut, "\nMake %s on %s? [y/N] ", plural(len(steps), "change"), account)
	line, _ := in.ReadString('\n')
	if a := strings.ToLower(strings.TrimSpace(line)); a != "y" && a != "yes" {
		return errors.New("not confirmed; nothing was changed")
	}
	return nil
}

// countdown shows the wait for the daily follow limit: a line that counts
// down on a terminal, and a line an hour otherwise. It returns at once;
// the runner does the waiting.
func countdown(ctx context.Context, f *factory, until time.Time) {
	fmt.Fprintf(f.IO.ErrOut, "Mastodon's daily follow limit is reached; waiting until %s (Ctrl-C stops; the journal keeps the rest)\n",
		until.UTC().Format("2006-01-02 15:04 MST"))
	every := time.Hour
	if f.IO.ErrTTY {
		every = time.Second
	}
	go func() {
		for {
			left := until.Sub(f.Clock.Now())
			if left <= 0 || f.Clock.Sleep(ctx, min(every, left)) != nil {
				if f.IO.ErrTTY {
					fmt.Fprint(f.IO.ErrOut, "\r\033[K")
				}
				return
			}
			if f.IO.ErrTTY {
				fmt.Fprintf(f.IO.ErrOut, "\r\033[K  %s left", left.Round(time.Second))
			} else if left > every {
				fmt.Fprintf(f.IO.ErrOut, "  %s left\n", humanDuration(left))
			}
		}
	}()
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
		// Pending follows are among the done (sent); waiting members are
		// counted with what a later run retries.
		fmt.Fprintf(w, "  %-14s %6d %8d %8d %8d %7d %6d %9d\n", strings.ReplaceAll(r.Category, "_", " "), r.Done-r.Pending, r.Pending+r.Waiting,
			r.Already, r.Skipped, r.Failed, r.Retry, r.Deferred)
	}
}
