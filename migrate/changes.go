package migrate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/domainname"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// Categories in replay order: follows first (list members must be
// followed), domain blocks last (they remove follows); from the registry.
var Categories = category.Names(nil)

// Problem is an item that will not be carried over as it is.
type Problem struct {
	Category   category.Category `json:"category"`
	Item       string            `json:"item"`
	Kind       string            `json:"kind"` // unresolved, moved, suspended, over_cap, self, expired, blocked, pending, invalid
	Reason     string            `json:"reason"`
	NewAddress string            `json:"new_address,omitempty"`
	List       string            `json:"list,omitempty"`
	// The export's options, so a report can write the item back to CSV.
	Follow *archive.Follow `json:"-"`
	Mute   *archive.Mute   `json:"-"`
}

// Step is the step the problem stands in for, for the journal and report.
func (p Problem) Step() journal.Step {
	info, _ := category.Of(p.Category)
	return journal.Step{ID: journal.ProblemID(p.Category, p.List, p.Item), Op: info.Op, Category: p.Category,
		Item: p.Item, List: p.List, Follow: p.Follow, Mute: p.Mute}
}

// CategoryReport counts one category's items against the target.
type CategoryReport struct {
	Name       category.Category `json:"name"`
	ToDo       int               `json:"to_do"`
	Already    int               `json:"already_there"`
	Pending    int               `json:"pending"` // follow requests sent, not yet accepted
	Unresolved int               `json:"unresolved"`
	Moved      int               `json:"moved"`
	Suspended  int               `json:"suspended"`
	Locked     int               `json:"locked"`
	OverCap    int               `json:"over_cap"`
	Remove     int               `json:"to_remove"` // overwrite mode only
}

// Changes is what a migration would do on the target.
type Changes struct {
	Account    string            `json:"account"`
	Steps      []journal.Step    `json:"-"`
	Categories []*CategoryReport `json:"categories"`
	Problems   []Problem         `json:"problems"`
	Estimate   Estimate          `json:"estimate"`
	// Unreadable are categories the server would not show, with why.
	Unreadable map[string]string `json:"unreadable,omitempty"`
	// Notes are items carried other than they are, with how (a filter
	// action the server lacks).
	Notes []string `json:"notes,omitempty"`
}

func (ch *Changes) category(name category.Category) *CategoryReport {
	for _, c := range ch.Categories {
		if c.Name == name {
			return c
		}
	}
	c := &CategoryReport{Name: name}
	ch.Categories = append(ch.Categories, c)
	return c
}

// Options choose what a migration includes.
type Options struct {
	IncludeLikes bool
	// Overwrite also removes from the target what the export lacks.
	Overwrite bool
	// UpdateFollowSettings changes existing follows' settings to the
	// export's; by default they are left as the person set them.
	UpdateFollowSettings bool
	Now                  time.Time
	// Allowance is the server's, for the estimate; the zero value means
	// Mastodon's defaults.
	Allowance api.Allowance
	// Server is the target's software, for what it does not have.
	Server api.Server
	// Redo are the steps an earlier run made whose fields did not stick
	// (Journal.Redo): a follow, mute or list the target has is sent again
	// with its settings, not counted as there.
	Redo map[string]bool
}

// differ holds what diffing needs while it walks the export.
type differ struct {
	ch          *Changes
	t           *Target
	res         map[string]Resolved
	c           *api.Client
	follows     map[string]bool                       // ids with a follow step already
	keep        map[category.Category]map[string]bool // category -> ids (or domains) the export has
	listKeep    map[string]map[string]bool            // list title -> member ids the export has
	steps       map[category.Category][]journal.Step
	capLeft     int
	exportLists map[string]bool
	// blocked are the export's blocks, resolved (by account id).
	blocked  *exportBlocks
	opts     Options
	problems []Problem
}

// Diff compares the export with the target and returns the steps that
// would make the target match it (adding only), and the report.
func Diff(e *archive.Export, t *Target, res map[string]Resolved, c *api.Client, opts Options) *Changes {
	ch := &Changes{Account: t.Account, Problems: []Problem{}, Unreadable: t.Unreadable}
	for _, name := range Categories {
		ch.category(name)
	}
	d := &differ{ch: ch, t: t, res: res, c: c, follows: map[string]bool{}, steps: map[category.Category][]journal.Step{},
		capLeft: followCap(opts.Server.Capabilities(), t.Me) - len(t.Following), opts: opts, keep: map[category.Category]map[string]bool{},
		listKeep: map[string]map[string]bool{}}
	d.diffFollows(e)
	d.diffLists(e)
	d.diffStatuses(category.Bookmarks, journal.OpBookmark, e.Bookmarks, t.Bookmarks)
	if opts.IncludeLikes {
		d.diffStatuses(category.Likes, journal.OpFavourite, e.Likes, t.Favourites)
	}
	d.diffMutes(e)
	d.diffBlocks(e)
	d.diffDomains(e)
	if opts.Overwrite {
		d.removals()
	}
	for _, name := range Categories {
		ch.Steps = append(ch.Steps, d.steps[name]...)
	}
	ch.Problems = append(ch.Problems, d.problems...)
	ch.Estimate = estimate(ch.Steps, opts.Allowance)
	return ch
}

func (d *differ) add(s journal.Step) { d.steps[s.Category] = append(d.steps[s.Category], s) }

// wanted notes in keep that the export has an item of set (a category,
// a list), so overwrite mode keeps it.
func wanted[K comparable](keep map[K]map[string]bool, set K, id string) {
	if keep[set] == nil {
		keep[set] = map[string]bool{}
	}
	keep[set][id] = true
}

func (d *differ) problem(cat category.Category, item, kind, reason string) {
	d.problems = append(d.problems, Problem{Category: cat, Item: item, Kind: kind, Reason: reason})
}

// lastProblem is the problem just added, to attach the export's item to.
func (d *differ) lastProblem(before int) *Problem {
	if len(d.problems) > before {
		return &d.problems[len(d.problems)-1]
	}
	return &Problem{}
}

// account finds where an export account lives on the target, following
// a move, and counts what stops it.
func (d *differ) account(cat category.Category, a archive.Account) (*api.Account, bool) {
	r := d.ch.category(cat)
	res := d.res[a.Key()]
	switch {
	case res.Account == nil:
		r.Unresolved++
		reason := "not found (no such account, or its server did not answer)"
		if res.Err != nil && !errors.Is(res.Err, api.ErrNotFound) {
			reason = res.Err.Error()
		}
		d.problem(cat, a.String(), "unresolved", reason)
		return nil, false
	case res.Account.Suspended:
		r.Suspended++
		d.problem(cat, a.String(), "suspended", "the account is suspended")
		return nil, false
	}
	acc := res.Account
	if acc.Moved != nil {
		r.Moved++
		to := d.c.FullAcct(acc.Moved)
		d.problems = append(d.problems, Problem{Category: cat, Item: a.String(), Kind: "moved", NewAddress: to,
			Reason: "moved to " + to + "; the new address is used"})
		acc = acc.Moved
	}
	if acc.ID == d.t.Me.ID {
		d.problem(cat, a.String(), "self", "this is the new account itself")
		return nil, false
	}
	return acc, true
}

// blockedByExport says why a follow would be undone by the export's own
// blocks, which are replayed later: a block ends a follow, and so does a
// domain block for the domain's accounts.
func (d *differ) blockedByExport(e *archive.Export, acc *api.Account) string {
	if d.blocked == nil {
		d.blocked = &exportBlocks{accounts: map[string]bool{}, domains: map[string]bool{}}
		for _, b := range e.Blocks {
			if res := d.res[b.Key()]; res.Account != nil {
				d.blocked.accounts[res.Account.ID] = true
			}
		}
		for _, dom := range e.DomainBlocks {
			d.blocked.blockDomain(dom)
		}
	}
	return d.blocked.ends(acc.ID, d.c.FullAcct(acc))
}

// exportBlocks are the blocks and domain blocks of an export, keyed as
// its reader knows accounts: by id on the target (the diff), or by
// handle (the bulk import, before anything is resolved).
type exportBlocks struct {
	accounts map[string]bool
	domains  map[string]bool
}

// ends is the rule both keep: a follow of an account the export also
// blocks, or of one on a domain it blocks, is not made, because the
// block replayed later ends it. It says why, or "".
func (b *exportBlocks) ends(account, handle string) string {
	if b.accounts[account] {
		return "not followed: you also block this account, and a block ends a follow"
	}
	if b.blocksDomain(handle[strings.LastIndexByte(handle, '@')+1:]) {
		return "not followed: you also block its domain, which ends follows there"
	}
	return ""
}

// blockDomain adds a domain of the export as the server stores it
// (domainname.Normalize). One the server cannot take is never blocked, so
// it ends no follow.
func (b *exportBlocks) blockDomain(d string) {
	if n, err := domainname.Normalize(d); err == nil {
		b.domains[n] = true
	}
}

// blocksDomain says whether the export blocks domain d, however it is
// spelt (Unicode or punycode, any case).
func (b *exportBlocks) blocksDomain(d string) bool {
	n, err := domainname.Normalize(d)
	return err == nil && b.domains[n]
}

func (d *differ) diffFollows(e *archive.Export) {
	r := d.ch.category(category.Follows)
	for i := range e.Follows {
		f := e.Follows[i]
		n := len(d.problems)
		acc, ok := d.account(category.Follows, f.Account)
		if !ok {
			d.lastProblem(n).Follow = &f
			continue
		}
		if why := d.blockedByExport(e, acc); why != "" {
			d.problem(category.Follows, d.c.FullAcct(acc), "blocked", why)
			continue
		}
		wanted(d.keep, category.Follows, acc.ID)
		handle := d.c.FullAcct(acc)
		// Sending the follow again sets the settings of a follow or a
		// request, and spends no allowance (app/services/follow_service.rb).
		redo := journal.Step{ID: journal.FollowID(handle), Op: journal.OpFollow, Category: category.Follows, Item: handle, AccountID: acc.ID, Follow: &f,
			Note: "set the follow's settings again: they did not stick"}
		if d.t.Requested[acc.ID] && !d.follows[acc.ID] {
			r.Pending++
			d.follows[acc.ID] = true
			d.problem(category.Follows, handle, "pending", pendingReason(handle))
			switch {
			case d.t.Stuck[acc.ID]:
				d.add(journal.Step{ID: journal.OpID(journal.OpRefollow, handle), Op: journal.OpRefollow, Category: category.Follows, Item: handle, AccountID: acc.ID, Follow: &f,
					Note: "a follow request to an open account left pending by an interrupted run: withdrawn and sent again, once"})
			case d.opts.Redo[redo.ID]:
				d.add(redo)
			}
			continue
		}
		if d.t.Following[acc.ID] != nil || d.follows[acc.ID] {
			switch rel := d.t.Settings[acc.ID]; {
			case d.opts.Redo[redo.ID] && !d.follows[acc.ID]:
				r.ToDo++
				d.add(redo)
			case d.opts.UpdateFollowSettings && rel != nil && differs(&f, rel, d.opts.Server.Capabilities()):
				r.Already++
				d.add(journal.Step{ID: journal.FollowSettingsID(handle), Op: journal.OpFollow, Category: category.Follows, Item: handle,
					AccountID: acc.ID, Follow: &f, Note: "update the follow's settings"})
			default:
				r.Already++
			}
			continue
		}
		d.follow(acc, &f, "")
	}
}

// followCap is how many accounts me may follow on a server with caps:
// Mastodon's cap, or 1.1 times the followers above it; no limit (as
// many as there can be) where the server has none.
func followCap(caps api.Capabilities, me *api.Account) int {
	if caps.FollowCap == 0 {
		return math.MaxInt / 2 // less the follows already there, still huge
	}
	return max(caps.FollowCap, me.FollowersCnt*11/10)
}

// follow adds a follow step unless the cap forbids it.
func (d *differ) follow(acc *api.Account, f *archive.Follow, note string) bool {
	r := d.ch.category(category.Follows)
	handle := d.c.FullAcct(acc)
	if d.capLeft <= 0 {
		r.OverCap++
		d.problem(category.Follows, handle, "over_cap", fmt.Sprintf("over the server's limit of %s follows", thousands(followCap(d.opts.Server.Capabilities(), d.t.Me))))
		return false
	}
	d.capLeft--
	d.follows[acc.ID] = true
	wanted(d.keep, category.Follows, acc.ID)
	r.ToDo++
	if acc.Locked {
		r.Locked++
		note = join(note, "locked: this will be a follow request")
	}
	d.add(journal.Step{ID: journal.FollowID(handle), Op: journal.OpFollow, Category: category.Follows, Item: handle, AccountID: acc.ID, Follow: f, Note: note})
	return true
}

// pendingReason says why a follow is not a follow yet.
func pendingReason(handle string) string {
	return "a follow request: it counts once " + handle + " accepts it"
}

func join(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}

// cutTitle shortens a title to the most characters the new server takes
// (most; 0 when no limit is known), counted in runes as GoToSocial counts
// them. The server would refuse the whole item for a longer title; the
// shorter one keeps it, and is the title a rerun finds it by. The note
// says so, "" when the title is kept.
func cutTitle(title string, most int) (string, string) {
	t := []rune(title)
	if most == 0 || len(t) <= most {
		return title, ""
	}
	return strings.TrimSpace(string(t[:most])), fmt.Sprintf("the title is cut to %d characters, the most the new server takes", most)
}

// diffLists adds the lists' steps and their members'. A list's steps keep
// the export's title as their item and id, and name the list by the title
// it has on the new server (cutTitle), which is what runs find it by.
func (d *differ) diffLists(e *archive.Export) {
	lists, members := d.ch.category(category.Lists), d.ch.category(category.ListMembers)
	most := d.opts.Server.Capabilities().ListTitle
	d.exportLists = map[string]bool{}
	for _, l := range e.Lists {
		l := l
		title, note := cutTitle(l.Title, most)
		d.exportLists[title] = true
		existing := d.t.Lists[title]
		switch {
		case existing != nil && d.opts.Redo[journal.ListID(l.Title)]:
			lists.ToDo++
			d.add(journal.Step{ID: journal.ListID(l.Title), Op: journal.OpCreateList, Category: category.Lists, Item: l.Title, List: title,
				ListSettings: &journal.ListSettings{RepliesPolicy: l.RepliesPolicy, Exclusive: l.Exclusive},
				Note:         "set the list's settings again: they did not stick"})
		case existing != nil:
			lists.Already++
		default:
			lists.ToDo++
			if note != "" {
				d.ch.Notes = append(d.ch.Notes, "list "+l.Title+": "+note)
			}
			d.add(journal.Step{ID: journal.ListID(l.Title), Op: journal.OpCreateList, Category: category.Lists, Item: l.Title, List: title,
				ListSettings: &journal.ListSettings{RepliesPolicy: l.RepliesPolicy, Exclusive: l.Exclusive}, Note: note})
		}
		for _, m := range l.Members {
			n := len(d.problems)
			acc, ok := d.account(category.ListMembers, m)
			if !ok {
				d.lastProblem(n).List = title
				continue
			}
			wanted(d.listKeep, title, acc.ID)
			if existing != nil && existing.Members[acc.ID] {
				members.Already++
				continue
			}
			if d.t.Following[acc.ID] == nil && !d.t.Requested[acc.ID] && !d.follows[acc.ID] {
				// Mastodon lists hold only followed accounts; its own importer
				// follows them first too.
				if !d.follow(acc, &archive.Follow{Account: m}, "to add to the list "+title) {
					continue
				}
			}
			members.ToDo++
			handle := d.c.FullAcct(acc)
			d.add(journal.Step{ID: journal.ListMemberID(l.Title, handle), Op: journal.OpAddToList, Category: category.ListMembers,
				Item: handle, AccountID: acc.ID, List: title})
		}
	}
}

func (d *differ) diffStatuses(cat category.Category, op journal.Op, uris []string, have map[string]bool) {
	r := d.ch.category(cat)
	for _, u := range uris {
		if have[u] {
			r.Already++
			continue
		}
		r.ToDo++
		d.add(journal.Step{ID: journal.OpID(op, u), Op: op, Category: cat, Item: u})
	}
}

func (d *differ) diffMutes(e *archive.Export) {
	r := d.ch.category(category.Mutes)
	for i := range e.Mutes {
		m := e.Mutes[i]
		if m.ExpiresAt != nil && !m.ExpiresAt.After(d.opts.Now) {
			d.problem(category.Mutes, m.Account.String(), "expired", "the mute expired on "+m.ExpiresAt.Format("2006-01-02"))
			continue
		}
		n := len(d.problems)
		acc, ok := d.account(category.Mutes, m.Account)
		if !ok {
			d.lastProblem(n).Mute = &m
			continue
		}
		wanted(d.keep, category.Mutes, acc.ID)
		handle := d.c.FullAcct(acc)
		id := journal.OpID(journal.OpMute, handle)
		// Muting again sets the mute's settings (Account#mute! in
		// app/models/concerns/account/interactions.rb).
		if d.t.Mutes[acc.ID] != nil && !d.opts.Redo[id] {
			r.Already++
			continue
		}
		r.ToDo++
		d.add(journal.Step{ID: id, Op: journal.OpMute, Category: category.Mutes, Item: handle, AccountID: acc.ID, Mute: &m})
	}
}

func (d *differ) diffBlocks(e *archive.Export) {
	r := d.ch.category(category.Blocks)
	for _, b := range e.Blocks {
		acc, ok := d.account(category.Blocks, b)
		if !ok {
			continue
		}
		wanted(d.keep, category.Blocks, acc.ID)
		if d.t.Blocks[acc.ID] {
			r.Already++
			continue
		}
		r.ToDo++
		handle := d.c.FullAcct(acc)
		d.add(journal.Step{ID: journal.OpID(journal.OpBlock, handle), Op: journal.OpBlock, Category: category.Blocks, Item: handle, AccountID: acc.ID})
	}
}

// diffDomains compares the export's domains as Mastodon stores them
// (lower case, punycode: domainname.Normalize) with the target's, so a
// Unicode domain is found there once blocked instead of being sent again
// every run. One Mastodon refuses (a port, an underscore) is not sent: it
// would only come back refused, run after run.
func (d *differ) diffDomains(e *archive.Export) {
	r := d.ch.category(category.DomainBlocks)
	seen := map[string]bool{}
	for _, raw := range e.DomainBlocks {
		dom, err := domainname.Normalize(raw)
		if err != nil {
			d.problem(category.DomainBlocks, raw, "invalid", "not sent: "+err.Error()+" (the server refuses it)")
			continue
		}
		if seen[dom] {
			continue // another spelling of a domain already counted
		}
		seen[dom] = true
		wanted(d.keep, category.DomainBlocks, dom)
		if d.t.DomainBlocks[dom] {
			r.Already++
			continue
		}
		r.ToDo++
		d.add(journal.Step{ID: journal.OpID(journal.OpBlockDomain, dom), Op: journal.OpBlockDomain, Category: category.DomainBlocks, Item: dom})
	}
}

// differs reports whether an existing follow's settings differ from the
// export's (an option the export does not carry never differs, nor one the
// server does not have: followDrift).
func differs(f *archive.Follow, rel *api.Relationship, caps api.Capabilities) bool {
	return len(followDrift(f, rel, caps)) > 0
}

// removals lists, for overwrite mode, what the target has and the export
// does not: follows, blocks, mutes, domain blocks, and members of the
// export's lists. Lists the export lacks are left alone.
func (d *differ) removals() {
	remove := func(cat category.Category, op journal.Op, id, item string, extra func(*journal.Step)) {
		d.ch.category(cat).Remove++
		s := journal.Step{ID: journal.OpID(op, item), Op: op, Category: cat, Item: item, AccountID: id}
		if extra != nil {
			extra(&s)
		}
		d.add(s)
	}
	handle := func(id string, a *api.Account) string {
		if a != nil {
			return d.c.FullAcct(a)
		}
		return id
	}
	for _, id := range slices.Sorted(maps.Keys(d.t.Following)) {
		if !d.keep[category.Follows][id] {
			remove(category.Follows, journal.OpUnfollow, id, handle(id, d.t.Following[id]), nil)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(d.t.Mutes)) {
		if !d.keep[category.Mutes][id] {
			remove(category.Mutes, journal.OpUnmute, id, handle(id, d.t.Mutes[id]), nil)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(d.t.Blocks)) {
		if !d.keep[category.Blocks][id] {
			remove(category.Blocks, journal.OpUnblock, id, handle(id, d.t.Accounts[id]), nil)
		}
	}
	for _, dom := range slices.Sorted(maps.Keys(d.t.DomainBlocks)) {
		if !d.keep[category.DomainBlocks][dom] {
			remove(category.DomainBlocks, journal.OpUnblockDomain, "", dom, nil)
		}
	}
	for _, title := range slices.Sorted(maps.Keys(d.t.Lists)) {
		if !d.exportLists[title] {
			continue
		}
		keep := d.listKeep[title]
		for _, id := range slices.Sorted(maps.Keys(d.t.Lists[title].Members)) {
			if !keep[id] {
				remove(category.ListMembers, journal.OpRemoveFromList, id, handle(id, d.t.Accounts[id]), func(s *journal.Step) {
					s.List = title
					s.ID = journal.ListRemovalID(title, s.Item)
				})
			}
		}
	}
}

// Estimate is how long a replay takes under the server's limits.
type Estimate struct {
	// Follows are what spends the daily follow allowance: account
	// follows, and TagFollows, the hashtag follows among them.
	Follows       int     `json:"follows"`
	TagFollows    int     `json:"tag_follows,omitempty"`
	FollowDays    int     `json:"follow_days"`
	FollowsPerDay int     `json:"follows_per_day"` // 0: the server has no daily follow limit
	Requests      int     `json:"requests"`
	RequestHours  float64 `json:"request_hours"`
	Text          string  `json:"text"`
}

// estimate counts the requests steps need (finding a status costs one
// more, and so does withdrawing a stuck request; the read-backs are
// readBackRequests) against the allowance
// the server reported: requests per window, and follows per day where it
// has such a limit (Mastodon; GoToSocial has none).
func estimate(steps []journal.Step, a api.Allowance) Estimate {
	if a.Requests <= 0 || a.Period <= 0 {
		a = api.Server{}.Capabilities().Allowance() // an unknown server's
	}
	e := Estimate{FollowsPerDay: a.FollowsPerDay, Requests: readBackRequests(steps)}
	for _, s := range steps {
		e.Requests++
		if spendsDailyFollows(s.Op) {
			e.Follows++
		}
		switch s.Op {
		case journal.OpFollowTag:
			e.TagFollows++
		case journal.OpRefollow, journal.OpBookmark, journal.OpFavourite:
			e.Requests++
		}
	}
	e.RequestHours = requestWait(e.Requests, a).Hours()
	follows := plural(e.Follows, "follow")
	if e.TagFollows > 0 {
		follows += fmt.Sprintf(" (%d of them hashtags)", e.TagFollows)
	}
	switch {
	case e.Follows == 0:
		follows = "no follows"
	case a.FollowsPerDay == 0:
		follows += " (no daily limit on this server)"
	default:
		e.FollowDays = followDays(e.Follows, a.FollowsPerDay)
		if e.FollowDays <= 1 {
			follows += fmt.Sprintf(" at %d a day: within a day", a.FollowsPerDay)
		} else {
			follows += fmt.Sprintf(" at %d a day: about %d days", a.FollowsPerDay, e.FollowDays)
		}
	}
	e.Text = follows + "; " + requestsText(e.Requests, a)
	return e
}

// Check reads the target, resolves every account and diffs: the online
// pre-check. It sends only GET requests. Reading and resolving go on side
// by side; me is the account if the caller has read it, or nil.
func Check(ctx context.Context, c *api.Client, me *api.Account, e *archive.Export, r *Resolver, opts Options) (*Changes, *Target, error) {
	var t *Target
	var res map[string]Resolved
	var g errgroup.Group
	g.Go(func() (err error) { t, err = ReadTarget(ctx, c, me, e, opts.IncludeLikes); return err })
	g.Go(func() (err error) { res, err = r.Resolve(ctx, accountsOf(e)); return err })
	if err := g.Wait(); err != nil {
		return nil, nil, err
	}
	if err := t.loadRequests(ctx, c, e, res); err != nil {
		return nil, nil, err
	}
	if opts.UpdateFollowSettings && len(t.Following) > 0 {
		var err error
		if t.Settings, err = c.Relationships(ctx, slices.Sorted(maps.Keys(t.Following))); err != nil {
			return nil, nil, fmt.Errorf("reading follow settings: %w", err)
		}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Allowance, opts.Server = c.Allowance(ctx), c.Server(ctx)
	return Diff(e, t, res, c, opts), t, nil
}

// loadRequests finds pending follow requests, which the following list
// does not show; only relationships do. Any follow can be pending: a
// locked account's until its owner approves, a remote one's until its
// server accepts (Mastodon answers the follow itself with following: true
// all the same, app/services/follow_service.rb).
func (t *Target) loadRequests(ctx context.Context, c *api.Client, e *archive.Export, res map[string]Resolved) error {
	var ids []string
	seen := map[string]bool{}
	byID := map[string]*api.Account{}
	add := func(a archive.Account) {
		acc := res[a.Key()].Account
		if acc != nil && acc.Moved != nil {
			acc = acc.Moved
		}
		if acc != nil && t.Following[acc.ID] == nil && !seen[acc.ID] {
			seen[acc.ID] = true
			byID[acc.ID] = acc
			ids = append(ids, acc.ID)
		}
	}
	for _, f := range e.Follows {
		add(f.Account)
	}
	for _, l := range e.Lists {
		for _, m := range l.Members {
			add(m)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rels, err := c.Relationships(ctx, ids)
	if err != nil && !errors.Is(err, api.ErrNotFound) {
		return fmt.Errorf("reading follow requests: %w", err)
	}
	for id, r := range rels {
		if !r.Requested {
			continue
		}
		t.Requested[id] = true
		if a := byID[id]; a != nil && !a.Locked && !strings.Contains(a.Acct, "@") {
			t.Stuck[id] = true
		}
	}
	return nil
}
