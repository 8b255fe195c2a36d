// Package category names what a migration carries, in one registry: each
// category's op, its file in Mastodon's CSV exports, the read of the
// target that probes it, and where it comes in the replay. plan, the
// runner, report, the CSV writer and the README's compatibility table all
// read this list; adding a category is one entry here plus its send and
// read functions in migrate.
//
// It is a leaf: it imports nothing of ours, so both api (the capability
// table, keyed by category) and migrate import it without api ever
// importing migrate.
package category

// Category is one kind of thing carried: "follows", "list_members", …
type Category string

// The categories. Their order in Registry is the replay order.
const (
	Follows      Category = "follows"
	Lists        Category = "lists"
	ListMembers  Category = "list_members"
	Bookmarks    Category = "bookmarks"
	Likes        Category = "likes"
	FollowedTags Category = "followed_tags"
	FeaturedTags Category = "featured_tags"
	Endorsements Category = "endorsements"
	Notes        Category = "notes"
	Filters      Category = "filters"
	Mutes        Category = "mutes"
	Blocks       Category = "blocks"
	DomainBlocks Category = "domain_blocks"
)

// Op is a kind of change made on the new account: "follow", "mute", …
// (migrate holds the constants; a registry entry names the op that
// carries one item of its category).
type Op string

// Info is a category's entry in the registry.
type Info struct {
	Name Category
	// Op is the op that carries one item (the journal's and the retry
	// CSV's); the diff also makes removals and refollows.
	Op Op
	// CSV is the file of Mastodon's exports (and of its importer) that
	// holds the category, "" when none does.
	CSV string
	// Probe is the read of the target (Target.Unreadable's key) whose
	// missing route says the server cannot do the category.
	Probe string
	// Extra: only the old account read live gives it (--from).
	Extra bool
	// Compat: a column of the README's compatibility table, whose lanes
	// are in api's capability table.
	Compat bool
}

// Registry holds every category, in replay order: follows first (list
// members must be followed, an endorsement needs a follow), domain blocks
// last (blocking removes follows).
var Registry = []Info{
	{Name: Follows, Op: "follow", CSV: "following_accounts.csv", Probe: "follows", Compat: true},
	{Name: Lists, Op: "create_list", CSV: "lists.csv", Probe: "lists", Compat: true},
	{Name: ListMembers, Op: "add_to_list", CSV: "lists.csv", Probe: "lists", Compat: true},
	{Name: Bookmarks, Op: "bookmark", CSV: "bookmarks.csv", Probe: "bookmarks", Compat: true},
	{Name: Likes, Op: "favourite", Probe: "favourites", Compat: true},
	{Name: FollowedTags, Op: "follow_tag", Probe: "followed_tags", Extra: true},
	{Name: FeaturedTags, Op: "feature_tag", Probe: "featured_tags", Extra: true},
	{Name: Endorsements, Op: "endorse", Probe: "endorsements", Extra: true},
	{Name: Notes, Op: "note", Extra: true},
	{Name: Filters, Op: "create_filter", Probe: "filters", Extra: true},
	{Name: Mutes, Op: "mute", CSV: "muted_accounts.csv", Probe: "mutes", Compat: true},
	{Name: Blocks, Op: "block", CSV: "blocked_accounts.csv", Probe: "blocks", Compat: true},
	{Name: DomainBlocks, Op: "block_domain", CSV: "blocked_domains.csv", Probe: "domain_blocks", Compat: true},
}

// Of is name's entry.
func Of(name Category) (Info, bool) {
	for _, c := range Registry {
		if c.Name == name {
			return c, true
		}
	}
	return Info{}, false
}

// Names are the categories' names in replay order, those that keep (nil:
// all).
func Names(keep func(Info) bool) []Category {
	var out []Category
	for _, c := range Registry {
		if keep == nil || keep(c) {
			out = append(out, c.Name)
		}
	}
	return out
}

// Index is name's place in the replay order, -1 when unknown.
func Index(name Category) int {
	for i, c := range Registry {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// ProbedBy names the categories a read of the target probes.
func ProbedBy(read string) []Category {
	return Names(func(c Info) bool { return c.Probe == read })
}
