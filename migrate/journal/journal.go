// Package journal holds the unit of a migration's work and its record:
// a Step (one change on the new account, its Op and its stable id), the
// Status it came to, and the Journal, the append-only, locked file of
// Records that lets a run stop anywhere and resume. It decides nothing:
// the engine (migrate) plans the steps and judges what came of them; the
// journal keeps it.
package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/statefile"
)

// Status is a step's outcome in the journal.
type Status string

const (
	StatusStarted  Status = "started"  // sent, answer not yet recorded
	StatusDone     Status = "done"     // the change is on the target
	StatusSkipped  Status = "skipped"  // not needed after all (with why)
	StatusFailed   Status = "failed"   // failed for good (with why)
	StatusRetry    Status = "retry"    // failed for now; the next run tries again
	StatusDeferred Status = "deferred" // waits for Until (the daily follow limit)
	// StatusWaiting waits for someone else: a list member whose follow
	// request is not yet accepted, where the server lists only accepted
	// follows. Each run tries it again; it does not keep a run unfinished.
	StatusWaiting Status = "waiting"
	// StatusSending marks a post sent and not yet confirmed. Unlike
	// StatusStarted, Pending leaves it alone: a post is not idempotent, so
	// the posts runner checks the new account for it by its date and content
	// before sending it again.
	StatusSending Status = "sending"
)

// Header is the journal's first record: what the migration is, so that
// `resume` can run it again.
type Header struct {
	Version int       `json:"version"`
	Account string    `json:"account"`
	From    string    `json:"from,omitempty"` // an account move's old account (migrate/move)
	Digest  string    `json:"digest"`
	Inputs  []string  `json:"inputs"` // absolute paths
	Options RunConfig `json:"options"`
	Created time.Time `json:"created"`
}

// Sources names a journal's inputs for people: the exports' file names,
// after the old account when it was read live.
func (h Header) Sources() []string {
	var names []string
	if h.Options.From != "" {
		names = append(names, h.Options.From)
	}
	for _, p := range h.Inputs {
		names = append(names, filepath.Base(p))
	}
	return names
}

// RunConfig is what a run was asked to do, kept for resuming.
type RunConfig struct {
	To                   string   `json:"to"`
	Include              []string `json:"include,omitempty"`
	Only                 []string `json:"only,omitempty"`
	Skip                 []string `json:"skip,omitempty"`
	Mode                 string   `json:"mode"`
	UpdateFollowSettings bool     `json:"update_follow_settings,omitempty"`
	// Posts are the visibilities --include posts carries (migrate/posts).
	Posts []string `json:"posts,omitempty"`
	// NoBulk keeps to the per-item API path (migrate/bulk.go).
	NoBulk bool `json:"no_bulk,omitempty"`
	// From is the old account read live (--from), as typed.
	From string `json:"from,omitempty"`
}

// Record is one line of the journal.
type Record struct {
	Type   string    `json:"type"` // header, step, account, finished, lane, run
	At     time.Time `json:"at"`
	Header *Header   `json:"header,omitempty"`
	// step records
	ID       string            `json:"id,omitempty"`
	Category category.Category `json:"category,omitempty"`
	Status   Status            `json:"status,omitempty"`
	Reason   string            `json:"reason,omitempty"`
	Until    *time.Time        `json:"until,omitempty"`
	Step     *Step             `json:"step,omitempty"` // on failed, deferred and skipped, for the report
	// Pending marks a follow sent that is a request until the other side
	// accepts it.
	Pending bool `json:"pending,omitempty"`
	// HTTPStatus is the server error (5xx) behind a retry or a failure:
	// the next run fails an item that meets the same one again
	// (migrate/outcome).
	HTTPStatus int `json:"http_status,omitempty"`
	// NotStuck names the fields of a write the server took but does not
	// show (migrate/readback.go): the step is kept for a retry, and the next run
	// sends it again though the target has the item.
	NotStuck []string `json:"not_stuck,omitempty"`
	// NewID is what a done step made on the target: a post's or media
	// file's new id, so a resumed run can link replies to it (migrate/posts).
	NewID string `json:"new_id,omitempty"`
	// account records: a resolution, so a resume need not ask again
	Key       string `json:"key,omitempty"`
	AccountID string `json:"account_id,omitempty"`
	Acct      string `json:"acct,omitempty"`
	Locked    bool   `json:"locked,omitempty"`
	// move records: what an account move learned (migrate/move)
	Move *MoveInfo `json:"move,omitempty"`
	// lane records: the fast lane's imports and offers (migrate/bulk.go)
	Lane *LaneInfo `json:"lane,omitempty"`
	// run records: who opened the journal (statefile/owner.go)
	Run *statefile.Owner `json:"run,omitempty"`
	// Found marks a done step whose change was on the target already,
	// not made by it: already there, in the summary.
	Found bool `json:"found,omitempty"`
	// counts records: what a run found that needed no step of its own
	Counts []Count `json:"counts,omitempty"`
}

// Count is what a run found of a category without a step of its own:
// items the check found on the target already, items it leaves (posts
// that stay in the archive).
type Count struct {
	Category category.Category `json:"category"`
	Already  int               `json:"already,omitempty"`
	Skipped  int               `json:"skipped,omitempty"`
}

// MoveInfo is what an account move's first step learns and later runs
// need (migrate/move): after the move the old account's token may no
// longer read it, and its followers leave, so the count before the move
// is kept here. It lives beside Record, which journals it.
type MoveInfo struct {
	OldID        string `json:"old_id,omitempty"`
	OldURI       string `json:"old_uri,omitempty"`
	NewURI       string `json:"new_uri,omitempty"`
	OldFollowers int    `json:"old_followers"`
	NewFollowers int    `json:"new_followers"`
	OldSoftware  string `json:"old_software,omitempty"`
	NewSoftware  string `json:"new_software,omitempty"`
}

// Journal is the append-only log of one migration. Every record is
// written and synced before the work it describes goes on, so a crash
// loses at most the answer to the requests in flight.
type Journal struct {
	Path   string
	Header Header

	mu   sync.Mutex
	f    *os.File
	last map[string]Record // latest step record by id
	// earlier is, by id, the latest step record earlier runs left other
	// than "started" (load): what the item's last attempt came to.
	earlier  map[string]Record
	accounts map[string]Record
	finished bool
	lanes    map[string]Record // latest lane record by id (migrate/bulk.go)
	owner    *statefile.Owner  // the last run that opened it
	// run is what a summary of the run counts (Since), in order: the
	// steps this process recorded, one entry per record, the settled
	// steps it found, and the counts it journaled.
	run []runEntry
	// Torn is set when loading dropped a damaged last line (a crash in
	// the middle of a write).
	Torn bool
}

// Digest identifies an export by what it asks to carry over, whatever
// files it came in: the same follows from a zip or a folder are one
// migration.
func Digest(e *archive.Export) string {
	h := sha256.New()
	enc := json.NewEncoder(h)
	enc.Encode(struct {
		F []archive.Follow
		L []archive.List
		D []string
		M []archive.Mute
		B []archive.Account
		K []string
		V []string
	}{e.Follows, e.Lists, e.DomainBlocks, e.Mutes, e.Blocks, e.Bookmarks, e.Likes})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Path is where the journal of a migration lives.
func Path(dir, account, digest string) string {
	return filepath.Join(dir, statefile.Name(account+"-"+digest+".journal"))
}

// Open opens (creating it with h) and locks the journal at path.
func Open(path string, h Header) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	// Not O_APPEND: on Windows that handle could not cut a torn last line
	// off (Go opens it without the right to write data in place). Only the
	// run holding the lock writes, so writing at the end after load is
	// the same thing.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := statefile.Lock(f); err != nil {
		f.Close()
		if errors.Is(err, statefile.ErrLocked) {
			return nil, lockedBy(path)
		}
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	j := &Journal{Path: path, f: f, last: map[string]Record{}, accounts: map[string]Record{}, earlier: map[string]Record{}}
	if err := j.load(f); err != nil {
		f.Close()
		return nil, err
	}
	// A later run may bring other options or paths: the newest header is
	// what a resume runs with.
	h.Version = 1
	if j.Header.Version == 0 || !sameRun(j.Header, h) {
		if j.Header.Version != 0 {
			h.Created = j.Header.Created
		}
		j.Header = h
		if err := j.append(Record{Type: "header", Header: &h}); err != nil {
			f.Close()
			return nil, err
		}
	}
	if err := j.write(Record{Type: "run", Run: statefile.ThisProcess(time.Now())}, false); err != nil {
		f.Close()
		return nil, err
	}
	return j, nil
}

// lockedBy names the run holding the journal at path, as far as the
// journal tells: the last run recorded in it.
func lockedBy(path string) error {
	e := &statefile.LockedError{Path: path}
	if j, err := Load(path); err == nil {
		e.Owner = j.owner
	}
	return e
}

func sameRun(a, b Header) bool {
	ja, _ := json.Marshal(struct {
		I []string
		O RunConfig
	}{a.Inputs, a.Options})
	jb, _ := json.Marshal(struct {
		I []string
		O RunConfig
	}{b.Inputs, b.Options})
	return bytes.Equal(ja, jb)
}

// Load reads a journal without locking it (for status and report).
func Load(path string) (*Journal, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	j := &Journal{Path: path, last: map[string]Record{}, accounts: map[string]Record{}, earlier: map[string]Record{}}
	return j, j.load(f)
}

// load replays the records. A damaged last line is a torn write from a
// crash: it is dropped (and truncated away when the file is open for
// writing). Damage before it is not a crash's doing and is an error.
func (j *Journal) load(f *os.File) error {
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	good := 0
	for n := 1; len(data[good:]) > 0; n++ {
		rest := data[good:]
		i := bytes.IndexByte(rest, '\n')
		var line []byte
		if i >= 0 {
			line = rest[:i]
		} else {
			line = rest
		}
		var r Record
		if i < 0 || json.Unmarshal(line, &r) != nil {
			if i >= 0 && len(bytes.TrimSpace(rest[i+1:])) > 0 {
				return fmt.Errorf("%s: line %d is damaged and is not the last one; the journal cannot be trusted (move it away to start over)", j.Path, n)
			}
			j.Torn = true
			break
		}
		j.apply(r)
		if r.Type == "step" && r.Status != StatusStarted {
			j.earlier[r.ID] = r
		}
		good += i + 1
	}
	if j.Torn && j.f != nil {
		if err := f.Truncate(int64(good)); err != nil {
			return err
		}
	}
	if j.f != nil {
		_, err = f.Seek(0, io.SeekEnd)
	}
	return err
}

func (j *Journal) apply(r Record) {
	switch r.Type {
	case "header":
		if r.Header != nil {
			j.Header = *r.Header
		}
	case "step":
		j.last[r.ID] = r
		j.finished = false
	case "account":
		j.accounts[r.Key] = r
	case "finished":
		j.finished = true
	case "lane":
		j.applyLane(r)
	case "run":
		j.owner = r.Run
	}
}

func (j *Journal) append(r Record) error { return j.write(r, true) }

// write adds a record; sync says whether to wait for the disk. Only the
// records of steps need it: a resolution lost in a power cut costs a
// lookup, and the next step record syncs it anyway.
func (j *Journal) write(r Record, sync bool) error {
	if r.At.IsZero() {
		r.At = time.Now().UTC()
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := j.f.Write(b); err != nil {
		return fmt.Errorf("writing the journal %s: %w", j.Path, err)
	}
	if sync {
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("syncing the journal %s: %w", j.Path, err)
		}
	}
	j.apply(r)
	return nil
}

// Record appends a step outcome.
func (j *Journal) Record(r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	r.Type = "step"
	if err := j.append(r); err != nil {
		return err
	}
	j.run = append(j.run, runEntry{id: r.ID})
	return nil
}

// runEntry is one entry of what a run's summary counts.
type runEntry struct {
	id      string // a step's: its latest record counts
	settled bool   // found settled by an earlier run, not recorded again
	counts  *Record
}

// RunRecord is a record as a run's summary counts it.
type RunRecord struct {
	Record
	// Before marks a step an earlier run settled, which this run found so
	// (a post carried already, a problem skipped already).
	Before bool
}

// Settled counts in the run's summary the steps ids an earlier run
// settled, as their latest records say, without recording them again.
func (j *Journal) Settled(ids ...string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range ids {
		if _, ok := j.last[id]; ok {
			j.run = append(j.run, runEntry{id: id, settled: true})
		}
	}
}

// RecordCounts appends what the run found of categories without a step
// of its own, for its summary.
func (j *Journal) RecordCounts(counts []Count) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	r := Record{Type: "counts", Counts: counts}
	if err := j.write(r, false); err != nil {
		return err
	}
	j.run = append(j.run, runEntry{counts: &r})
	return nil
}

// Mark is where the run's records from now on begin, for Since.
func (j *Journal) Mark() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.run)
}

// Since returns what the run counts after mark: the latest record of
// each step recorded or found settled, once each, in the order first
// met, and the counts recorded.
func (j *Journal) Since(mark int) []RunRecord {
	j.mu.Lock()
	defer j.mu.Unlock()
	recorded := map[string]bool{}
	for _, e := range j.run[mark:] {
		if e.id != "" && !e.settled {
			recorded[e.id] = true
		}
	}
	var out []RunRecord
	seen := map[string]bool{}
	for _, e := range j.run[mark:] {
		switch {
		case e.counts != nil:
			out = append(out, RunRecord{Record: *e.counts})
		case !seen[e.id]:
			seen[e.id] = true
			out = append(out, RunRecord{Record: j.last[e.id], Before: !recorded[e.id]})
		}
	}
	return out
}

// RememberAccount stores a resolution.
func (j *Journal) RememberAccount(key, id, acct string, locked bool) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if old, ok := j.accounts[key]; ok && old.AccountID == id {
		return nil
	}
	return j.write(Record{Type: "account", Key: key, AccountID: id, Acct: acct, Locked: locked}, false)
}

// Accounts returns the stored resolutions by export key.
func (j *Journal) Accounts() map[string]Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return maps.Clone(j.accounts)
}

// Finish marks the migration complete.
func (j *Journal) Finish() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.append(Record{Type: "finished"})
}

// Finished reports whether nothing was left to do at the last run's end.
func (j *Journal) Finished() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.finished
}

// Waiting says whether steps wait for other people (StatusWaiting): a
// finished migration with such steps is still worth resuming later.
func (j *Journal) Waiting() bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, r := range j.last {
		if r.Status == StatusWaiting {
			return true
		}
	}
	return false
}

// Last returns a step's latest record.
func (j *Journal) Last(id string) (Record, bool) {
	j.mu.Lock()
	defer j.mu.Unlock()
	r, ok := j.last[id]
	return r, ok
}

// Earlier returns the last outcome earlier runs recorded for a step
// (a "started" aside), or the zero Record.
func (j *Journal) Earlier(id string) Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.earlier[id]
}

// Redo returns the ids of the steps whose last write did not stick
// (Record.NotStuck): the diff sends them again (Options.Redo).
func (j *Journal) Redo() map[string]bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := map[string]bool{}
	for id, r := range j.last {
		if r.Status == StatusRetry && len(r.NotStuck) > 0 {
			out[id] = true
		}
	}
	return out
}

// Steps returns the latest record of every step, sorted by id.
func (j *Journal) Steps() []Record {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]Record, 0, len(j.last))
	for _, r := range j.last {
		out = append(out, r)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out
}

// Close releases the lock.
func (j *Journal) Close() error {
	if j.f == nil {
		return nil
	}
	return j.f.Close()
}

// List lists the journals in dir, newest first.
func List(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.journal"))
	if err != nil {
		return nil, err
	}
	type item struct {
		path string
		mod  time.Time
	}
	var items []item
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil {
			items = append(items, item{m, st.ModTime()})
		}
	}
	sort.Slice(items, func(a, b int) bool { return items[a].mod.After(items[b].mod) })
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.path
	}
	return out, nil
}
