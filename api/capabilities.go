package api

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/category"
)

// Lane is how a category of data reaches a server.
type Lane string

const (
	// LaneAPI is one REST call per item, paced by the server's limits.
	LaneAPI Lane = "api"
	// LaneImport is the server's bulk import by API: one upload per
	// category, processed by the server in the background (GoToSocial's
	// POST /api/v1/import, internal/api/client/import/import.go).
	LaneImport Lane = "import"
	// LaneWebImport is a CSV the person uploads on the server's web
	// settings (Mastodon's Settings > Import and export > Import;
	// app/models/form/import.rb, app/services/bulk_import_service.rb).
	LaneWebImport Lane = "web import"
)

// Capabilities are what a server supports, as far as mastomigrate cares.
// One table (capabilityTable) holds them for every software; plan,
// migrate and the README's compatibility table read it.
type Capabilities struct {
	Software string // as Server.Software; "" for an unknown server
	Name     string // for people: "Mastodon 4.3+"
	// Lanes are, by category (migrate.Categories), the ways in, fastest
	// first. A category with no lane is not supported.
	Lanes map[category.Category][]Lane
	// Features besides the categories.
	ExclusiveLists   bool // lists with "exclusive" (Mastodon 4.2+)
	PKCE             bool // OAuth PKCE (Mastodon 4.3+, GoToSocial)
	UserDomainBlocks bool // /api/v1/domain_blocks for users (not on GoToSocial: admin only)
	Endorsements     bool // featured accounts
	FeaturedTags     bool // featured hashtags (GoToSocial reads them as none and takes none)
	BackdatedPosts   bool // scheduled_at in the past keeps the date (GoToSocial 0.18+)
	// ListsTakeRequests says a list takes an account whose follow is still
	// a request (Mastodon 4.2+, app/models/list_account.rb); GoToSocial's
	// lists hold only accepted follows (internal/processing/list/updateentries.go).
	ListsTakeRequests bool
	// FollowsPerDay is the API's daily follow allowance, 0 when none. On
	// Mastodon hashtag follows spend it too (app/models/tag_follow.rb).
	FollowsPerDay int
	// FollowCap is how many accounts one may follow, 0 when no limit:
	// Mastodon's 7,500, or 1.1 times the followers above it
	// (app/validators/follow_limit_validator.rb, MAX_FOLLOWS_THRESHOLD's
	// default). GoToSocial has none (internal/processing/account/
	// follow.go checks only blocks and existing follows).
	FollowCap int
	// OutgoingRequests says the server may list the follow requests an
	// account sent and that wait for acceptance (GET /api/v1/
	// follow_requests/outgoing, GoToSocial 0.20: internal/api/client/
	// followrequests/getoutgoing.go; new in 0.20.0 as far as clients
	// tell, its source has one stored version, so the read itself tells:
	// a missing route says no). Mastodon has no
	// such route (config/routes/api.rb): only a relationship shows a
	// request there. Entries that Probe try it too.
	OutgoingRequests bool
	// FollowLanguages says a follow keeps the languages sent and its
	// relationship shows them (Mastodon: app/models/follow.rb; GoToSocial
	// has none, internal/api/model/relationship.go). Where false, they are
	// never compared: not drift there.
	FollowLanguages bool
	// RequestSettings says a follow request's relationship shows its
	// reblogs and notify: Mastodon's RelationshipSerializer reads them
	// from requested_map too (app/serializers/rest/relationship_serializer.rb);
	// GoToSocial's shows them only for an accepted follow
	// (internal/db/bundb/relationship.go GetRelationship), so a request's
	// settings are compared once it is accepted.
	RequestSettings bool
	// ProfileSettings says verify_credentials shows each profile setting
	// update_credentials takes (locked, bot, discoverable, source's
	// privacy, sensitive and language), so a read-back can tell one that
	// did not stick: Mastodon's credentials_controller.rb binds them and
	// app/serializers/rest/credential_account_serializer.rb (with
	// account_serializer.rb) shows them; GoToSocial's internal/processing/
	// account/update.go sets all six and internal/api/model/account.go and
	// source.go show them. Akkoma's and Pleroma's are not known: not
	// compared there.
	ProfileSettings bool
	// Profile is what update_credentials takes (profileLimits).
	Profile ProfileLimits
	// FilterActions are the filter actions a v2 filter may take
	// (filterActions); nil when not known: sent as they are.
	FilterActions []string
	// FilterKeyword is the most characters a filter keyword may have, 0
	// when there is no limit known: GoToSocial refuses a longer one, and
	// the whole filter with it, with 422 (internal/validate/
	// formvalidation.go, maximumFilterKeywordLength); Mastodon has none
	// (app/models/custom_filter_keyword.rb validates presence only).
	FilterKeyword int
	// FilterTitle is the most characters a filter's title may have, 0
	// when there is no limit known: GoToSocial refuses a longer one with
	// 422 (formvalidation.go, maximumFilterTitleLength); Mastodon has none
	// (app/models/custom_filter.rb validates presence only).
	FilterTitle int
	// ListTitle is the most characters a list's title may have, 0 when
	// there is no limit known: GoToSocial refuses a longer one with 400
	// (internal/validate/formvalidation.go, ListTitle and
	// maximumListTitleLength, counted in runes; called from internal/api/
	// client/lists/listcreate.go and listupdate.go); Mastodon has none
	// (app/models/list.rb validates presence only).
	ListTitle int
	// Probe says the entry is a guess: check each feature by trying it.
	Probe bool
	// minVersion is the first version the entry is for ("" any).
	minVersion string
}

// Fastest is cat's fastest lane, or "" when unsupported.
func (c Capabilities) Fastest(cat category.Category) Lane {
	if l := c.Lanes[cat]; len(l) > 0 {
		return l[0]
	}
	return ""
}

// Has reports whether lane is one of cat's lanes.
func (c Capabilities) Has(cat category.Category, lane Lane) bool {
	for _, l := range c.Lanes[cat] {
		if l == lane {
			return true
		}
	}
	return false
}

// CompatCategories are the categories of the compatibility table, in
// replay order: the registry's (package category, a leaf api may import).
var CompatCategories = category.Names(func(c category.Info) bool { return c.Compat })

var (
	apiOnly       = []Lane{LaneAPI}
	webThenAPI    = []Lane{LaneWebImport, LaneAPI}
	importThenAPI = []Lane{LaneImport, LaneAPI}
)

// capabilityTable is the one table; entries of one software are newest
// first. Sources: ../shared/SERVERS.md and ../shared/MASTODON-FACTS.md.
var capabilityTable = []Capabilities{
	{Software: "mastodon", Name: "Mastodon 4.3+", minVersion: "4.3",
		// The web importer takes following, lists, blocks, mutes, domain
		// blocks and bookmarks (app/models/form/import.rb, TYPES); likes
		// only by API.
		Lanes: map[category.Category][]Lane{category.Follows: webThenAPI, category.Lists: webThenAPI, category.ListMembers: webThenAPI,
			category.Bookmarks: webThenAPI, category.Likes: apiOnly, category.Mutes: webThenAPI, category.Blocks: webThenAPI, category.DomainBlocks: webThenAPI},
		ExclusiveLists: true, PKCE: true, UserDomainBlocks: true, Endorsements: true, FeaturedTags: true, FollowsPerDay: 400, FollowCap: 7500, ListsTakeRequests: true,
		FollowLanguages: true, RequestSettings: true, ProfileSettings: true},
	{Software: "mastodon", Name: "Mastodon 4.2",
		Lanes: map[category.Category][]Lane{category.Follows: webThenAPI, category.Lists: webThenAPI, category.ListMembers: webThenAPI,
			category.Bookmarks: webThenAPI, category.Likes: apiOnly, category.Mutes: webThenAPI, category.Blocks: webThenAPI, category.DomainBlocks: webThenAPI},
		ExclusiveLists: true, UserDomainBlocks: true, Endorsements: true, FeaturedTags: true, FollowsPerDay: 400, FollowCap: 7500, ListsTakeRequests: true,
		FollowLanguages: true, RequestSettings: true, ProfileSettings: true},
	{Software: "gotosocial", Name: "GoToSocial 0.18+", minVersion: "0.18",
		// POST /api/v1/import takes following, blocks and mutes
		// (internal/api/client/import/import.go); no user domain blocks.
		Lanes: map[category.Category][]Lane{category.Follows: importThenAPI, category.Lists: apiOnly, category.ListMembers: apiOnly,
			category.Bookmarks: apiOnly, category.Likes: apiOnly, category.Mutes: importThenAPI, category.Blocks: importThenAPI},
		ExclusiveLists: true, PKCE: true, BackdatedPosts: true, OutgoingRequests: true, ProfileSettings: true},
	{Software: "gotosocial", Name: "GoToSocial",
		Lanes: map[category.Category][]Lane{category.Follows: apiOnly, category.Lists: apiOnly, category.ListMembers: apiOnly,
			category.Bookmarks: apiOnly, category.Likes: apiOnly, category.Mutes: apiOnly, category.Blocks: apiOnly},
		PKCE: true, OutgoingRequests: true, ProfileSettings: true},
	{Software: "akkoma", Name: "Akkoma", Probe: true,
		Lanes: map[category.Category][]Lane{category.Follows: apiOnly, category.Lists: apiOnly, category.ListMembers: apiOnly,
			category.Bookmarks: apiOnly, category.Likes: apiOnly, category.Mutes: apiOnly, category.Blocks: apiOnly, category.DomainBlocks: apiOnly},
		UserDomainBlocks: true, Endorsements: true, FeaturedTags: true},
	{Software: "pleroma", Name: "Pleroma", Probe: true,
		Lanes: map[category.Category][]Lane{category.Follows: apiOnly, category.Lists: apiOnly, category.ListMembers: apiOnly,
			category.Bookmarks: apiOnly, category.Likes: apiOnly, category.Mutes: apiOnly, category.Blocks: apiOnly, category.DomainBlocks: apiOnly},
		UserDomainBlocks: true, Endorsements: true, FeaturedTags: true},
	// Unknown servers get Mastodon's behaviour, probed. Akkoma's and
	// Pleroma's follow languages, request settings and profile settings
	// are not known: not compared there.
	{Software: "", Name: "other (treated as Mastodon, probed)", Probe: true,
		Lanes: map[category.Category][]Lane{category.Follows: apiOnly, category.Lists: apiOnly, category.ListMembers: apiOnly,
			category.Bookmarks: apiOnly, category.Likes: apiOnly, category.Mutes: apiOnly, category.Blocks: apiOnly, category.DomainBlocks: apiOnly},
		UserDomainBlocks: true, FollowsPerDay: 400, FollowCap: 7500, ListsTakeRequests: true, FollowLanguages: true, RequestSettings: true, ProfileSettings: true},
}

// Refuses says the server takes none of cat's items, for the categories
// the table knows beyond their lanes (featured accounts and hashtags);
// the others are known by their lanes, or by probing.
func (c Capabilities) Refuses(cat category.Category) bool {
	switch cat {
	case category.Endorsements:
		return !c.Endorsements
	case category.FeaturedTags:
		return !c.FeaturedTags
	}
	return false
}

// Allowance is the server's request allowance before its headers tell
// it: 300 requests per 5 minutes on every server of the table (Mastodon
// per account, config/initializers/rack_attack.rb; GoToSocial per client
// IP, ../shared/SERVERS.md), and the entry's daily follow allowance.
func (c Capabilities) Allowance() Allowance {
	return Allowance{Requests: 300, Period: 5 * time.Minute, FollowsPerDay: c.FollowsPerDay}
}

// Capabilities looks the server up in the table.
func (s Server) Capabilities() Capabilities {
	c := capabilityTable[len(capabilityTable)-1]
	for _, e := range capabilityTable {
		if e.Software == s.Software && versionAtLeast(s.Version, e.minVersion) {
			c = e
			break
		}
	}
	c.Profile = s.profileLimits()
	c.FilterActions = s.filterActions()
	if s.Software == "gotosocial" {
		c.FilterKeyword, c.FilterTitle, c.ListTitle = 40, 200, 200
	}
	return c
}

// filterActions are, like profileLimits, apart from capabilityTable,
// whose Mastodon entries split at 4.3, not 4.4: Mastodon up to 4.3
// declares `enum :action, { warn: 0, hide: 1 }` without validation, so
// blur is a 500 there; 4.4 added blur (app/models/custom_filter.rb at
// v4.3.8 and v4.4.0). GoToSocial 0.20 validates warn and hide only
// (internal/validate/formvalidation.go, FilterAction: 422 for blur).
// Others are not pinned down: sent as they are.
func (s Server) filterActions() []string {
	switch {
	case s.Software == "mastodon" && versionAtLeast(s.Version, "4.4"):
		return []string{"warn", "hide", "blur"}
	case s.Software == "mastodon" || s.Software == "gotosocial":
		return []string{"warn", "hide"}
	}
	return nil
}

// FilterAction is the action to send for a filter's action: itself where
// the server takes it, else warn, the action the API says to read an
// unknown one as (the Mastodon API documentation; mastodon/mastodon
// pull request 34256, which added blur), and whether it changed.
func (c Capabilities) FilterAction(action string) (string, bool) {
	if c.FilterActions == nil || action == "" || slices.Contains(c.FilterActions, action) {
		return action, false
	}
	return "warn", true
}

// ProfileLimits are what a server's update_credentials takes. A breach of
// any refuses the whole request, every other part of it lost too; 0 is no
// limit known.
type ProfileLimits struct {
	DisplayName int // characters
	Note        int // characters, as NoteLength counts them
	Fields      int
	FieldText   int   // characters of a field's name, and of its value
	Picture     int64 // bytes an avatar or a header may have at most
}

// profileLimitTable holds the limits apart from capabilityTable, whose
// entries (and the README's table) split Mastodon at 4.3, not 4.4.
// Entries of one software are newest first.
//   - Mastodon (app/models/account.rb): display_name ≤ 30
//     (DISPLAY_NAME_LENGTH_LIMIT), note ≤ 500 by NoteLengthValidator
//     (NOTE_LENGTH_LIMIT), fields ≤ 4 (DEFAULT_FIELDS_SIZE), each name and
//     value 255 (Account::Field::MAX_CHARACTERS_LOCAL, what the instance
//     API advertises); pictures "less_than" 2 MB up to 4.3, 8 MB from 4.4
//     (app/models/concerns/account/avatar.rb, header.rb). Any breach is
//     422 for the whole update (credentials_controller.rb, update!).
//   - GoToSocial 0.20: no length check on display name or note
//     (internal/validate/formvalidation.go: DisplayName and Note are
//     TODOs), at most accounts-max-profile-fields fields, default 6, each
//     name and value trimmed to 255 runes (ProfileFields); pictures up to
//     media-local-max-size, default 40 MiB (internal/config/defaults.go,
//     internal/processing/account/update.go UpdateAvatar). A breach is 400
//     for the whole update.
//   - Unknown servers are treated as Mastodon's latest.
var profileLimitTable = []struct {
	software, minVersion string
	limits               ProfileLimits
}{
	{"mastodon", "4.4", ProfileLimits{DisplayName: 30, Note: 500, Fields: 4, FieldText: 255, Picture: 8<<20 - 1}},
	{"mastodon", "", ProfileLimits{DisplayName: 30, Note: 500, Fields: 4, FieldText: 255, Picture: 2<<20 - 1}},
	{"gotosocial", "", ProfileLimits{Fields: 6, FieldText: 255, Picture: 40 << 20}},
	{"", "", ProfileLimits{DisplayName: 30, Note: 500, Fields: 4, FieldText: 255, Picture: 8<<20 - 1}},
}

func (s Server) profileLimits() ProfileLimits {
	for _, e := range profileLimitTable {
		if e.software == s.Software && versionAtLeast(s.Version, e.minVersion) {
			return e.limits
		}
	}
	return ProfileLimits{} // Akkoma, Pleroma: not known; the server decides
}

var (
	noteURL     = regexp.MustCompile(`https?://[^\s<>"]+`)
	noteMention = regexp.MustCompile(`(@[A-Za-z0-9_]+(?:[.-]+[A-Za-z0-9_]+)*)@[A-Za-z0-9.-]+[A-Za-z0-9]`)
)

// NoteLength counts a bio the way Mastodon's NoteLengthValidator does
// (app/validators/note_length_validator.rb): every URL as 23 characters
// (StatusLengthValidator::URL_PLACEHOLDER), a mention without its
// domain. It counts code points where Mastodon counts grapheme clusters,
// never fewer, so a bio it passes is one Mastodon takes.
func NoteLength(s string) int {
	s = noteURL.ReplaceAllString(s, strings.Repeat("x", 23))
	s = noteMention.ReplaceAllString(s, "$1")
	return utf8.RuneCountInString(s)
}

// versionAtLeast compares dotted versions by their first two numbers; an
// unreadable version counts as new enough (probe rather than refuse).
func versionAtLeast(v, min string) bool {
	if min == "" {
		return true
	}
	num := func(s string) [2]int {
		var out [2]int
		for i, p := range strings.SplitN(s, ".", 3) {
			if i > 1 {
				break
			}
			n, err := strconv.Atoi(strings.TrimLeft(p, "v"))
			if err != nil {
				return [2]int{1 << 30, 0}
			}
			out[i] = n
		}
		return out
	}
	a, b := num(v), num(min)
	return a[0] > b[0] || a[0] == b[0] && a[1] >= b[1]
}

// CompatibilityTable is the README's compatibility table in Markdown:
// one row per server, one column per category, each cell the lanes
// fastest first ("—" when unsupported).
func CompatibilityTable() string {
	var b strings.Builder
	b.WriteString("| server |")
	for _, cat := range CompatCategories {
		fmt.Fprintf(&b, " %s |", strings.ReplaceAll(string(cat), "_", " "))
	}
	b.WriteString("\n|---|")
	b.WriteString(strings.Repeat("---|", len(CompatCategories)))
	b.WriteString("\n")
	for _, c := range capabilityTable {
		fmt.Fprintf(&b, "| %s |", c.Name)
		for _, cat := range CompatCategories {
			var names []string
			for _, l := range c.Lanes[cat] {
				names = append(names, string(l))
			}
			cell := "—"
			if len(names) > 0 {
				cell = strings.Join(names, ", ")
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	return b.String()
}
