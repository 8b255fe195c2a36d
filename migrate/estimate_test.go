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
