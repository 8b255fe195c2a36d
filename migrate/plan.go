// Package migrate is the engine of a migration, for every face (the
// terminal, the page): the Session that runs one end to end (read the
// exports, plan, check the target, the bulk lane, the replay, the posts,
// the summary) and talks to a person only through Person and its
// Events; the plan of what can and cannot be carried; the differ
// (changes.go) against the target's state; the Runner that replays
// steps; and the report of what did not make it. Its sub-packages hold
// one job each: the journal, the outcome policy, the posts lane, the
// account move, the retry CSVs.
package migrate

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// assumed are the limits a plan counts with before it knows the server,
// and says so: Mastodon's, from the capability table (the follow cap of
// app/validators/follow_limit_validator.rb, the daily follows of
// app/lib/rate_limiter.rb), the tightest of the servers people move to.
var assumed = api.Server{Software: "mastodon"}.Capabilities()

const maxWarnExample = 5

// Mastodon's own importer (Preferences > Import and export > Import) takes
// at most this many rows, and this many bytes, per file
// (app/models/form/import.rb).
const (
	ImporterRows  = 20000
	ImporterBytes = 20_000_000
)

// Includable are the opt-in extras of plan and migrate's --include.
var Includable = []string{"likes", "profile", "posts"}

// Plan is what a migration would do, before anything is sent.
type Plan struct {
	Sources []string `json:"sources"`
	// Include is what --include opted in to (likes, profile).
	Include    []string     `json:"include"`
	Importable Importable   `json:"importable"`
	NotCarried []NotCarried `json:"not_carried"`
	Warnings   []Warning    `json:"warnings"`
	// NotInExports names the categories the exports given cannot tell
	// (an archive alone holds no follows, lists, mutes or blocks).
	NotInExports []string `json:"not_in_exports"`
	// Ignored are files of the inputs that are not exports.
	Ignored []string            `json:"ignored"`
	Posts   *archive.PostCount  `json:"posts"` // null without an outbox
	Media   *archive.MediaCount `json:"media"` // null without an archive
	// Target is the online pre-check, when a target account was given.
	Target *Changes `json:"target,omitempty"`
	// PostCarry is what --include posts would do on the target (migrate/posts).
	PostCarry *posts.Plan `json:"post_carry,omitempty"`
	// Lanes compares the lanes on the target (LanesText); not in the
	// JSON, as before.
	Lanes      *LaneEstimate `json:"-"`
	laneServer string
	laneImport bool
}

// Importable counts, per category, what a migration to an empty account
// would send: after de-duplication across every input, without the follows
// the export's own blocks would end, and within Mastodon's follow cap.
// Likes and the profile are sent only when included.
type Importable struct {
	Follows      int `json:"follows"`
	Lists        int `json:"lists"`
	ListMembers  int `json:"list_members"`
	DomainBlocks int `json:"domain_blocks"`
	Mutes        int `json:"mutes"`
	Blocks       int `json:"blocks"`
	Bookmarks    int `json:"bookmarks"`
	Likes        int `json:"likes"`
	Profile      int `json:"profile"` // 1 when actor.json was read
	// ExtraCounts are the categories only the old account read live
	// gives (extras.go).
	*ExtraCounts
}

// NotCarried is one kind of data that no API call can move, with why and
// what the person can do instead. Count is nil when the exports do not say.
type NotCarried struct {
	What    string `json:"what"`
	Count   *int   `json:"count"`
	Why     string `json:"why"`
	Instead string `json:"instead"`
}

// Warning is something in the export worth a person's attention before a
// replay. Accounts lists a few examples.
type Warning struct {
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	Count    int      `json:"count"`
	Examples []string `json:"examples,omitempty"`
}

// NewPlan plans the migration of e without contacting any server.
// include names the opt-in extras (see Includable).
func NewPlan(e *archive.Export, include ...string) *Plan {
	p := &Plan{
		Sources: e.Sources,
		Include: append([]string{}, include...),
		Importable: Importable{
			Lists:        len(e.Lists),
			ListMembers:  e.ListMembers(),
			DomainBlocks: len(e.DomainBlocks),
			Mutes:        len(e.Mutes),
			Blocks:       len(e.Blocks),
			Bookmarks:    len(e.Bookmarks),
			Likes:        len(e.Likes),
		},
		Posts:        e.Posts,
		NotInExports: []string{},
		Ignored:      append([]string{}, e.Ignored...),
	}
	if p.Sources == nil {
		p.Sources = []string{}
	}
	if e.Covers("media") {
		m := e.Media
		p.Media = &m
	}
	if e.Profile != nil {
		p.Importable.Profile = 1
	}
	for _, c := range []string{"follows", "lists", "mutes", "blocks", "domain_blocks", "bookmarks", "likes", "posts", "profile"} {
		if !e.Covers(c) {
			p.NotInExports = append(p.NotInExports, c)
		}
	}
	p.NotCarried = notCarried(e)
	p.Warnings = p.warnings(e)
	return p
}

// Includes reports whether --include named what.
func (p *Plan) Includes(what string) bool { return slices.Contains(p.Include, what) }

func intp(n int) *int { return &n }

func notCarried(e *archive.Export) []NotCarried {
	var posts, boosts, media *int
	dmWhy := "conversations are not in any export"
	if e.Posts != nil {
		posts, boosts = intp(e.Posts.Total()), intp(e.Posts.Boosts)
		verb := "are"
		if e.Posts.Direct == 1 {
			verb = "is"
		}
		dmWhy += fmt.Sprintf("; the %s you wrote %s in the archive, messages to you are not", plural(e.Posts.Direct, "direct post"), verb)
	}
	mediaInstead := "the files stay in your archive; upload again with a new post what you want to show"
	if e.Covers("media") {
		media = intp(e.Media.Files)
		mediaInstead = fmt.Sprintf("the files stay in your archive (%s); upload again with a new post what you want to show", HumanBytes(e.Media.Bytes))
	}
	return []NotCarried{
		{What: "toots", Count: posts,
			Why:     "Mastodon and most servers take no old posts with their original dates: the API can only publish new ones (GoToSocial 0.18+ can: see plan --to and migrate --include posts)",
			Instead: "keep the archive (it holds every post and its media); link your old profile from the new one so people can find your history"},
		{What: "boosts", Count: boosts,
			Why:     "a boost made now would appear as new on everyone's timeline",
			Instead: "boost again by hand what you want to share from the new account"},
		{What: "followers", Count: e.Followers,
			Why:     "followers are other people's choice; only their servers can follow the new account",
			Instead: "once the migration is finished, run `mastomigrate move --from OLD --to NEW`: it sets or checks the alias on the new account, guides the move on the old one (Settings > Account > Moving to a different account), and checks that the followers come over; remote followers then follow you on their own"},
		{What: "direct_messages", Count: nil,
			Why:     dmWhy,
			Instead: "save what matters from the old account before moving; tell your correspondents the new address"},
		{What: "password", Count: nil,
			Why:     "passwords are never exported",
			Instead: "set a new password on the new instance, and turn on two-factor authentication there"},
		{What: "media", Count: media,
			Why:     "uploads belong to posts, which Mastodon cannot recreate (on GoToSocial, --include posts carries them with their posts)",
			Instead: mediaInstead},
		{What: "other_peoples_media", Count: nil,
			Why:     "other people's posts and media are not in your export; they stay on their servers",
			Instead: "nothing to do: follow them from the new account and their posts show again"},
		{What: "instance_data", Count: nil,
			Why:     "filters, featured hashtags, endorsed accounts, pinned posts, preferences and the old instance's custom emoji are not in the exports",
			Instead: "set them again in the new instance's preferences"},
	}
}

// warnings lists what is worth a look, and sets the follow count to what
// will be sent: not the follows the export's own blocks would end, and no
// more than Mastodon's cap.
func (p *Plan) warnings(e *archive.Export) []Warning {
	ws := []Warning{}
	add := func(code, msg string, accounts []string) {
		if len(accounts) == 0 {
			return
		}
		sort.Strings(accounts)
		w := Warning{Code: code, Message: msg, Count: len(accounts), Examples: accounts}
		if len(w.Examples) > maxWarnExample {
			w.Examples = w.Examples[:maxWarnExample]
		}
		ws = append(ws, w)
	}

	followed := e.FollowKeys()
	// The blocked accounts' keys, with handles guessed from URIs.
	bx := &archive.Export{Follows: make([]archive.Follow, len(e.Blocks))}
	for i, b := range e.Blocks {
		bx.Follows[i].Account = b
	}
	blocked := bx.FollowKeys()
	blockedDomain := &exportBlocks{domains: map[string]bool{}}
	for _, d := range e.DomainBlocks {
		blockedDomain.blockDomain(d)
	}
	// ended says whether the export's own blocks would end a follow.
	ended := func(a archive.Account) bool {
		return archive.Known(blocked, a) || blockedDomain.blocksDomain(a.Domain())
	}

	var both []string
	for _, b := range e.Blocks {
		if archive.Known(followed, b) {
			both = append(both, b.String())
		}
	}
	add("followed_and_blocked", "accounts you both follow and block: they will be blocked, not followed (a block ends a follow)", both)

	var onBlocked, noDomain []string
	send := 0
	for _, f := range e.Follows {
		switch {
		case archive.Known(blocked, f.Account):
		case blockedDomain.blocksDomain(f.Account.Domain()):
			onBlocked = append(onBlocked, f.Account.String())
		default:
			send++
		}
		if f.Account.Domain() == "" {
			noDomain = append(noDomain, f.Account.String())
		}
	}
	add("follow_on_blocked_domain", "follows on a domain you block: they will not be followed (a domain block ends follows there)", onBlocked)
	add("account_without_domain", "follows written without a domain: they will be looked up on the new instance, which may be someone else", noDomain)

	seen := map[string]bool{}
	var notFollowed []string
	for _, l := range e.Lists {
		if !e.Covers("follows") {
			break // without the follows, who is not followed cannot be told
		}
		for _, m := range l.Members {
			if !archive.Known(followed, m) && !seen[m.Key()] {
				seen[m.Key()] = true
				notFollowed = append(notFollowed, m.String())
				if !ended(m) {
					send++
				}
			}
		}
	}
	add("list_member_not_followed", "list members you do not follow: Mastodon lists hold only followed accounts, so they will be followed first (with default settings); they are counted in follows", notFollowed)

	if limit := assumed.FollowCap; send > limit {
		ws = append(ws, Warning{Code: "follow_cap", Count: send,
			Message: fmt.Sprintf("%s follows: Mastodon allows %s until you have more followers, so %s are counted and sent; the other %s will not be",
				thousands(send), thousands(limit), thousands(limit), thousands(send-limit))})
		send = limit
	}
	p.Importable.Follows = send
	if w, ok := dailyLimitWarning(send, 0); ok {
		ws = append(ws, w)
	}
	ws = append(ws, importerLimits(e)...)
	return ws
}

// importerLimits warns of categories too big for Mastodon's own importer,
// which is where `report --csv` files (and the exports themselves) go
// when a person imports them by hand.
func importerLimits(e *archive.Export) []Warning {
	var ws []Warning
	check := func(cat category.Category, rows int, bytes int64) {
		if rows <= ImporterRows && bytes <= ImporterBytes {
			return
		}
		ws = append(ws, Warning{Code: "importer_limit", Count: rows,
			Message: fmt.Sprintf("%s %s (about %s as CSV): over what Mastodon's own importer takes in one file (%s rows or %s); "+
				"mastomigrate sends them all, but to import them by hand (or `report --csv` files) split them into smaller files",
				thousands(rows), label(string(cat)), HumanBytes(bytes), thousands(ImporterRows), HumanBytes(ImporterBytes))})
	}
	var n int64
	for _, f := range e.Follows {
		n += int64(len(f.Account.String()) + len(",true,false,\n") + len(strings.Join(f.Languages, ", ")))
	}
	check(category.Follows, len(e.Follows), n)
	n = 0
	for _, l := range e.Lists {
		for _, m := range l.Members {
			n += int64(len(l.Title) + len(m.String()) + 2)
		}
	}
	check(category.ListMembers, e.ListMembers(), n)
	accounts := func(as []archive.Account, extra int) int64 {
		var n int64
		for _, a := range as {
			n += int64(len(a.String()) + extra)
		}
		return n
	}
	mutes := make([]archive.Account, len(e.Mutes))
	for i, m := range e.Mutes {
		mutes[i] = m.Account
	}
	check(category.Mutes, len(e.Mutes), accounts(mutes, len(",false\n")))
	check(category.Blocks, len(e.Blocks), accounts(e.Blocks, 1))
	strs := func(ss []string) int64 {
		var n int64
		for _, s := range ss {
			n += int64(len(s) + 1)
		}
		return n
	}
	check(category.DomainBlocks, len(e.DomainBlocks), strs(e.DomainBlocks))
	check(category.Bookmarks, len(e.Bookmarks), strs(e.Bookmarks))
	return ws
}

// ForServer takes back what the plan assumed of Mastodon (assumed) that
// the target, now known by caps, does not have: with no follow cap
// every follow is counted, with no daily follow limit there is no wait.
func (p *Plan) ForServer(caps api.Capabilities) {
	p.Warnings = slices.DeleteFunc(p.Warnings, func(w Warning) bool {
		switch {
		case w.Code == "follow_cap" && caps.FollowCap == 0:
			p.Importable.Follows = w.Count // all of them, as counted before the cap
			return true
		case w.Code == "follow_daily_limit" && caps.FollowsPerDay == 0:
			return true
		}
		return false
	})
}

// dailyLimitWarning is the warning for follows and hashtag follows
// (tags, which spend the same allowance) past Mastodon's daily limit.
func dailyLimitWarning(follows, tags int) (Warning, bool) {
	n := follows + tags
	what := thousands(n) + " follows"
	if tags > 0 {
		what += fmt.Sprintf(" (%s of them hashtags)", thousands(tags))
	}
	return Warning{Code: "follow_daily_limit", Count: n,
		Message: fmt.Sprintf("%s at %d a day (Mastodon's limit for API clients): the replay takes about %d days; mastomigrate resumes each day where it stopped",
			what, assumed.FollowsPerDay, FollowDays(n))}, n > assumed.FollowsPerDay
}

// FollowDays is how many UTC days n follows take at Mastodon's daily limit.
func FollowDays(n int) int { return followDays(n, assumed.FollowsPerDay) }
