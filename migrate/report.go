package migrate

import (
	"errors"
	"time"

	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/importcsv"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// What `status` and `report` show, as data: the terminal prints it, the
// web page renders it, and neither reads a journal itself.

// RunStatus is one migration as its journal tells it.
type RunStatus struct {
	Journal  string    `json:"journal"`
	Account  string    `json:"account"`
	Created  time.Time `json:"created"`
	Sources  []string  `json:"sources"`          // the exports' file names, after the old account read live
	Damaged  string    `json:"damaged,omitzero"` // why the journal cannot be read; nothing else is set
	Done     int       `json:"done"`
	Dropped  int       `json:"not_carried"` // failed or skipped for good
	Todo     int       `json:"waiting"`     // deferred, to retry, or in flight: a later run does them
	Approval int       `json:"awaiting_approval"`
	Finished bool      `json:"finished"`
	// WaitingApproval: finished but for list members waiting for follow
	// requests to be accepted (resume once they are).
	WaitingApproval bool `json:"waiting_approval,omitzero"`
	// FastLane is LaneOffered (Mastodon's web import, by export-csv; the
	// reason in FastLaneReason), "used" (GoToSocial's import), or "".
	FastLane       string `json:"fast_lane,omitzero"`
	FastLaneReason string `json:"fast_lane_reason,omitzero"`
}

// LaneUsed is RunStatus.FastLane when a bulk import was sent.
const LaneUsed = "used"

// Statuses reads every migration journal in dir, newest first.
func Statuses(dir string) ([]RunStatus, error) {
	paths, err := journal.List(dir)
	if err != nil {
		return nil, err
	}
	out := make([]RunStatus, 0, len(paths))
	for _, p := range paths {
		j, err := journal.Load(p)
		if err != nil {
			out = append(out, RunStatus{Journal: p, Damaged: err.Error()})
			continue
		}
		st := RunStatus{Journal: p, Account: j.Header.Account, Created: j.Header.Created, Sources: j.Header.Sources(),
			Finished: j.Finished()}
		waiting := 0
		for _, r := range j.Steps() {
			switch r.Status {
			case journal.StatusDone:
				st.Done++
			case journal.StatusFailed, journal.StatusSkipped:
				st.Dropped++
			case journal.StatusDeferred, journal.StatusRetry, journal.StatusStarted, journal.StatusSending:
				st.Todo++
			case journal.StatusWaiting:
				waiting++
			}
			if r.Pending || r.Status == journal.StatusWaiting {
				st.Approval++ // follow requests, and list members waiting for them
			}
		}
		st.WaitingApproval = st.Finished && waiting > 0
		if info, ok := j.Lane(journal.LaneOfferID); ok {
			st.FastLane, st.FastLaneReason = journal.LaneOffered, info.Reason
		} else if bulkUsed(j) {
			st.FastLane = LaneUsed
		}
		out = append(out, st)
	}
	return out, nil
}

func bulkUsed(j *journal.Journal) bool {
	for _, k := range bulkKinds {
		if _, ok := j.Lane(laneID(k.typ)); ok {
			return true
		}
	}
	return false
}

// ErrNothingToResume: every journal is finished.
var ErrNothingToResume = errors.New("no unfinished migration to resume (see `mastomigrate status`)")

// LatestUnfinished is the newest journal in dir whose last run left work:
// work of ours, or items waiting for follow requests to be accepted. It
// is what `resume` continues, and what the web page opens on.
func LatestUnfinished(dir string) (string, error) {
	paths, err := journal.List(dir)
	if err != nil {
		return "", err
	}
	for _, p := range paths {
		j, err := journal.Load(p)
		if err == nil && resumable(j) {
			return p, nil
		}
	}
	return "", ErrNothingToResume
}

// resumable: the last run left work, of ours or waiting for follow
// requests to be accepted.
func resumable(j *journal.Journal) bool { return !j.Finished() || j.Waiting() }

// JournalInputs are the input paths the journals in dir name: those a
// later run may read again (LatestUnfinished's kind: resume needs
// them), and those of migrations that are over. A journal that cannot
// be read is an error: what it names is not known.
func JournalInputs(dir string) (again, over []string, err error) {
	paths, err := journal.List(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range paths {
		j, err := journal.Load(p)
		if err != nil {
			return nil, nil, err
		}
		if resumable(j) {
			again = append(again, j.Header.Inputs...)
		} else {
			over = append(over, j.Header.Inputs...)
		}
	}
	return again, over, nil
}

// Leftover is one item that did not make it (yet).
type Leftover struct {
	Category string         `json:"category"`
	Item     string         `json:"item"`
	List     string         `json:"list,omitempty"`
	Status   journal.Status `json:"status"` // as journaled, or "pending": sent, a request until accepted
	Reason   string         `json:"reason"`
	Until    *time.Time     `json:"until,omitempty"`
	Step     *journal.Step  `json:"-"`
}

// StatusPending is a Leftover's status for a follow sent that waits for
// the other side to accept it.
const StatusPending journal.Status = "pending"

// Report is what did not make it in one migration, and why.
type Report struct {
	Account  string     `json:"account"`
	Items    []Leftover `json:"items"`
	Finished bool       `json:"-"`
	Todo     int        `json:"-"` // items a later run of ours can still do
	Resume   string     `json:"-"` // the command that continues it
}

// LoadReport reads a journal's report.
func LoadReport(journalPath string) (*Report, error) {
	j, err := journal.Load(journalPath)
	if err != nil {
		return nil, err
	}
	rep := &Report{Account: j.Header.Account, Items: []Leftover{}, Finished: j.Finished(), Resume: ResumeCommand(j.Header)}
	for _, r := range j.Steps() {
		status := r.Status
		switch {
		case r.Status == journal.StatusDone && r.Pending:
			status = StatusPending
		case r.Status == journal.StatusDone || r.Step == nil && r.Status != journal.StatusStarted:
			continue
		}
		switch r.Status {
		case journal.StatusDeferred, journal.StatusRetry, journal.StatusStarted:
			rep.Todo++
		}
		it := Leftover{Category: string(r.Category), Status: status, Reason: r.Reason, Until: r.Until, Step: r.Step}
		if r.Step != nil {
			it.Item, it.List = r.Step.Item, r.Step.List
		} else {
			it.Item, it.Reason = r.ID, "interrupted: checked on the target by the next run"
		}
		rep.Items = append(rep.Items, it)
	}
	return rep, nil
}

// WriteCSVs writes the leftovers in the shapes of Mastodon's importer
// (app/models/form/import.rb), only the files that have rows; the same
// writer as export-csv (migrate/importcsv).
func (rep *Report) WriteCSVs(dir string) error {
	var steps []journal.Step
	for _, it := range rep.Items {
		if it.Step == nil || it.Status == StatusPending {
			continue // in flight when stopped, or sent already
		}
		s := *it.Step
		if c, ok := category.Of(category.Category(it.Category)); ok && c.CSV != "" {
			s.Op = c.Op // the op of its row in the category's file
		}
		steps = append(steps, s)
	}
	return importcsv.Write(dir, importcsv.Build(steps))
}
