package migrate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// The categories no export holds, carried from the old account read live
// (source.go): their ops, diff against the new account, and requests.

// ExtraCategories are the categories only the live old account gives, in
// the order they are replayed (after follows: an endorsement needs one).
var ExtraCategories = category.Names(func(c category.Info) bool { return c.Extra })

// ExtraCounts are the extras in the plan's importable counts; nil (and
// left out of the JSON) when no old account was read.
type ExtraCounts struct {
	FollowedTags int `json:"followed_tags"`
	FeaturedTags int `json:"featured_tags"`
	Endorsements int `json:"endorsements"`
	Notes        int `json:"notes"`
	Filters      int `json:"filters"`
}

// AddSource adds to the plan what the old account read live holds
// besides the export's categories, and shrinks what cannot be carried.
func (p *Plan) AddSource(s *Source) {
	x := s.Extras
	p.Importable.Profile = 1 // a live account always has one
	p.Importable.ExtraCounts = &ExtraCounts{FollowedTags: len(x.FollowedTags), FeaturedTags: len(x.FeaturedTags),
		Endorsements: len(x.Endorsements), Notes: len(x.Notes), Filters: len(x.Filters)}
	// Hashtag follows spend the daily follow allowance too.
	if w, ok := dailyLimitWarning(p.Importable.Follows, len(x.FollowedTags)); ok {
		p.Warnings = slices.DeleteFunc(p.Warnings, func(w Warning) bool { return w.Code == "follow_daily_limit" })
		p.Warnings = append(p.Warnings, w)
	}
	for i, nc := range p.NotCarried {
		if nc.What == "instance_data" {
			p.NotCarried[i].Why = "pinned posts, preferences and the old instance's custom emoji are not in the exports, and the API cannot set them all"
		}
	}
	if s.RequestsUnseen != "" {
		p.Warnings = append(p.Warnings, Warning{Code: "follow_requests_unseen",
			Message: "pending follow requests are seen only to accounts you also list, mute, block or endorse (" + s.RequestsUnseen +
				"): a request to any other account is not carried; follow it again on the new account"})
	}
	for _, cat := range slices.Sorted(maps.Keys(s.Unreadable)) {
		p.Warnings = append(p.Warnings, Warning{Code: "unreadable_" + cat,
			Message: fmt.Sprintf("the old server does not show %s (%s): taken as empty", strings.ReplaceAll(cat, "_", " "), s.Unreadable[cat])})
	}
}

// extraRows writes the extras' rows of the plan's text.
func (p *Plan) extraRows(row func(cat category.Category, name string, n int, note string)) {
	x := p.Importable.ExtraCounts
	if x == nil {
		return
	}
	row(category.FollowedTags, "followed tags", x.FollowedTags, "hashtags you follow")
	row(category.FeaturedTags, "featured tags", x.FeaturedTags, "hashtags on your profile (not on GoToSocial)")
	row(category.Endorsements, "endorsements", x.Endorsements, "accounts on your profile, once their follow is accepted")
	row(category.Notes, "notes", x.Notes, "your private notes on accounts")
	row(category.Filters, "filters", x.Filters, "with their keywords, contexts, action and what is left of their time")
}

// SourceDigest names a migration from a live account (with exports, if
// any): the same old account gives the same journal on every run, though
// its content changes, so that a run can be resumed.
func SourceDigest(account string, exports *archive.Export) string {
	d := "from " + strings.ToLower(account)
	if exports != nil {
		d += " " + journal.Digest(exports)
	}
	return journal.Digest(&archive.Export{DomainBlocks: []string{d}})
}

// extraTarget is what the new account already has of the extras.
type extraTarget struct {
	followedTags, featuredTags map[string]bool
	filters                    map[string]*api.Filter // by title
	endorsed                   map[string]bool        // account ids
	notes                      map[string]string
	unreadable                 map[string]string
}

// readExtras reads the new account's extras; ids are the accounts whose
// notes matter.
func readExtras(ctx context.Context, c *api.Client, ids []string) (*extraTarget, error) {
	t := &extraTarget{followedTags: map[string]bool{}, featuredTags: map[string]bool{}, filters: map[string]*api.Filter{},
		endorsed: map[string]bool{}, notes: map[string]string{}, unreadable: map[string]string{}}
	fail := func(what string, err error) error {
		if missing(err) {
			t.unreadable[what] = err.Error()
			return nil
		}
		return fmt.Errorf("reading %s: %w", what, err)
	}
	for tag, err := range c.FollowedTags(ctx) {
		if err != nil {
			if err := fail("followed_tags", err); err != nil {
				return nil, err
			}
			break
		}
		t.followedTags[strings.ToLower(tag.Name)] = true
	}
	if ts, err := c.FeaturedTags(ctx); err != nil {
		if err := fail("featured_tags", err); err != nil {
			return nil, err
		}
	} else {
		for _, tag := range ts {
			t.featuredTags[strings.ToLower(tag.Name)] = true
		}
	}
	for a, err := range c.Endorsements(ctx) {
		if err != nil {
			if err := fail("endorsements", err); err != nil {
				return nil, err
			}
			break
		}
		t.endorsed[a.ID] = true
	}
	if fs, err := c.Filters(ctx); err != nil {
		if err := fail("filters", err); err != nil {
			return nil, err
		}
	} else {
		for _, f := range fs {
			t.filters[f.Title] = f
		}
	}
	if len(ids) > 0 {
		rels, err := c.Relationships(ctx, ids)
		if err != nil {
			return nil, fmt.Errorf("reading notes: %w", err)
		}
		for id, r := range rels {
			t.notes[id] = r.Note
		}
	}
	return t, nil
}

// CheckSource is Check for a migration from the old account read live:
// the export's categories as Check does, then the extras, diffed against
// the new account. It sends only GET requests to the new account.
func CheckSource(ctx context.Context, c *api.Client, me *api.Account, e *archive.Export, x *Extras, r *Resolver, opts Options) (*Changes, *Target, error) {
	ch, t, err := Check(ctx, c, me, e, r, opts)
	if err != nil || x == nil {
		return ch, t, err
	}
	var accs []archive.Account
	for _, a := range x.Endorsements {
		accs = append(accs, a)
	}
	for _, n := range x.Notes {
		accs = append(accs, n.Account)
	}
	// Mostly found already while resolving the export: the client
	// remembers them, so this costs few requests.
	progress := r.Progress
	r.Progress = nil
	res, err := r.Resolve(ctx, accs)
	r.Progress = progress
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for _, n := range x.Notes {
		if a := target(res[n.Account.Key()]); a != nil {
			ids = append(ids, a.ID)
		}
	}
	xt, err := readExtras(ctx, c, ids)
	if err != nil {
		return nil, nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	diffExtras(ch, t, x, xt, res, c, opts.Now, c.Allowance(ctx), c.Server(ctx).Capabilities())
	return ch, t, nil
}

// target is where a resolved account lives now, following a move; nil
// when it is not there to act on.
func target(r Resolved) *api.Account {
	a := r.Account
	if a != nil && a.Moved != nil {
		a = a.Moved
	}
	if a == nil || a.Suspended {
		return nil
	}
	return a
}

// diffExtras adds the extras' steps and counts to ch, in the place their
// categories have in Categories.
func diffExtras(ch *Changes, t *Target, x *Extras, xt *extraTarget, res map[string]Resolved, c *api.Client, now time.Time, a api.Allowance, caps api.Capabilities) {
	for cat, why := range xt.unreadable {
		if ch.Unreadable == nil {
			ch.Unreadable = map[string]string{}
		}
		ch.Unreadable[cat] = why
	}
	steps := map[category.Category][]journal.Step{}
	add := func(s journal.Step) { steps[s.Category] = append(steps[s.Category], s) }
	// Hashtags are one whatever their case; each keeps the case it has on
	// the old account. Featured ones have a limit, and Mastodon before
	// 4.4 answers one past it with a 500: what does not fit is left out
	// here, with the reason, and never sent.
	tags := func(cat category.Category, op journal.Op, names []string, have map[string]bool, room int) {
		r := ch.category(cat)
		for _, n := range names {
			switch {
			case have[strings.ToLower(n)]:
				r.Already++
				continue
			case room == 0:
				r.OverCap++
				ch.Problems = append(ch.Problems, Problem{Category: cat, Item: "#" + n, Kind: "over_cap", Reason: overFeatured(len(have))})
				continue
			}
			room--
			r.ToDo++
			add(journal.Step{ID: journal.OpID(op, strings.ToLower(n)), Op: op, Category: cat, Item: "#" + n})
		}
	}
	tags(category.FollowedTags, journal.OpFollowTag, x.FollowedTags, xt.followedTags, -1)
	tags(category.FeaturedTags, journal.OpFeatureTag, x.FeaturedTags, xt.featuredTags, max(FeaturedTagLimit-len(xt.featuredTags), 0))
	account := func(cat category.Category, a archive.Account) *api.Account {
		res := res[a.Key()]
		acc := target(res)
		r := ch.category(cat)
		switch {
		case res.Account == nil:
			r.Unresolved++
			ch.Problems = append(ch.Problems, Problem{Category: cat, Item: a.String(), Kind: "unresolved", Reason: "not found (no such account, or its server did not answer)"})
		case acc == nil:
			r.Suspended++
			ch.Problems = append(ch.Problems, Problem{Category: cat, Item: a.String(), Kind: "suspended", Reason: "the account is suspended"})
		case acc.ID == t.Me.ID:
			ch.Problems = append(ch.Problems, Problem{Category: cat, Item: a.String(), Kind: "self", Reason: "this is the new account itself"})
			return nil
		}
		return acc
	}
	r := ch.category(category.Endorsements)
	for _, a := range x.Endorsements {
		acc := account(category.Endorsements, a)
		if acc == nil {
			continue
		}
		if xt.endorsed[acc.ID] {
			r.Already++
			continue
		}
		r.ToDo++
		h := c.FullAcct(acc)
		add(journal.Step{ID: journal.OpID(journal.OpEndorse, h), Op: journal.OpEndorse, Category: category.Endorsements, Item: h, AccountID: acc.ID,
			Note: "once the follow is accepted"})
	}
	r = ch.category(category.Notes)
	for _, n := range x.Notes {
		acc := account(category.Notes, n.Account)
		if acc == nil {
			continue
		}
		h := c.FullAcct(acc)
		switch have := xt.notes[acc.ID]; {
		case have == n.Note:
			r.Already++
		case have != "":
			ch.Problems = append(ch.Problems, Problem{Category: category.Notes, Item: h, Kind: "conflict",
				Reason: "the new account has another note on this account; it is kept"})
		default:
			r.ToDo++
			add(journal.Step{ID: journal.OpID(journal.OpNote, h), Op: journal.OpNote, Category: category.Notes, Item: h, AccountID: acc.ID, Extra: &journal.Extra{Note: n.Note}})
		}
	}
	diffFilters(ch, add, x.Filters, xt.filters, caps, now)
	// Keep the replay order: rebuild the step list category by category.
	byCat := map[category.Category][]journal.Step{}
	for _, s := range ch.Steps {
		byCat[s.Category] = append(byCat[s.Category], s)
	}
	maps.Copy(byCat, steps)
	ch.Steps = nil
	for _, cat := range Categories {
		ch.Steps = append(ch.Steps, byCat[cat]...)
	}
	ch.Estimate = estimate(ch.Steps, a)
}

// FeaturedTagLimit is how many hashtags a Mastodon account may feature
// (app/models/featured_tag.rb, LIMIT).
const FeaturedTagLimit = 10

// overFeatured is why a hashtag is not featured, the new account
// featuring n.
func overFeatured(n int) string {
	return fmt.Sprintf("over Mastodon's limit of %d featured hashtags (the new account features %d)", FeaturedTagLimit, n)
}

// sendExtra makes one step of the old account's extras. A refusal is
// settled by reading the new account's state, not the server's words.
func (r *Runner) sendExtra(ctx context.Context, s journal.Step) (journal.Record, error) {
	c := r.Client
	switch s.Op {
	case journal.OpFollowTag:
		t, err := c.FollowTag(ctx, strings.TrimPrefix(s.Item, "#"))
		if err == nil && !t.Following {
			return notStuck("followed", []string{"the hashtag is not followed"}), nil
		}
		return journal.Record{}, err
	case journal.OpFeatureTag:
		name := strings.TrimPrefix(s.Item, "#")
		err := c.FeatureTag(ctx, name)
		if err == nil {
			r.verifyLater(s) // the answer is not read again: readBack reads the list
		}
		if !errors.Is(err, api.ErrValidation) && !errors.Is(err, api.ErrServer) {
			return journal.Record{}, err
		}
		// The plan counted the room, but the account may have changed
		// since. Mastodon 4.4+ refuses one over the limit with 422, 4.2–4.3
		// every refusal with 500 (app/services/create_featured_tag_service.rb):
		// the list says whether it is featured now, or the limit is reached.
		tags, rerr := c.FeaturedTags(ctx)
		switch {
		case rerr != nil:
		case slices.ContainsFunc(tags, func(t *api.FeaturedTag) bool { return strings.EqualFold(t.Name, name) }):
			return journal.Record{Reason: "featured already"}, nil
		case len(tags) >= FeaturedTagLimit:
			return journal.Record{Status: journal.StatusSkipped, Reason: overFeatured(len(tags))}, nil
		}
		return journal.Record{}, err
	case journal.OpEndorse:
		rel, err := c.Endorse(ctx, s.AccountID)
		if err == nil && !rel.Endorsed {
			return notStuck("endorsed", []string{"the account is not endorsed"}), nil
		}
		if !errors.Is(err, api.ErrValidation) {
			return journal.Record{}, err
		}
		// An endorsement needs an accepted follow: the relationship says
		// whether it waits for one, and for whom.
		rels, rerr := c.Relationships(ctx, []string{s.AccountID})
		switch rel := rels[s.AccountID]; {
		case rerr != nil || rel == nil || rel.Following:
			return journal.Record{}, err
		case rel.Requested:
			return journal.Record{Status: journal.StatusWaiting, Reason: "waits until " + s.Item + " accepts the follow request (an endorsement needs a follow)"}, nil
		}
		return journal.Record{Status: journal.StatusRetry, Reason: "not followed yet: the follow comes first, then the next run endorses"}, nil
	case journal.OpNote:
		if s.Extra == nil {
			return journal.Record{}, nil
		}
		// The answer is the relationship read after the write (SetNote).
		rel, err := c.SetNote(ctx, s.AccountID, s.Extra.Note)
		if err != nil {
			return journal.Record{}, err
		}
		if rel.Note != s.Extra.Note {
			return notStuck("set", []string{fmt.Sprintf("the note reads %q", rel.Note)}), nil
		}
		return journal.Record{}, nil
	case journal.OpCreateFilter:
		if s.Extra == nil || s.Extra.Filter == nil {
			return journal.Record{}, nil
		}
		return r.sendFilter(ctx, s)
	}
	return journal.Record{}, fmt.Errorf("unknown step %q", s.Op)
}
