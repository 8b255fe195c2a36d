package archive

import (
	"sort"
	"time"
)

// Export is everything mastomigrate learned from a user's exports, merged
// and de-duplicated, whatever files it came from.
type Export struct {
	Sources      []string  `json:"sources"` // what was read, for the report
	Follows      []Follow  `json:"follows"`
	Lists        []List    `json:"lists"`
	DomainBlocks []string  `json:"domain_blocks"`
	Mutes        []Mute    `json:"mutes"`
	Blocks       []Account `json:"blocks"`
	Bookmarks    []string  `json:"bookmarks"` // status URIs
	Likes        []string  `json:"likes"`     // status URIs

	// What cannot be imported, counted so the plan can say so.
	Followers *int       `json:"followers,omitempty"` // nil when no export listed them
	Posts     *PostCount `json:"posts,omitempty"`     // nil without an outbox
	Media     MediaCount `json:"media"`
	Profile   *Profile   `json:"profile,omitempty"` // from actor.json

	// Covered names what the files read could tell at all ("follows",
	// "lists", "mutes", "blocks", "domain_blocks", "bookmarks", "likes",
	// "posts", "media", "profile", "followers"): an archive alone says
	// nothing of follows, which only the CSV exports hold. Nil means
	// everything (an Export built by hand).
	Covered map[string]bool `json:"covered,omitempty"`
	// Ignored lists the files of the inputs that are not exports.
	Ignored []string `json:"ignored,omitempty"`
}

// Covers reports whether the exports read could tell what is in cat.
func (e *Export) Covers(cat string) bool {
	if e.Covered == nil {
		return true
	}
	if cat == "list_members" {
		cat = "lists"
	}
	return e.Covered[cat]
}

// categoryOf is what a kind of file can tell.
var categoryOf = map[kind][]string{
	kindFollowingJSON:    {"follows"},
	kindFollowingCSV:     {"follows"},
	kindFollowersJSON:    {"followers"},
	kindListsJSON:        {"lists"},
	kindListsCSV:         {"lists"},
	kindDomainBlocksJSON: {"domain_blocks"},
	kindDomainsCSV:       {"domain_blocks"},
	kindMutedJSON:        {"mutes"},
	kindMutedCSV:         {"mutes"},
	kindBlockedJSON:      {"blocks"},
	kindBlockedCSV:       {"blocks"},
	kindBookmarksJSON:    {"bookmarks"},
	kindBookmarksCSV:     {"bookmarks"},
	kindLikesJSON:        {"likes"},
	kindOutboxJSON:       {"posts", "media"},
	kindActorJSON:        {"profile"},
}

// Follow is one followed account with the options the export carried; nil
// means the export did not say.
type Follow struct {
	Account   Account  `json:"account"`
	Reblogs   *bool    `json:"reblogs,omitempty"`
	Notify    *bool    `json:"notify,omitempty"`
	Languages []string `json:"languages,omitempty"`
}

// Mute is one muted account.
type Mute struct {
	Account       Account    `json:"account"`
	Notifications *bool      `json:"notifications,omitempty"` // also hide notifications
	ExpiresAt     *time.Time `json:"expires_at,omitempty"`
}

// List is one list with its members. RepliesPolicy is "" when unknown
// (CSV exports carry neither it nor Exclusive).
type List struct {
	Title         string    `json:"title"`
	RepliesPolicy string    `json:"replies_policy,omitempty"`
	Exclusive     *bool     `json:"exclusive,omitempty"`
	Members       []Account `json:"members"`
}

// PostCount counts the user's own posts by visibility, and boosts.
type PostCount struct {
	Public        int `json:"public"`
	Unlisted      int `json:"unlisted"`
	FollowersOnly int `json:"followers_only"`
	Direct        int `json:"direct"`
	Boosts        int `json:"boosts"`
}

// Total is the number of posts, boosts excluded.
func (p PostCount) Total() int { return p.Public + p.Unlisted + p.FollowersOnly + p.Direct }

// MediaCount is the user's own uploaded files found in the export.
type MediaCount struct {
	Files int   `json:"files"`
	Bytes int64 `json:"bytes"`
}

// Profile is what actor.json says about the user.
type Profile struct {
	Username    string  `json:"username,omitempty"`
	DisplayName string  `json:"display_name,omitempty"`
	Note        string  `json:"note,omitempty"`
	Fields      []Field `json:"fields,omitempty"`
	Avatar      string  `json:"avatar,omitempty"` // path inside the archive
	Header      string  `json:"header,omitempty"`
	Locked      bool    `json:"locked,omitempty"`
}

// Field is one profile metadata row.
type Field struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// builder collects entries from any number of files and merges them.
type builder struct {
	sources   []string
	follows   map[string]*Follow
	followOrd []string
	lists     map[string]*listAcc
	listOrd   []string
	domains   map[string]bool
	domainOrd []string
	mutes     map[string]*Mute
	muteOrd   []string
	blocks    map[string]*Account
	blockOrd  []string
	bookmarks orderedSet
	likes     orderedSet
	followers *int
	posts     *PostCount
	media     MediaCount
	profile   *Profile
	covered   map[kind]bool
	ignored   []string
	progress  func(input string, bytes int64)
	done      int64
}

type listAcc struct {
	list    List
	members map[string]*Account
	order   []string
}

type orderedSet struct {
	seen  map[string]bool
	items []string
}

func (s *orderedSet) add(v string) {
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	if !s.seen[v] {
		s.seen[v] = true
		s.items = append(s.items, v)
	}
}

func newBuilder() *builder {
	return &builder{
		follows: map[string]*Follow{},
		lists:   map[string]*listAcc{},
		domains: map[string]bool{},
		mutes:   map[string]*Mute{},
		blocks:  map[string]*Account{},
		covered: map[kind]bool{},
	}
}

// mergeAccount fills what one mention lacks from another.
func mergeAccount(dst *Account, src Account) {
	if dst.Acct == "" {
		dst.Acct = src.Acct
	}
	if dst.URI == "" {
		dst.URI = src.URI
	}
}

func firstBool(a, b *bool) *bool {
	if a != nil {
		return a
	}
	return b
}

func (b *builder) addFollow(f Follow) {
	k := f.Account.Key()
	old, ok := b.follows[k]
	if !ok {
		b.follows[k] = &f
		b.followOrd = append(b.followOrd, k)
		return
	}
	mergeAccount(&old.Account, f.Account)
	// Whichever source carries an option wins; CSVs always carry them.
	old.Reblogs = firstBool(f.Reblogs, old.Reblogs)
	old.Notify = firstBool(f.Notify, old.Notify)
	if len(f.Languages) > 0 {
		old.Languages = f.Languages
	}
}

func (b *builder) addMute(m Mute) {
	k := m.Account.Key()
	old, ok := b.mutes[k]
	if !ok {
		b.mutes[k] = &m
		b.muteOrd = append(b.muteOrd, k)
		return
	}
	mergeAccount(&old.Account, m.Account)
	old.Notifications = firstBool(m.Notifications, old.Notifications)
	if m.ExpiresAt != nil {
		old.ExpiresAt = m.ExpiresAt
	}
}

func (b *builder) addBlock(a Account) {
	k := a.Key()
	if old, ok := b.blocks[k]; ok {
		mergeAccount(old, a)
		return
	}
	b.blocks[k] = &a
	b.blockOrd = append(b.blockOrd, k)
}

func (b *builder) addDomainBlock(d string) {
	if !b.domains[d] {
		b.domains[d] = true
		b.domainOrd = append(b.domainOrd, d)
	}
}

// list returns the list with this title, creating it. Titles are matched
// exactly, as Mastodon's importer does.
func (b *builder) list(title string) *listAcc {
	if l, ok := b.lists[title]; ok {
		return l
	}
	l := &listAcc{list: List{Title: title}, members: map[string]*Account{}}
	b.lists[title] = l
	b.listOrd = append(b.listOrd, title)
	return l
}

func (l *listAcc) addMember(a Account) {
	k := a.Key()
	if old, ok := l.members[k]; ok {
		mergeAccount(old, a)
		return
	}
	l.members[k] = &a
	l.order = append(l.order, k)
}

// unalias folds entries known only by an actor URI into the entry whose
// handle that URI guesses, so "https://h/users/a" from one file and "a@h"
// from another become one entry. It returns the surviving keys in order.
func unalias[T any](m map[string]*T, order []string, acct func(*T) *Account, fold func(dst, src *T)) []string {
	out := make([]string, 0, len(order))
	for _, k := range order {
		a := acct(m[k])
		if a.Acct == "" {
			if dst, ok := m[guessAcct(a.URI)]; ok && acct(dst).Acct != "" {
				mergeAccount(acct(dst), *a)
				fold(dst, m[k])
				delete(m, k)
				continue
			}
		}
		out = append(out, k)
	}
	return out
}

func foldFollow(dst, src *Follow) {
	dst.Reblogs = firstBool(dst.Reblogs, src.Reblogs)
	dst.Notify = firstBool(dst.Notify, src.Notify)
	if len(dst.Languages) == 0 {
		dst.Languages = src.Languages
	}
}

func foldMute(dst, src *Mute) {
	dst.Notifications = firstBool(dst.Notifications, src.Notifications)
	if dst.ExpiresAt == nil {
		dst.ExpiresAt = src.ExpiresAt
	}
}

func foldNothing(dst, src *Account) {}

func followAccount(f *Follow) *Account { return &f.Account }
func muteAccount(m *Mute) *Account     { return &m.Account }
func sameAccount(a *Account) *Account  { return a }

func collect[T any](m map[string]*T, order []string) []T {
	out := make([]T, 0, len(order))
	for _, k := range order {
		if v, ok := m[k]; ok {
			out = append(out, *v)
		}
	}
	return out
}

func (b *builder) export() *Export {
	e := &Export{
		Sources:      b.sources,
		Follows:      collect(b.follows, unalias(b.follows, b.followOrd, followAccount, foldFollow)),
		Mutes:        collect(b.mutes, unalias(b.mutes, b.muteOrd, muteAccount, foldMute)),
		Blocks:       collect(b.blocks, unalias(b.blocks, b.blockOrd, sameAccount, foldNothing)),
		DomainBlocks: append([]string{}, b.domainOrd...),
		Bookmarks:    append([]string{}, b.bookmarks.items...),
		Likes:        append([]string{}, b.likes.items...),
		Followers:    b.followers,
		Posts:        b.posts,
		Media:        b.media,
		Profile:      b.profile,
		Lists:        []List{},
		Covered:      map[string]bool{},
		Ignored:      b.ignored,
	}
	for k := range b.covered {
		for _, c := range categoryOf[k] {
			e.Covered[c] = true
		}
	}
	if b.media.Files > 0 {
		e.Covered["media"] = true
	}
	for _, t := range b.listOrd {
		l := b.lists[t]
		l.list.Members = collect(l.members, unalias(l.members, l.order, sameAccount, foldNothing))
		e.Lists = append(e.Lists, l.list)
	}
	sort.Strings(e.Sources)
	return e
}

// ListMembers counts members over all lists.
func (e *Export) ListMembers() int {
	n := 0
	for _, l := range e.Lists {
		n += len(l.Members)
	}
	return n
}

// FollowKeys returns the set of followed accounts' keys, with guessed
// handles for URI-only follows so either form finds them.
func (e *Export) FollowKeys() map[string]bool {
	m := make(map[string]bool, len(e.Follows))
	for _, f := range e.Follows {
		m[f.Account.Key()] = true
		if f.Account.URI != "" {
			m[f.Account.URI] = true
			if g := guessAcct(f.Account.URI); g != "" {
				m[g] = true
			}
		}
	}
	return m
}

// Known reports whether set (from FollowKeys) holds the account a.
func Known(set map[string]bool, a Account) bool {
	if set[a.Key()] || (a.URI != "" && set[a.URI]) {
		return true
	}
	return a.Acct == "" && set[guessAcct(a.URI)]
}
