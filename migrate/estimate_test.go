package migrate

import (
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestRequestsText: one estimator for the replay, the posts and the
// lanes, fed by the capability table's allowance.
func TestRequestsText(t *testing.T) {
	gts := api.Server{Software: "gotosocial", Version: "0.20.0"}.Capabilities().Allowance()
	hourly := api.Allowance{Requests: 100, Period: time.Hour}
	for _, tt := range []struct {
		requests int
		a        api.Allowance
		want     string
	}{
		{1, gts, "1 request at 300 per 5 minutes: a few minutes"},
		{300, gts, "300 requests at 300 per 5 minutes: a few minutes"},
		{301, gts, "301 requests at 300 per 5 minutes: about 5 minutes"},
		{7200, gts, "7,200 requests at 300 per 5 minutes: about 115 minutes"},
		{9000, gts, "9,000 requests at 300 per 5 minutes: about 2.4 hours"},
		{250, hourly, "250 requests at 100 per 1 hour: about 2.0 hours"},
	} {
		if got := requestsText(tt.requests, tt.a); got != tt.want {
			t.Errorf("requestsText(%d, %+v) = %q, want %q", tt.requests, tt.a, got, tt.want)
		}
	}
}

// TestExportBlocks: the diff and the bulk import leave out the same
// follows, whichever key they know accounts by.
func TestExportBlocks(t *testing.T) {
	b := &exportBlocks{accounts: map[string]bool{"troll@bad.example": true, "42": true}, domains: map[string]bool{"spam.example": true}}
	for _, tt := range []struct {
		account, handle string
		ended           bool
	}{
		{"troll@bad.example", "troll@bad.example", true},
		{"42", "someone@ok.example", true},
		{"eve@spam.example", "eve@spam.example", true},
		{"ana@ok.example", "ana@ok.example", false},
		{"7", "ana@spam.example.org", false},
	} {
		if got := b.ends(tt.account, tt.handle) != ""; got != tt.ended {
			t.Errorf("ends(%q, %q) = %v, want %v", tt.account, tt.handle, got, tt.ended)
		}
	}
}

// TestEstimateCountsReadBacks: the requests a replay takes count each
// write's read-back where its answer does not show what stuck.
func TestEstimateCountsReadBacks(t *testing.T) {
	end := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	n := func(k int, s journal.Step) []journal.Step {
		out := make([]journal.Step, k)
		for i := range out {
			out[i] = s
		}
		return out
	}
	for _, tt := range []struct {
		name  string
		steps []journal.Step
		want  int
	}{
		{"a filter is read after it is made", n(2, journal.Step{Op: journal.OpCreateFilter}), 4},
		{"a note's answer is its read-back", n(3, journal.Step{Op: journal.OpNote}), 3},
		{"a list's members are read per batch", append(n(41, journal.Step{Op: journal.OpAddToList, List: "a"}), n(3, journal.Step{Op: journal.OpAddToList, List: "b"})...), 44 + 3},
		{"the featured tags are read once", n(3, journal.Step{Op: journal.OpFeatureTag}), 4},
		{"mutes with an end: a page of mutes", append(n(81, journal.Step{Op: journal.OpMute, Mute: &archive.Mute{ExpiresAt: &end}}), journal.Step{Op: journal.OpMute}), 82 + 2},
		{"follows, blocks and lists read their answers", []journal.Step{{Op: journal.OpFollow}, {Op: journal.OpBlock}, {Op: journal.OpCreateList}, {Op: journal.OpFollowTag}, {Op: journal.OpEndorse}}, 5},
		{"a bookmark finds its post first", n(2, journal.Step{Op: journal.OpBookmark}), 4},
	} {
		if got := estimate(tt.steps, api.Allowance{}).Requests; got != tt.want {
			t.Errorf("%s: %d requests, want %d", tt.name, got, tt.want)
		}
	}
}

// TestLanesByTheReplaysEstimate: the lanes' API side says what the
// replay's own estimate says, read-backs and hashtag follows counted.
func TestLanesByTheReplaysEstimate(t *testing.T) {
	steps := func(ops map[journal.Op]int) []journal.Step {
		var out []journal.Step
		for op, k := range ops {
			for range k {
				out = append(out, journal.Step{Op: op})
			}
		}
		return out
	}
	gts := api.Server{Software: "gotosocial", Version: "0.20.0"}.Capabilities()
	masto := api.Server{Software: "mastodon", Version: "4.5.0"}.Capabilities()
	for _, tt := range []struct {
		name  string
		steps []journal.Step
		caps  api.Capabilities
		want  string
	}{
		// 700 follows and 700 filters read back: 2,100 requests, 7
		// windows of 300 per 5 minutes, the first at once.
		{"requests by the allowance", steps(map[journal.Op]int{journal.OpFollow: 700, journal.OpCreateFilter: 700}), gts, "API: about 30 minutes; import: minutes"},
		{"hashtag follows spend the day too", steps(map[journal.Op]int{journal.OpFollow: 700, journal.OpFollowTag: 200}), masto, "API: 900 follows at 400 a day, about 3 days; web import: minutes"},
	} {
		if got := EstimateLanes(tt.steps, tt.caps).Text; got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}
