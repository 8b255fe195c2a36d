package migrate

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

func follows(n int) []archive.Follow {
	fs := make([]archive.Follow, n)
	for i := range fs {
		fs[i].Account = archive.Account{Acct: "user" + thousands(i) + "@x.example"}
	}
	return fs
}

func TestPlanWarnings(t *testing.T) {
	acct := func(s string) archive.Account { a, _ := archive.ParseAccount(s); return a }
	tests := []struct {
		name string
		e    archive.Export
		want map[string]int // warning code -> count
	}{
		{"clean", archive.Export{Follows: follows(3)}, map[string]int{}},
		{"followed and blocked, URI against handle", archive.Export{
			Follows: []archive.Follow{{Account: acct("https://a.example/users/x")}},
			Blocks:  []archive.Account{acct("x@a.example")},
		}, map[string]int{"followed_and_blocked": 1}},
		{"follow on blocked domain", archive.Export{
			Follows:      []archive.Follow{{Account: acct("x@a.example")}, {Account: acct("y@b.example")}},
			DomainBlocks: []string{"a.example"},
		}, map[string]int{"follow_on_blocked_domain": 1}},
		{"list member not followed", archive.Export{
			Follows: []archive.Follow{{Account: acct("x@a.example")}},
			Lists:   []archive.List{{Title: "L", Members: []archive.Account{acct("x@a.example"), acct("z@a.example")}}, {Title: "M", Members: []archive.Account{acct("z@a.example")}}},
		}, map[string]int{"list_member_not_followed": 1}},
		{"bare username", archive.Export{Follows: []archive.Follow{{Account: acct("local")}}}, map[string]int{"account_without_domain": 1}},
		{"400 is one day", archive.Export{Follows: follows(400)}, map[string]int{}},
		{"401 needs two days", archive.Export{Follows: follows(401)}, map[string]int{"follow_daily_limit": 401}},
		// Only what is under the cap is sent, and timed.
		{"over the cap", archive.Export{Follows: follows(7501)}, map[string]int{"follow_daily_limit": 7500, "follow_cap": 7501}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := NewPlan(&tt.e)
			got := map[string]int{}
			for _, w := range p.Warnings {
				got[w.Code] = w.Count
			}
			if len(got) != len(tt.want) {
				t.Fatalf("warnings %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("%s: count %d, want %d", k, got[k], v)
				}
			}
		})
	}
}

func TestPlanDaysMessage(t *testing.T) {
	p := NewPlan(&archive.Export{Follows: follows(1240)})
	var buf bytes.Buffer
	if err := p.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(strings.Fields(buf.String()), " "), "1,240 follows at 400 a day (Mastodon's limit for API clients): the replay takes about 4 days") {
		t.Errorf("no days estimate in:\n%s", buf.String())
	}
}

func TestPlanFromSamples(t *testing.T) {
	e := readSample(t, "mastodon-archive.tar.gz", "csv")
	p := NewPlan(e)
	// 9 follows, less gus (also blocked) and eve (on a blocked domain),
	// plus ivy, a list member followed first.
	want := Importable{Follows: 8, Lists: 2, ListMembers: 4, DomainBlocks: 2, Mutes: 2, Blocks: 2, Bookmarks: 3, Likes: 3, Profile: 1}
	if p.Importable != want {
		t.Errorf("importable %+v, want %+v", p.Importable, want)
	}
	nc := map[string]*int{}
	for _, n := range p.NotCarried {
		if n.Why == "" || n.Instead == "" {
			t.Errorf("%s: no why or instead", n.What)
		}
		nc[n.What] = n.Count
	}
	for what, want := range map[string]int{"toots": 8, "boosts": 2, "media": 3} {
		if nc[what] == nil || *nc[what] != want {
			t.Errorf("not carried %s = %v, want %d", what, nc[what], want)
		}
	}
	for _, what := range []string{"followers", "direct_messages", "password"} {
		if c, ok := nc[what]; !ok || c != nil {
			t.Errorf("not carried %s: present %v, count %v; want present with unknown count", what, ok, c)
		}
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", -7500: "-7,500"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestEstimate(t *testing.T) {
	steps := func(follows, others, bookmarks int) []journal.Step {
		var ss []journal.Step
		for i := 0; i < follows; i++ {
			ss = append(ss, journal.Step{Op: journal.OpFollow})
		}
		for i := 0; i < others; i++ {
			ss = append(ss, journal.Step{Op: journal.OpBlock})
		}
		for i := 0; i < bookmarks; i++ {
			ss = append(ss, journal.Step{Op: journal.OpBookmark}) // a search, then the bookmark
		}
		return ss
	}
	tests := []struct {
		steps []journal.Step
		want  string
	}{
		{nil, "no follows; 0 requests at 300 per 5 minutes: a few minutes"},
		{steps(400, 0, 0), "400 follows at 400 a day: within a day; 400 requests at 300 per 5 minutes: about 5 minutes"},
		{steps(1240, 1000, 0), "1,240 follows at 400 a day: about 4 days; 2,240 requests at 300 per 5 minutes: about 35 minutes"},
		{steps(0, 0, 9000), "no follows; 18,000 requests at 300 per 5 minutes: about 4.9 hours"},
		// Hashtag follows spend the same daily allowance (app/models/tag_follow.rb).
		{append(steps(390, 0, 0), slices.Repeat([]journal.Step{{Op: journal.OpFollowTag}}, 20)...),
			"410 follows (20 of them hashtags) at 400 a day: about 2 days; 410 requests at 300 per 5 minutes: about 5 minutes"},
	}
	for _, tt := range tests {
		if got := estimate(tt.steps, api.Allowance{}).Text; got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}

// TestEstimateUsesServerAllowance: the estimate uses what the server
// reported, not Mastodon's defaults: GoToSocial has no daily follow limit,
// and an admin may set other limits.
func TestEstimateUsesServerAllowance(t *testing.T) {
	follows := make([]journal.Step, 1000)
	for i := range follows {
		follows[i] = journal.Step{Op: journal.OpFollow}
	}
	tests := []struct {
		a    api.Allowance
		want string
	}{
		{api.Allowance{Requests: 300, Period: 5 * time.Minute}, "1,000 follows (no daily limit on this server); 1,000 requests at 300 per 5 minutes: about 15 minutes"},
		{api.Allowance{Requests: 100, Period: time.Hour, FollowsPerDay: 4}, "1,000 follows at 4 a day: about 250 days; 1,000 requests at 100 per 1 hour: about 9.0 hours"},
	}
	for _, tt := range tests {
		if got := estimate(follows, tt.a).Text; got != tt.want {
			t.Errorf("%+v:\n got  %q\n want %q", tt.a, got, tt.want)
		}
	}
}

// TestDailyLimitWarningCountsTags: hashtag follows read from the old
// account spend Mastodon's daily follow allowance too
// (app/models/tag_follow.rb), so the plan's warning counts them.
func TestDailyLimitWarningCountsTags(t *testing.T) {
	tests := []struct {
		follows, tags int
		want          int // the warning's count, 0 for none
	}{
		{400, 0, 0},
		{390, 10, 0},
		{390, 20, 410},
		{401, 0, 401},
		{401, 5, 406},
	}
	for _, tt := range tests {
		p := NewPlan(&archive.Export{Follows: follows(tt.follows)})
		p.AddSource(&Source{Extras: &Extras{FollowedTags: slices.Repeat([]string{"tag"}, tt.tags)}})
		got := 0
		for _, w := range p.Warnings {
			if w.Code == "follow_daily_limit" {
				if got != 0 {
					t.Errorf("%d follows, %d tags: the warning twice", tt.follows, tt.tags)
				}
				got = w.Count
			}
		}
		if got != tt.want {
			t.Errorf("%d follows, %d tags: warning for %d, want %d", tt.follows, tt.tags, got, tt.want)
		}
	}
}

// TestPlanNamesMoveCommand: the plan's followers entry says which command
// moves them.
func TestPlanNamesMoveCommand(t *testing.T) {
	for _, n := range NewPlan(&archive.Export{}).NotCarried {
		if n.What == "followers" && !strings.Contains(n.Instead, "mastomigrate move --from OLD --to NEW") {
			t.Errorf("followers: %q does not name the command", n.Instead)
		}
	}
}
