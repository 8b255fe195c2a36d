package migrate

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
)

// Source is the old account read live: what its exports would say, and
// what they leave out (Extras). It is read with GET requests only.
type Source struct {
	Account string // user@domain of the old account
	Export  *archive.Export
	Extras  *Extras
	// Unreadable says, by category, why the old server would not show it;
	// it is taken as empty there.
	Unreadable map[string]string
	// RequestsUnseen says why the old server's pending follow requests
	// could not be listed ("" when they were): only those to accounts
	// named elsewhere (lists, mutes, blocks, endorsements) are seen then,
	// by their relationships.
	RequestsUnseen string
}

// Extras are what no export holds: followed and featured hashtags,
// endorsed accounts, private notes and filters.
type Extras struct {
	FollowedTags []string          `json:"followed_tags"`
	FeaturedTags []string          `json:"featured_tags"`
	Endorsements []archive.Account `json:"endorsements"`
	Notes        []AccountNote     `json:"notes"`
	Filters      []api.Filter      `json:"filters"`
}

// AccountNote is a private note on an account.
type AccountNote struct {
	Account archive.Account `json:"account"`
	Note    string          `json:"note"`
}

// account turns an account as the old server shows it into the export's
// form: the full handle (local accounts get the old domain) and the URI.
func sourceAccount(c *api.Client, a *api.Account) archive.Account {
	h := strings.ToLower(c.FullAcct(a))
	uri := a.URI
	if uri == "" {
		uri = a.URL // GoToSocial's account has no uri; its url is the profile
	}
	return archive.Account{Acct: h, URI: uri}
}

// ReadSource reads the old account: follows with their settings and
// pending requests (the server's list of them where it has one, else the
// relationships of the accounts named), lists with their settings and
// members, mutes with what is left of them, blocks, domain blocks,
// bookmarks, favourites (only with includeLikes: they can be many pages),
// followed and featured hashtags, endorsements, filters and the private
// notes on every account it names. A category the server lacks is noted
// in Unreadable and read as empty.
func ReadSource(ctx context.Context, c *api.Client, includeLikes bool) (*Source, error) {
	me, err := c.Me(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the old account: %w", err)
	}
	src := &Source{Account: me.Acct + "@" + c.Domain(ctx), Unreadable: map[string]string{},
		Export: &archive.Export{Sources: []string{"the account " + me.Acct + "@" + c.Domain(ctx)}}, Extras: &Extras{}}
	e, x := src.Export, src.Extras
	var mu sync.Mutex
	accounts := map[string]*api.Account{} // every account named, by id
	var following, muted, endorsed []*api.Account
	fail := func(what string, err error) error {
		if missing(err) {
			mu.Lock()
			src.Unreadable[what] = err.Error()
			mu.Unlock()
			return nil
		}
		return fmt.Errorf("reading %s on the old account: %w", what, err)
	}
	collect := func(what string, seq func(func(*api.Account, error) bool), into *[]*api.Account) func() error {
		return func() error {
			for a, err := range seq {
				if err != nil {
					return fail(what, err)
				}
				mu.Lock()
				accounts[a.ID] = a
				*into = append(*into, a)
				mu.Unlock()
			}
			return nil
		}
	}
	uris := func(what string, seq func(func(*api.Status, error) bool), into *[]string) func() error {
		return func() error {
			for s, err := range seq {
				if err != nil {
					return fail(what, err)
				}
				mu.Lock()
				*into = append(*into, s.URI)
				mu.Unlock()
			}
			return nil
		}
	}
	var blocked, requested []*api.Account
	readers := []func() error{
		collect("follows", c.Following(ctx, me.ID), &following),
		collect("mutes", c.Mutes(ctx), &muted),
		collect("blocks", c.Blocks(ctx), &blocked),
		collect("endorsements", c.Endorsements(ctx), &endorsed),
		uris("bookmarks", c.Bookmarks(ctx), &e.Bookmarks),
		func() error {
			for d, err := range c.DomainBlocks(ctx) {
				if err != nil {
					return fail("domain_blocks", err)
				}
				mu.Lock()
				e.DomainBlocks = append(e.DomainBlocks, strings.ToLower(d))
				mu.Unlock()
			}
			return nil
		},
		func() error {
			lists, err := c.Lists(ctx)
			if err != nil {
				return fail("lists", err)
			}
			for _, l := range lists {
				ex := l.Exclusive
				al := archive.List{Title: l.Title, RepliesPolicy: l.RepliesPolicy, Exclusive: &ex, Members: []archive.Account{}}
				for a, err := range c.ListAccounts(ctx, l.ID) {
					if err != nil {
						return fail("lists", err)
					}
					mu.Lock()
					accounts[a.ID] = a
					mu.Unlock()
					al.Members = append(al.Members, sourceAccount(c, a))
				}
				mu.Lock()
				e.Lists = append(e.Lists, al)
				mu.Unlock()
			}
			return nil
		},
		func() error {
			for t, err := range c.FollowedTags(ctx) {
				if err != nil {
					return fail("followed_tags", err)
				}
				mu.Lock()
				x.FollowedTags = append(x.FollowedTags, t.Name) // in its case: #MastoArt
				mu.Unlock()
			}
			return nil
		},
		func() error {
			ts, err := c.FeaturedTags(ctx)
			if err != nil {
				return fail("featured_tags", err)
			}
			for _, t := range ts {
				x.FeaturedTags = append(x.FeaturedTags, t.Name)
			}
			return nil
		},
		func() error {
			fs, err := c.Filters(ctx)
			if err != nil {
				return fail("filters", err)
			}
			for _, f := range fs {
				x.Filters = append(x.Filters, *f)
			}
			return nil
		},
	}
	if caps := c.Server(ctx).Capabilities(); caps.OutgoingRequests || caps.Probe {
		readers = append(readers, func() error {
			for a, err := range c.OutgoingRequests(ctx) {
				if err != nil {
					if !missing(err) {
						return fmt.Errorf("reading follow requests on the old account: %w", err)
					}
					mu.Lock()
					src.RequestsUnseen = "the server has no list of them: " + err.Error()
					mu.Unlock()
					return nil
				}
				mu.Lock()
				accounts[a.ID] = a
				requested = append(requested, a)
				mu.Unlock()
			}
			return nil
		})
	} else {
		src.RequestsUnseen = caps.Name + " lists no outgoing follow requests"
	}
	// What a live account tells, as Covered says it of exports: not its
	// posts, media or profile pictures, which only the archive holds.
	e.Covered = map[string]bool{"follows": true, "lists": true, "mutes": true, "blocks": true, "domain_blocks": true, "bookmarks": true}
	if includeLikes {
		e.Covered["likes"] = true
		readers = append(readers, uris("likes", c.Favourites(ctx), &e.Likes))
	}
	if err := all(readers); err != nil {
		return nil, err
	}

	// One pass of relationships over every account named gives the
	// follows' settings, pending requests, mutes' notifications and notes.
	ids := slices.Sorted(maps.Keys(accounts))
	rels, err := c.Relationships(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("reading relationships on the old account: %w", err)
	}
	followed := map[string]bool{}
	for _, a := range following {
		followed[a.ID] = true
		f := archive.Follow{Account: sourceAccount(c, a)}
		if r := rels[a.ID]; r != nil {
			reblogs, notify := r.ShowingReblogs, r.Notifying
			f.Reblogs, f.Notify, f.Languages = &reblogs, &notify, r.Languages
		}
		e.Follows = append(e.Follows, f)
	}
	// A request not yet accepted is not in following: the server's list
	// of them shows it, or a relationship (Mastodon lists no outgoing
	// requests). Carried as a follow, it is a request again on the new
	// account wherever the account is locked.
	listed := map[string]bool{}
	for _, a := range requested {
		listed[a.ID] = true
	}
	for _, id := range ids {
		r := rels[id]
		if followed[id] || !listed[id] && (r == nil || !r.Requested) {
			continue
		}
		f := archive.Follow{Account: sourceAccount(c, accounts[id])}
		// GoToSocial shows a request's settings as off whatever they are
		// (api.Capabilities.RequestSettings): unknown, the new follow
		// takes the server's defaults.
		if r != nil && (c.Server(ctx).Capabilities().RequestSettings || !r.Requested) {
			reblogs, notify := r.ShowingReblogs, r.Notifying
			f.Reblogs, f.Notify, f.Languages = &reblogs, &notify, r.Languages
		}
		e.Follows = append(e.Follows, f)
	}
	for _, a := range muted {
		m := archive.Mute{Account: sourceAccount(c, a), ExpiresAt: a.MuteExpiresAt}
		if r := rels[a.ID]; r != nil {
			n := r.MutingNotifications
			m.Notifications = &n
		}
		e.Mutes = append(e.Mutes, m)
	}
	for _, a := range blocked {
		e.Blocks = append(e.Blocks, sourceAccount(c, a))
	}
	for _, a := range endorsed {
		x.Endorsements = append(x.Endorsements, sourceAccount(c, a))
	}
	for _, id := range ids {
		if r := rels[id]; r != nil && r.Note != "" {
			x.Notes = append(x.Notes, AccountNote{Account: sourceAccount(c, accounts[id]), Note: r.Note})
		}
	}
	src.sort()
	return src, nil
}

// sort puts everything in a stable order, whatever order the readers
// finished in, so plans and step lists read the same each time.
func (s *Source) sort() {
	e, x := s.Export, s.Extras
	sort.SliceStable(e.Follows, func(i, j int) bool { return e.Follows[i].Account.Key() < e.Follows[j].Account.Key() })
	sort.SliceStable(e.Lists, func(i, j int) bool { return e.Lists[i].Title < e.Lists[j].Title })
	sort.SliceStable(e.Mutes, func(i, j int) bool { return e.Mutes[i].Account.Key() < e.Mutes[j].Account.Key() })
	sort.SliceStable(e.Blocks, func(i, j int) bool { return e.Blocks[i].Key() < e.Blocks[j].Key() })
	sort.Strings(e.DomainBlocks)
	sort.Strings(x.FollowedTags)
	sort.Strings(x.FeaturedTags)
	sort.SliceStable(x.Endorsements, func(i, j int) bool { return x.Endorsements[i].Key() < x.Endorsements[j].Key() })
	sort.SliceStable(x.Notes, func(i, j int) bool { return x.Notes[i].Account.Key() < x.Notes[j].Account.Key() })
	sort.SliceStable(x.Filters, func(i, j int) bool { return x.Filters[i].Title < x.Filters[j].Title })
}

// Combine merges the old account read live with exports: the live
// account wins where both hold an item (a follow's settings, a list), and
// the exports add what only they hold (posts, media, profile pictures,
// items since removed). Either may be nil.
func Combine(live, exp *archive.Export) *archive.Export {
	if exp == nil {
		return live
	}
	if live == nil {
		return exp
	}
	out := *exp
	out.Sources = append(slices.Clone(live.Sources), exp.Sources...)
	out.Follows = mergeBy(live.Follows, exp.Follows, func(f archive.Follow) string { return f.Account.Key() })
	out.Lists = mergeBy(live.Lists, exp.Lists, func(l archive.List) string { return l.Title })
	out.Mutes = mergeBy(live.Mutes, exp.Mutes, func(m archive.Mute) string { return m.Account.Key() })
	out.Blocks = mergeBy(live.Blocks, exp.Blocks, archive.Account.Key)
	id := func(s string) string { return s }
	out.DomainBlocks = mergeBy(live.DomainBlocks, exp.DomainBlocks, id)
	out.Bookmarks = mergeBy(live.Bookmarks, exp.Bookmarks, id)
	out.Likes = mergeBy(live.Likes, exp.Likes, id)
	if exp.Covered != nil {
		out.Covered = maps.Clone(exp.Covered)
		for c := range live.Covered {
			out.Covered[c] = true
		}
	}
	return &out
}

func mergeBy[T any](first, then []T, key func(T) string) []T {
	seen := map[string]bool{}
	var out []T
	for _, list := range [][]T{first, then} {
		for _, it := range list {
			if k := key(it); !seen[k] {
				seen[k] = true
				out = append(out, it)
			}
		}
	}
	return out
}

// ReadProfile reads the old account's profile for --include profile: the
// plain-text bio and fields, the pictures (downloaded with hc, without
// the token), and the settings: locked, bot, discoverable, and the
// posting defaults (privacy, language, sensitive).
func ReadProfile(ctx context.Context, c *api.Client, hc *http.Client) (*ProfileUpdate, error) {
	sp, err := c.SourceProfile(ctx)
	if err != nil {
		return nil, fmt.Errorf("reading the old account's profile: %w", err)
	}
	u := &ProfileUpdate{Profile: api.Profile{DisplayName: sp.DisplayName, Note: sp.Source.Note, Fields: sp.Source.Fields}}
	for _, pic := range []struct {
		url  string
		into *[]byte
	}{{sp.Avatar, &u.Avatar}, {sp.Header, &u.Header}} {
		if pic.url == "" || defaultPicture(pic.url) {
			continue
		}
		b, err := api.FetchPicture(ctx, hc, pic.url, 16<<20)
		if err != nil {
			return nil, fmt.Errorf("downloading the old account's pictures: %w", err)
		}
		*pic.into = b
	}
	locked, bot, sensitive := sp.Locked, sp.Bot, sp.Source.Sensitive
	u.Settings = &api.ProfileSettings{Locked: &locked, Bot: &bot, Discoverable: sp.Discoverable, Sensitive: &sensitive,
		Privacy: sp.Source.Privacy, Language: sp.Source.Language}
	return u, nil
}

// defaultPicture tells the server's stand-in for no picture: Mastodon's
// /avatars/original/missing.png and /headers/original/missing.png
// (app/models/concerns/account/avatar.rb, header.rb), GoToSocial's
// /assets/default_… files.
func defaultPicture(u string) bool {
	return strings.HasSuffix(u, "/missing.png") || strings.Contains(u, "/assets/default")
}
