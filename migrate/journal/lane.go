package journal

// Lane records are the fast lane's side of the journal: each bulk import
// (migrate/bulk.go) is journaled before it is sent and after it has
// settled, so a run killed at any point never uploads the same import
// twice, and the Mastodon export-csv offer (migrate/lanes.go) is made
// once.

// LaneInfo is what a lane record says about one import, or about the fast
// lane offered for Mastodon (export-csv).
type LaneInfo struct {
	Type   string `json:"type,omitempty"`   // following, blocks, mutes
	Status string `json:"status"`           // sending, sent, settled, failed, offered
	Rows   int    `json:"rows,omitempty"`   // rows uploaded
	Last   string `json:"last,omitempty"`   // the last row's handle: the newest block or mute once done
	Before int    `json:"before,omitempty"` // following count before the import
	Reason string `json:"reason,omitempty"`
}

const (
	LaneSending = "sending" // journaled before the upload: it may or may not have arrived
	LaneSent    = "sent"    // the server answered 202
	LaneSettled = "settled" // the target stopped changing; never import it again
	LaneFailed  = "failed"  // refused; the replay does it all
	LaneOffered = "offered" // export-csv was offered (Mastodon)
)

func (j *Journal) applyLane(r Record) {
	if j.lanes == nil {
		j.lanes = map[string]Record{}
	}
	j.lanes[r.ID] = r
}

// RecordLane appends a lane record.
func (j *Journal) RecordLane(id string, info LaneInfo) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.append(Record{Type: "lane", ID: id, Lane: &info})
}

// Lane returns a lane record's latest state.
func (j *Journal) Lane(id string) (LaneInfo, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.lanes[id]
	if !ok || r.Lane == nil {
		return LaneInfo{}, false
	}
	return *r.Lane, true
}

// LaneOfferID is the lane record of the Mastodon fast lane's offer.
const LaneOfferID = "offer export-csv"
