// Package migrate turns an archive.Export into a plan of what can and
// cannot be carried to a new account.
package migrate

import (
	"fmt"
	"sort"

	"github.com/mastomigrate/mastomigrate/archive"
)

// Mastodon's limits on follows (app/validators/follow_limit_validator.rb,
// config/initializers/rack_attack.rb via app/lib/rate_limiter.rb).
const (
	FollowCap      = 7500
	FollowsPerDay  = 400
	maxWarnExample = 5
)

// Plan is what a migration would do, before anything is sent.
type Plan struct {
	Sources    []string           `json:"sources"`
	Importable Importable         `json:"importable"`
	NotCarried []NotCarried       `json:"not_carried"`
	Warnings   []Warning          `json:"warnings"`
	Posts      *archive.PostCount `json:"posts,omitempty"`
	Media      archive.MediaCount `json:"media"`
	// Target is the online pre-check, when a target account was given.
	Target *Changes `json:"target,omitempty"`
	// PostCarry is what --include posts would do on the target (posts.go).
	PostCarry *PostPlan `json:"post_carry,omitempty"`
}

// Importable counts, per category, what the API can recreate. Counts are
// after de-duplication across every input.
type Importable struct {
	Follows      int `json:"follows"`
	Lists        int `json:"lists"`
	ListMembers  int `json:"list_members"`
	DomainBlocks int `json:"domain_blocks"`
	Mutes        int `json:"mutes"`
	Blocks       int `json:"blocks"`
	Bookmarks    int `json:"bookmarks"`
	Likes        int `json:"likes"`
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
func NewPlan(e *archive.Export) *Plan {
	p := &Plan{
		Sources: e.Sources,
		Importable: Importable{
			Follows:      len(e.Follows),
			Lists:        len(e.Lists),
			ListMembers:  e.ListMembers(),
			DomainBlocks: len(e.DomainBlocks),
			Mutes:        len(e.Mutes),
			Blocks:       len(e.Blocks),
			Bookmarks:    len(e.Bookmarks),
			Likes:        len(e.Likes),
		},
		Posts: e.Posts,
		Media: e.Media,
	}
	p.NotCarried = notCarried(e)
	p.Warnings = warnings(e)
	return p
}

func intp(n int) *int { return &n }

func notCarried(e *archive.Export) []NotCarried {
	var posts, boosts *int
	dmWhy := "conversations are not in any export"
	if e.Posts != nil {
		posts, boosts = intp(e.Posts.Total()), intp(e.Posts.Boosts)
		dmWhy += fmt.Sprintf("; the %s direct posts you wrote are in the archive, messages to you are not", thousands(e.Posts.Direct))
	}
	var profile *int
	if e.Profile != nil {
		profile = intp(1)
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
			Instead: "use Mastodon's account move: on the new account add the old one as an alias (Settings > Account > Moving from a different account), then on the old account start the move (Settings > Account > Moving to a different account); remote followers then follow you on their own"},
		{What: "direct_messages", Count: nil,
			Why:     dmWhy,
			Instead: "save what matters from the old account before moving; tell your correspondents the new address"},
		{What: "password", Count: nil,
			Why:     "passwords are never exported",
			Instead: "set a new password on the new instance, and turn on two-factor authentication there"},
		{What: "media", Count: intp(e.Media.Files),
			Why:     "uploads belong to posts, which Mastodon cannot recreate (on GoToSocial, --include posts carries them with their posts)",
			Instead: fmt.Sprintf("the files stay in your archive (%s); upload again with a new post what you want to show", humanBytes(e.Media.Bytes))},
		{What: "other_peoples_media", Count: nil,
			Why:     "other people's posts and media are not in your export; they stay on their servers",
			Instead: "nothing to do: follow them from the new account and their posts show again"},
		{What: "profile", Count: profile,
			Why:     "mastomigrate does not change the new account's profile",
			Instead: "copy the display name, bio, profile fields, avatar and header by hand (they are in actor.json and the archive)"},
		{What: "instance_data", Count: nil,
			Why:     "filters, featured hashtags, endorsed accounts, pinned posts, preferences and the old instance's custom emoji are not in the exports",
			Instead: "set them again in the new instance's preferences"},
	}
}

func warnings(e *archive.Export) []Warning {
	var ws []Warning
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
	var both []string
	for _, b := range e.Blocks {
		if archive.Known(followed, b) {
			both = append(both, b.String())
		}
	}
	add("followed_and_blocked", "accounts you both follow and block: they will be blocked, not followed (a block ends a follow)", both)

	blockedDomain := map[string]bool{}
	for _, d := range e.DomainBlocks {
		blockedDomain[d] = true
	}
	var onBlocked, noDomain []string
	for _, f := range e.Follows {
		if blockedDomain[f.Account.Domain()] {
			onBlocked = append(onBlocked, f.Account.String())
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
		for _, m := range l.Members {
			if !archive.Known(followed, m) && !seen[m.Key()] {
				seen[m.Key()] = true
				notFollowed = append(notFollowed, m.String())
			}
		}
	}
	add("list_member_not_followed", "list members you do not follow: Mastodon lists hold only followed accounts, so they will be followed first (with default settings)", notFollowed)

	n := len(e.Follows) + len(notFollowed)
	if n > FollowCap {
		ws = append(ws, Warning{Code: "follow_cap", Count: n,
			Message: fmt.Sprintf("%s follows: Mastodon allows %s until you have more followers; the rest will fail", thousands(n), thousands(FollowCap))})
	}
	if n > FollowsPerDay {
		ws = append(ws, Warning{Code: "follow_daily_limit", Count: n,
			Message: fmt.Sprintf("%s follows at %d a day (Mastodon's limit for API clients): the replay takes about %d days; mastomigrate resumes each day where it stopped",
				thousands(n), FollowsPerDay, FollowDays(n))})
	}
	return ws
}

// FollowDays is how many UTC days n follows take at Mastodon's daily limit.
func FollowDays(n int) int { return (n + FollowsPerDay - 1) / FollowsPerDay }
