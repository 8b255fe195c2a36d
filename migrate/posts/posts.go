// Package posts is the posts lane (--include posts): what the outbox
// holds and which posts can go (Plan), and the Runner that carries them,
// media first, backdated and journaled.
//
// GoToSocial (0.18+) creates a post whose scheduled_at lies in the past
// with that date, without federating it to followers, putting it in
// timelines or notifying anyone (internal/processing/status/create.go;
// docs/user_guide/importing_posts.md). Mastodon drops a past
// scheduled_at and publishes the post at once, federated
// (app/services/post_status_service.rb): it never gets one.
package posts

import (
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/outcome"
	"github.com/mastomigrate/mastomigrate/migrate/posttext"
)

// Visibilities are what --posts takes; DefaultVisibilities what
// it carries unless told.
var (
	Visibilities        = []string{"public", "unlisted", "private"}
	DefaultVisibilities = []string{"public", "unlisted"}
)

// Backdating says whether srv takes old posts with their dates, and why
// not when it does not.
func Backdating(srv api.Server) (bool, string) {
	if srv.Capabilities().BackdatedPosts {
		return true, ""
	}
	switch srv.Software {
	case "gotosocial":
		return false, fmt.Sprintf("GoToSocial %s is too old: backdated posts came in 0.18", srv.Version)
	case "mastodon":
		return false, "Mastodon cannot take old posts: it drops a scheduled_at in the past and publishes the post at once, on your followers' timelines and with notifications (app/services/post_status_service.rb)"
	case "":
		return false, "the new server does not say what software it runs, and only GoToSocial 0.18 or newer is known to take old posts without publishing them as new"
	}
	return false, srv.Software + " is not known to take old posts with their dates; only GoToSocial 0.18 or newer is"
}

// Why posts are left out, by key, in the order the plan lists them.
var postLeftOrder = []string{"undated", "direct", "boosts", "polls", "replies_to_others", "mentions_others", "not_chosen_private",
	"not_chosen_unlisted", "not_chosen_public", "thread_not_carried"}

var postLeftWhy = map[string]struct{ one, many, why string }{
	"direct":              {"direct message", "direct messages", "they are addressed to the people they mention, and GoToSocial takes no backdated post that mentions others"},
	"boosts":              {"boost", "boosts", "a boost is of someone else's post; only your own posts can be backdated (boost again by hand what you want to share)"},
	"polls":               {"poll", "polls", "GoToSocial takes no backdated polls (\"statuses with polls can't be backfilled\")"},
	"replies_to_others":   {"reply to others", "replies to others", "GoToSocial takes backdated replies only to your own posts (\"replies to others can't be backfilled\")"},
	"mentions_others":     {"post mentioning others", "posts mentioning others", "GoToSocial takes no backdated post that mentions someone else (\"statuses mentioning others can't be backfilled\"), and a mention sent now would notify them"},
	"not_chosen_private":  {"followers-only post", "followers-only posts", "not chosen: add private to --posts to carry them"},
	"not_chosen_unlisted": {"unlisted post", "unlisted posts", "not chosen: add unlisted to --posts to carry them"},
	"not_chosen_public":   {"public post", "public posts", "not chosen: add public to --posts to carry them"},
	"undated":             {"post without a date", "posts without a date", "the outbox gives no date (or one before 1970) to backdate them to"},
	"thread_not_carried":  {"reply in a thread left out", "replies in threads left out", "they answer one of your posts that is not carried, so the thread would break"},
}

// postEntry is what sorting and sorting out a post needs, kept for every
// post of the outbox (a few hundred bytes each).
type postEntry struct {
	ID, InReplyTo, Visibility string
	Published                 time.Time
	Boost, Poll, Others       bool // Others: mentions someone other than the author
	Media                     int
	pos                       int
}

func entryOf(p archive.Post, pos int) postEntry {
	e := postEntry{ID: p.ID, InReplyTo: p.InReplyTo, Visibility: p.Visibility, Published: p.Published,
		Boost: p.Boost, Poll: p.Poll, Media: len(p.Attachments), pos: pos}
	for _, m := range p.Mentions {
		if m.Href != p.Author || p.Author == "" {
			e.Others = true
		}
	}
	return e
}

// postSelection is the outcome of sorting out an outbox: the posts to
// carry in date order, and counts of the rest by reason.
type postSelection struct {
	carry []postEntry
	left  map[string]int
	media int
}

func scanPosts(ctx context.Context, set *archive.Set) ([]postEntry, error) {
	var out []postEntry
	for p, err := range set.Posts(ctx) {
		if err != nil {
			return nil, err
		}
		out = append(out, entryOf(p, len(out)))
	}
	return out, nil
}

// selectPosts decides, oldest first, which posts can be carried.
func selectPosts(entries []postEntry, vis []string) *postSelection {
	sorted := slices.Clone(entries)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Published.Before(sorted[j].Published) })
	own := map[string]bool{}
	for _, e := range entries {
		if !e.Boost {
			own[e.ID] = true
		}
	}
	sel := &postSelection{left: map[string]int{}}
	carried := map[string]bool{}
	for _, e := range sorted {
		var why string
		switch {
		case e.Boost:
			why = "boosts"
		case e.Published.Unix() <= 0:
			why = "undated"
		case e.Visibility == "direct":
			why = "direct"
		case e.Poll:
			why = "polls"
		case !slices.Contains(vis, e.Visibility):
			why = "not_chosen_" + e.Visibility
		case e.InReplyTo != "" && !own[e.InReplyTo]:
			why = "replies_to_others"
		case e.Others:
			why = "mentions_others"
		case e.InReplyTo != "" && !carried[e.InReplyTo]:
			why = "thread_not_carried"
		}
		if why != "" {
			sel.left[why]++
			continue
		}
		carried[e.ID] = true
		sel.carry = append(sel.carry, e)
		sel.media += e.Media
	}
	return sel
}

// Plan is what --include posts would do on the target.
type Plan struct {
	Server       string   `json:"server"` // "GoToSocial 0.20.0"
	Possible     bool     `json:"possible"`
	Why          string   `json:"why,omitempty"` // when not possible
	Visibilities []string `json:"visibilities"`
	Carry        int      `json:"carry"`
	Media        int      `json:"media"`
	Left         []Left   `json:"left"`
	// Estimate is the time its requests take, in words: the session's
	// estimator (migrate/estimate.go) fills it in.
	Estimate string `json:"estimate,omitempty"`
}

// Left counts posts that stay in the archive, with why.
type Left struct {
	What  string `json:"what"`
	Count int    `json:"count"`
	Why   string `json:"why"`
}

// NewPlan reads the outbox and says what --include posts would carry
// to srv. It sends nothing.
func NewPlan(ctx context.Context, set *archive.Set, vis []string, srv api.Server) (*Plan, error) {
	pp := &Plan{Server: serverName(srv), Visibilities: vis, Left: []Left{}}
	pp.Possible, pp.Why = Backdating(srv)
	entries, err := scanPosts(ctx, set)
	if err != nil {
		return nil, err
	}
	sel := selectPosts(entries, vis)
	pp.Carry, pp.Media = len(sel.carry), sel.media
	for _, k := range postLeftOrder {
		if n := sel.left[k]; n > 0 {
			w := postLeftWhy[k]
			what := w.many
			if n == 1 {
				what = w.one
			}
			pp.Left = append(pp.Left, Left{What: what, Count: n, Why: w.why})
		}
	}
	return pp, nil
}

func serverName(srv api.Server) string {
	switch srv.Software {
	case "gotosocial":
		return strings.TrimSpace("GoToSocial " + srv.Version)
	case "mastodon":
		return strings.TrimSpace("Mastodon " + srv.Version)
	case "":
		return "an unknown server"
	}
	return strings.TrimSpace(srv.Software + " " + srv.Version)
}

// Runner carries the archive's posts to a GoToSocial account:
// media first, then the post, oldest first, each self-reply linked to the
// new id of the post it answers; every media file and post journaled with
// its new id.
type Runner struct {
	Client       *api.Client
	Journal      *journal.Journal
	Me           *api.Account
	Exports      *archive.Set // the posts, and their media
	Visibilities []string
	Clock        api.Clock
	// Progress is told how many of the posts to carry are settled.
	Progress func(done, total int)

	ids      map[string]string // old post URI -> new id
	existing map[int64][]*api.OwnStatus
	claimed  map[string]bool
	markdown bool
}

// Category is the category of posts in the journal and summary;
// MediaCategory that of their media files.
const (
	Category      = "posts"
	MediaCategory = "post_media"
)

// ErrBackdatingOff means the new instance refused its first backdated post
// because its admin switched backdating off.
var ErrBackdatingOff = errors.New("backdating posts is switched off on the new instance (instance-allow-backdating-statuses)")

// Run carries the posts, journaling each outcome and, for the summary,
// how many stay in the archive. It returns ErrBackdatingOff (wrapped,
// with the server's words) when the server refused backdating: the posts
// not sent stay for a later run.
func (r *Runner) Run(ctx context.Context) error {
	if ok, why := Backdating(r.Client.Server(ctx)); !ok {
		return fmt.Errorf("posts cannot be carried to %s: %s", r.Client.Instance().Host, why)
	}
	r.ids, r.claimed = map[string]string{}, map[string]bool{}
	for _, rec := range r.Journal.Steps() {
		if rec.Category == Category && (rec.Status == journal.StatusDone || rec.Status == journal.StatusFailed && rec.NewID != "") {
			r.claimed[rec.NewID] = true // never taken for another post
		}
	}
	entries, err := scanPosts(ctx, r.Exports)
	if err != nil {
		return err
	}
	sel := selectPosts(entries, r.Visibilities)
	left := 0
	for _, n := range sel.left {
		left += n
	}
	if err := r.Journal.RecordCounts([]journal.Count{{Category: Category, Skipped: left}}); err != nil {
		return err
	}
	// Plain text unless the instance takes only Markdown; an instance that
	// does not say takes plain text, as Mastodon's API does.
	types, err := r.Client.StatusContentTypes(ctx)
	if errors.Is(err, api.ErrUnauthorized) {
		return err
	}
	r.markdown = len(types) > 0 && !slices.Contains(types, "text/plain") && slices.Contains(types, "text/markdown")

	order := make(map[string]int, len(sel.carry))
	for i, e := range sel.carry {
		order[e.ID] = i
	}
	// The outbox is read again and its posts taken in date order; Mastodon
	// writes them so, and only posts that come early wait in memory.
	waiting := map[int]archive.Post{}
	next, done, unsent := 0, 0, 0
	var stop error
	carry := func() error {
		for p, err := range r.Exports.Posts(ctx) {
			if err != nil {
				return err
			}
			i, ok := order[p.ID]
			if !ok {
				continue
			}
			waiting[i] = p
			for {
				p, ok := waiting[next]
				if !ok {
					break
				}
				delete(waiting, next)
				next++
				switch {
				case stop != nil:
					unsent++ // left for a later run
				case ctx.Err() != nil:
					return ctx.Err()
				default:
					if err := r.post(context.WithoutCancel(ctx), p); err != nil { // a post in flight finishes and is journaled
						if !errors.Is(err, ErrBackdatingOff) {
							return err
						}
						stop = err
					}
				}
				done++
				if r.Progress != nil {
					r.Progress(done, len(sel.carry))
				}
			}
		}
		return stop
	}
	err = carry()
	if unsent > 0 {
		if err := r.Journal.RecordCounts([]journal.Count{{Category: Category, Skipped: unsent}}); err != nil {
			return err
		}
	}
	return err
}

// post carries one post unless the journal or the new account already
// has it.
func (r *Runner) post(ctx context.Context, p archive.Post) error {
	id := journal.PostID(p.ID)
	rec, seen := r.Journal.Last(id)
	if seen {
		switch rec.Status {
		case journal.StatusDone:
			r.ids[p.ID] = rec.NewID
			r.Journal.Settled(id) // already there, in the summary
			return nil
		case journal.StatusFailed:
			if rec.NewID != "" {
				r.ids[p.ID] = rec.NewID // made without all its fields (notStuck): its replies hang on it
			}
			return nil
		case journal.StatusSkipped:
			return nil
		}
	}
	opts := posttext.Options{Markdown: r.markdown, Mentions: map[string]string{}}
	for _, m := range p.Mentions {
		if m.Href == p.Author {
			// The link in the HTML goes to the profile page, the tag to
			// the actor: know the mention by its handle too.
			me := "@" + r.Me.Username
			opts.Mentions[m.Href], opts.Mentions[m.Name] = me, me
			if user, _, ok := strings.Cut(strings.TrimPrefix(m.Name, "@"), "@"); ok {
				opts.Mentions["@"+user] = me
			}
		}
	}
	text := posttext.Text(p.Content, opts)
	step := journal.Step{ID: id, Op: journal.OpCreateStatus, Category: Category, Item: p.ID,
		Note: p.Published.UTC().Format("2006-01-02 15:04")}
	if st, err := r.onTarget(ctx, p, text, seen && rec.Status == journal.StatusSending); err != nil {
		return err
	} else if st != nil {
		r.ids[p.ID] = st.ID
		return r.Journal.Record(journal.Record{ID: id, Category: Category, Status: journal.StatusDone, NewID: st.ID,
			Reason: "found on the new account", Found: true})
	}
	ns := api.NewStatus{Text: text, SpoilerText: p.Summary, Sensitive: p.Sensitive, Language: p.Language,
		Visibility: p.Visibility, ScheduledAt: &p.Published}
	if r.markdown {
		ns.ContentType = "text/markdown"
	} else {
		ns.ContentType = "text/plain"
	}
	if p.InReplyTo != "" {
		parent, ok := r.ids[p.InReplyTo]
		if !ok {
			if prec, _ := r.Journal.Last(journal.PostID(p.InReplyTo)); prec.Status == journal.StatusFailed || prec.Status == journal.StatusSkipped {
				return r.outcome(step, journal.Record{Status: journal.StatusFailed, Reason: "the post it replies to could not be carried: " + prec.Reason})
			}
			return r.outcome(step, journal.Record{Status: journal.StatusRetry, Reason: "waits for the post it replies to"})
		}
		ns.InReplyToID = parent
	}
	if !p.Published.Before(r.Clock.Now().Add(-time.Minute)) {
		return r.outcome(step, journal.Record{Status: journal.StatusSkipped, Reason: "dated in the future or the last minute: it would be scheduled, not backdated"})
	}
	earlier := r.Journal.Earlier(id).HTTPStatus
	for try := 0; ; try++ {
		var err error
		ns.MediaIDs, err = r.media(ctx, p, try > 0)
		if err != nil {
			var fail mediaError
			if errors.As(err, &fail) {
				return r.outcome(step, journal.Record{Status: journal.StatusFailed, Reason: err.Error()})
			}
			return err
		}
		if err := r.Journal.Record(journal.Record{ID: id, Category: Category, Status: journal.StatusSending}); err != nil {
			return err
		}
		st, err := r.Client.CreateStatus(ctx, ns) // a 429 is waited out by the client
		if err == nil {
			r.ids[p.ID] = st.ID
			if d := drift(&ns, st); len(d) > 0 {
				return r.outcome(step, notStuck(st.ID, d))
			}
			return r.Journal.Record(journal.Record{ID: id, Category: Category, Status: journal.StatusDone, NewID: st.ID})
		}
		var ae *api.Error
		errors.As(err, &ae)
		switch out, rule := outcome.Of(outcome.Attempt{Op: journal.OpCreateStatus, Media: try == 0 && len(ns.MediaIDs) > 0, Earlier: earlier}, err); {
		case out == outcome.Abort:
			return outcome.Aborted(rule, err)
		case out == outcome.Stop:
			return fmt.Errorf("%w: %s", ErrBackdatingOff, ae.Message)
		case out == outcome.Fresh:
			continue
		case rule == outcome.RuleServerTwice:
			return r.outcome(step, journal.Record{Status: journal.StatusFailed, HTTPStatus: ae.Status, Reason: outcome.ServerFailed(ae)})
		case out == outcome.Failed:
			return r.outcome(step, journal.Record{Status: journal.StatusFailed, Reason: outcome.ReasonOf(step, ae)})
		}
		// The post may have been made: the journal keeps it as sending,
		// so the next run looks for it by its date before sending it; a
		// server error is kept with it, for that run's decision.
		if ae != nil && ae.Status >= 500 {
			return r.Journal.Record(journal.Record{ID: id, Category: Category, Status: journal.StatusSending, HTTPStatus: ae.Status})
		}
		return nil
	}
}

func (r *Runner) outcome(s journal.Step, rec journal.Record) error {
	rec.ID, rec.Category = s.ID, s.Category
	if rec.Status != journal.StatusDone {
		rec.Step = &s
	}
	return r.Journal.Record(rec)
}

// mediaError is a media file that cannot be uploaded from the archive.
type mediaError struct{ err error }

func (e mediaError) Error() string { return e.err.Error() }
func (e mediaError) Unwrap() error { return e.err }

// media uploads the post's files, or takes their ids from the journal;
// fresh uploads them all again.
func (r *Runner) media(ctx context.Context, p archive.Post, fresh bool) ([]string, error) {
	var ids []string
	for _, a := range p.Attachments {
		id := journal.MediaID(p.ID, a.Path)
		if rec, ok := r.Journal.Last(id); ok && rec.Status == journal.StatusDone && !fresh {
			ids = append(ids, rec.NewID)
			continue
		}
		data, err := archive.ReadMedia(r.Exports, a.Path)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, mediaError{fmt.Errorf("media file %s: %w", a.Path, err)}
		}
		m, err := r.Client.UploadMedia(ctx, api.MediaUpload{Data: data, Filename: path.Base(a.Path), MediaType: a.MediaType,
			Description: a.Description, Focus: a.Focus})
		if err != nil {
			var ae *api.Error
			switch out, rule := outcome.Of(outcome.Attempt{Op: journal.OpUploadMedia}, err); {
			case out == outcome.Abort:
				return nil, outcome.Aborted(rule, err)
			case out == outcome.Failed && errors.As(err, &ae):
				return nil, mediaError{fmt.Errorf("media file %s: %s", a.Path, outcome.ReasonOf(journal.Step{Op: journal.OpUploadMedia}, ae))}
			}
			return nil, err // the posts stop; a later run uploads it
		}
		if err := r.Journal.Record(journal.Record{ID: id, Category: MediaCategory, Status: journal.StatusDone, NewID: m.ID}); err != nil {
			return nil, err
		}
		ids = append(ids, m.ID)
	}
	return ids, nil
}

// onTarget finds the post among the new account's own posts: one with
// the same date (to the second) and text. A post the journal says was
// sent is also found by its date alone, when one post of the account
// has it: servers render text in their own way.
func (r *Runner) onTarget(ctx context.Context, p archive.Post, text string, sent bool) (*api.OwnStatus, error) {
	if r.existing == nil {
		r.existing = map[int64][]*api.OwnStatus{}
		for st, err := range r.Client.AccountStatuses(ctx, r.Me.ID) {
			if err != nil {
				r.existing = nil
				if ferr := outcome.Fatal(err); ferr != nil {
					return nil, ferr
				}
				return nil, fmt.Errorf("reading the new account's posts: %w", err)
			}
			if st.Reblog == nil {
				k := st.CreatedAt.Unix()
				r.existing[k] = append(r.existing[k], st)
			}
		}
	}
	fp := posttext.Fingerprint(text)
	var only *api.OwnStatus
	n := 0
	for _, st := range r.existing[p.Published.Unix()] {
		if r.claimed[st.ID] {
			continue
		}
		n++
		only = st
		if posttext.FingerprintHTML(st.Content) == fp && posttext.Fingerprint(st.SpoilerText) == posttext.Fingerprint(p.Summary) {
			r.claimed[st.ID] = true
			return st, nil
		}
	}
	if sent && n == 1 {
		r.claimed[only.ID] = true
		return only, nil
	}
	return nil, nil
}
