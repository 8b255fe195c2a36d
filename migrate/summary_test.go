package migrate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/archive/archivetest"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// rows writes a summary's rows as "category done/already/skipped/failed/
// retry/deferred/pending/waiting", in their order.
func rows(sum *migrate.Summary) []string {
	if sum == nil {
		return nil
	}
	var out []string
	for _, r := range sum.Rows {
		out = append(out, fmt.Sprintf("%s %d/%d/%d/%d/%d/%d/%d/%d", r.Category, r.Done, r.Already, r.Skipped, r.Failed, r.Retry, r.Deferred, r.Pending, r.Waiting))
	}
	return out
}

// TestSessionSummaryCounts: each run's summary counts what that run did,
// what the check found already there, the problems it skips, and the
// posts: carried, already carried, and left in the archive.
func TestSessionSummaryCounts(t *testing.T) {
	type run struct {
		cfg  func(*migrate.SessionConfig)
		want []string
		err  bool // the run ends with work left
	}
	// An outbox of three posts, one with a media file the archive lacks,
	// and a boost.
	const outbox = `{"orderedItems":[
 {"type":"Create","object":{"id":"https://old.example/users/alex/statuses/1","type":"Note","published":"2021-01-01T10:00:00Z","attributedTo":"https://old.example/users/alex","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>one</p>"}},
 {"type":"Create","object":{"id":"https://old.example/users/alex/statuses/2","type":"Note","published":"2021-01-02T10:00:00Z","attributedTo":"https://old.example/users/alex","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>two</p>","attachment":[{"type":"Document","mediaType":"image/png","url":"/media_attachments/files/1/a.png"}]}},
 {"type":"Create","object":{"id":"https://old.example/users/alex/statuses/3","type":"Note","published":"2021-01-03T10:00:00Z","attributedTo":"https://old.example/users/alex","to":["https://www.w3.org/ns/activitystreams#Public"],"content":"<p>three</p>"}},
 {"id":"https://old.example/users/alex/statuses/4/activity","type":"Announce","published":"2021-01-04T10:00:00Z","to":["https://www.w3.org/ns/activitystreams#Public"],"object":"https://x.example/1"}
]}`
	noMedia := filepath.Join(t.TempDir(), "archive.zip")
	if err := os.WriteFile(noMedia, archivetest.ZIP([]archivetest.File{{Name: "outbox.json", Data: []byte(outbox)}}), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		flavour      mastotest.Flavour
		limits       *mastotest.Limits
		noBackdating bool
		exports      []string // default: the sample archive and CSVs
		runs         []run
	}{
		{"mastodon, follows first", mastotest.Mastodon45, nil, false, nil, []run{
			// chris is not found: skipped; ana is followed already; lou is
			// a request, pending; the other categories wait for run 2.
			{cfg: func(c *migrate.SessionConfig) { c.Only = []string{"follows", "mutes"} }, want: []string{
				"follows 6/1/1/0/0/0/1/0", "lists 0/0/0/0/0/0/0/0", "list_members 0/0/0/0/0/0/0/0", "bookmarks 0/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 1/1/0/0/0/0/0/0", "blocks 0/0/0/0/0/0/0/0", "domain_blocks 0/0/0/0/0/0/0/0"}},
			// The follows are there now, chris is still skipped, troll
			// (suspended) too.
			{want: []string{
				"follows 0/5/1/0/0/0/0/0", "lists 2/0/0/0/0/0/0/0", "list_members 4/0/0/0/0/0/0/0", "bookmarks 3/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 0/2/0/0/0/0/0/0", "blocks 1/0/1/0/0/0/0/0", "domain_blocks 2/0/0/0/0/0/0/0"}},
		}},
		{"daily follow limit", mastotest.Mastodon45, &mastotest.Limits{}, false, nil, []run{
			{err: true, want: []string{
				"follows 2/1/1/0/0/4/0/0", "lists 2/0/0/0/0/0/0/0", "list_members 3/0/0/0/0/1/0/0", "bookmarks 3/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 1/1/0/0/0/0/0/0", "blocks 1/0/1/0/0/0/0/0", "domain_blocks 2/0/0/0/0/0/0/0"}},
			{err: true, want: []string{
				"follows 2/3/1/0/0/2/1/0", "lists 0/2/0/0/0/0/0/0", "list_members 0/3/0/0/0/1/0/0", "bookmarks 0/3/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 0/2/0/0/0/0/0/0", "blocks 0/1/1/0/0/0/0/0", "domain_blocks 0/2/0/0/0/0/0/0"}},
		}},
		{"posts to gotosocial, then the rest", mastotest.GoToSocial020, nil, false, nil, []run{
			{cfg: func(c *migrate.SessionConfig) {
				c.Include, c.Only, c.Posts = []string{"posts"}, []string{"follows"}, []string{"public", "unlisted", "private"}
			}, want: []string{
				// The bulk lane imported the follows. Of the ten posts,
				// seven are carried; the direct one and two boosts stay.
				"follows 2/4/1/0/0/0/0/0", "lists 0/0/0/0/0/0/0/0", "list_members 0/0/0/0/0/0/0/0", "bookmarks 0/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 0/1/0/0/0/0/0/0", "blocks 0/0/0/0/0/0/0/0", "domain_blocks 0/0/0/0/0/0/0/0", "posts 7/0/3/0/0/0/0/0"}},
			{cfg: func(c *migrate.SessionConfig) {
				c.Include, c.Posts = []string{"posts"}, []string{"public", "unlisted", "private"}
			}, want: []string{
				"follows 0/5/1/0/0/0/0/0", "lists 2/0/0/0/0/0/0/0", "list_members 4/0/0/0/0/0/0/0", "bookmarks 3/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 0/2/0/0/0/0/0/0", "blocks 0/1/1/0/0/0/0/0", "domain_blocks 0/0/2/0/0/0/0/0", "posts 0/7/3/0/0/0/0/0"}},
		}},
		{"posts whose media the archive lacks", mastotest.GoToSocial020, nil, false, []string{noMedia}, []run{
			{cfg: func(c *migrate.SessionConfig) { c.Include = []string{"posts"} }, want: []string{
				// The boost stays; the post whose media is missing fails.
				"follows 0/0/0/0/0/0/0/0", "lists 0/0/0/0/0/0/0/0", "list_members 0/0/0/0/0/0/0/0", "bookmarks 0/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 0/0/0/0/0/0/0/0", "blocks 0/0/0/0/0/0/0/0", "domain_blocks 0/0/0/0/0/0/0/0", "posts 2/0/1/1/0/0/0/0"}},
		}},
		{"backdating switched off", mastotest.GoToSocial020, nil, true, nil, []run{
			// The first post is refused and stays "sending" in the journal,
			// to retry; the six after it are left for a later run, with the
			// three the archive keeps.
			{cfg: func(c *migrate.SessionConfig) { c.Include = []string{"posts"} }, err: true, want: []string{
				"follows 2/4/1/0/0/0/0/0", "lists 2/0/0/0/0/0/0/0", "list_members 4/0/0/0/0/0/0/0", "bookmarks 3/0/0/0/0/0/0/0", "likes 0/0/0/0/0/0/0/0", "followed_tags 0/0/0/0/0/0/0/0", "featured_tags 0/0/0/0/0/0/0/0", "endorsements 0/0/0/0/0/0/0/0", "notes 0/0/0/0/0/0/0/0", "filters 0/0/0/0/0/0/0/0",
				"mutes 0/2/0/0/0/0/0/0", "blocks 0/1/1/0/0/0/0/0", "domain_blocks 0/0/2/0/0/0/0/0", "posts 0/0/9/0/1/0/0/0"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := []mastotest.Option{mastotest.WithFlavour(tt.flavour)}
			if tt.limits != nil {
				l := mastotest.MastodonLimits()
				l.FollowsPerDay = 2
				opts = append(opts, mastotest.WithLimits(l))
			}
			if tt.noBackdating {
				opts = append(opts, mastotest.WithoutBackdating())
			}
			e := newSessionEnv(t, opts...)
			for i, r := range tt.runs {
				exports := sample
				if tt.exports != nil {
					exports = tt.exports
				}
				cfg := migrate.SessionConfig{Exports: exports, To: "me@new.example", Yes: true, Concurrency: 1} // one at a time: the same follows hit the limit each time
				if r.cfg != nil {
					r.cfg(&cfg)
				}
				sum, err := migrate.NewSession(cfg, e.env).Run(context.Background(), &person{})
				if (err != nil) != r.err {
					t.Fatalf("run %d: %v", i+1, err)
				}
				if got := rows(sum); !slices.Equal(got, r.want) {
					t.Errorf("run %d: rows\n%s\nwant\n%s", i+1, strings.Join(got, "\n"), strings.Join(r.want, "\n"))
				}
				e.clock.Advance(25 * time.Hour)
			}
		})
	}
}

// TestSummaryRowCounts: the counts every face shows: a follow request
// is sent but not carried until accepted, and waits with the list
// members waiting for it.
func TestSummaryRowCounts(t *testing.T) {
	tests := []struct {
		row               migrate.SummaryRow
		carried, awaiting int
	}{
		{migrate.SummaryRow{Done: 5}, 5, 0},
		{migrate.SummaryRow{Done: 5, Pending: 2}, 3, 2},
		{migrate.SummaryRow{Done: 5, Pending: 2, Waiting: 3}, 3, 5},
		{migrate.SummaryRow{Waiting: 3}, 0, 3},
	}
	for _, tt := range tests {
		if c, a := tt.row.Carried(), tt.row.Awaiting(); c != tt.carried || a != tt.awaiting {
			t.Errorf("%+v: carried %d, awaiting %d; want %d, %d", tt.row, c, a, tt.carried, tt.awaiting)
		}
	}
}
