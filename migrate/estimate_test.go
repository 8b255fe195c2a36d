package migrate

import (
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
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
