package migrate

import (
	"fmt"

	"github.com/mastomigrate/mastomigrate/api"
)

// LaneEstimate is how long the follows, blocks and mutes take by each lane
// the server has: "API: 13 days; import: minutes". It is apart from
// Estimate (changes.go), which counts the per-item replay only.
type LaneEstimate struct {
	Follows int    `json:"follows"`
	APIDays int    `json:"api_days,omitempty"` // by the daily follow allowance; 0 when none
	Fastest string `json:"fastest"`            // api, import or web import
	Text    string `json:"text"`
	// OfferWebImport: the web importer (Mastodon) would save at least a
	// day, so plan and migrate offer export-csv.
	OfferWebImport bool `json:"offer_web_import,omitempty"`
}

// EstimateLanes compares the lanes for steps on a server with caps.
func EstimateLanes(steps []Step, caps api.Capabilities) LaneEstimate {
	var e LaneEstimate
	requests := 0
	for _, s := range steps {
		requests += 2 // a look-up and the write
		if s.Op == OpFollow {
			e.Follows++
		}
	}
	e.Fastest = string(caps.Fastest("follows"))
	byAPI := ""
	if caps.FollowsPerDay > 0 && e.Follows > 0 {
		e.APIDays = (e.Follows + caps.FollowsPerDay - 1) / caps.FollowsPerDay
		byAPI = fmt.Sprintf("API: %s at %d a day, about %s", plural(e.Follows, "follow"), caps.FollowsPerDay, plural(e.APIDays, "day"))
	} else {
		mins := (requests + 299) / 300 * 5
		byAPI = fmt.Sprintf("API: about %s", plural(max(mins, 1), "minute"))
	}
	switch {
	case caps.Has("follows", api.LaneImport) && e.Follows > 0:
		e.Text = byAPI + "; import: minutes"
	case caps.Has("follows", api.LaneWebImport) && e.APIDays > 1:
		e.Text = byAPI + "; web import: minutes"
		e.OfferWebImport = true
	default:
		e.Text = byAPI
	}
	return e
}
