package migrate

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// The account move (`mastomigrate move`) keeps a journal of its own, with
// the same format, locking and crash safety as a migration's, in a
// `.move` file next to the migrations' journals (so `resume` never takes
// it for a migration). Its steps run in order; a run continues at the
// first step not done.

// The steps of a move, in order.
const (
	MoveReady     = "move-1-ready"     // the migration to NEW is finished, OLD and NEW are known
	MoveAlias     = "move-2-alias"     // NEW lists OLD in alsoKnownAs
	MoveRequest   = "move-3-move"      // the move was made on OLD
	MoveMoved     = "move-4-moved"     // OLD's `moved` points at NEW
	MoveFollowers = "move-5-followers" // the last followers count (repeats)
)

// MoveSteps are the steps that are done once.
var MoveSteps = []string{MoveReady, MoveAlias, MoveRequest, MoveMoved}

// MoveStepName is what a person reads for a step.
func MoveStepName(id string) string {
	switch id {
	case MoveReady:
		return "migration finished"
	case MoveAlias:
		return "alias on the new account"
	case MoveRequest:
		return "move on the old account"
	case MoveMoved:
		return "old account shows the move"
	case MoveFollowers:
		return "followers"
	}
	return id
}

// MoveInfo is what the first step learns and later runs need: after the
// move the old account's token may no longer read it, and its followers
// leave, so the count before the move is kept here.
type MoveInfo struct {
	OldID        string `json:"old_id,omitempty"`
	OldURI       string `json:"old_uri,omitempty"`
	NewURI       string `json:"new_uri,omitempty"`
	OldFollowers int    `json:"old_followers"`
	NewFollowers int    `json:"new_followers"`
	OldSoftware  string `json:"old_software,omitempty"`
	NewSoftware  string `json:"new_software,omitempty"`
}

// MoveJournal is the journal of one move.
type MoveJournal struct{ *Journal }

// MoveJournalPath is where the journal of the move from one account to
// another lives.
func MoveJournalPath(dir, from, to string) string {
	return filepath.Join(dir, FileName(moveName(to)+"-from-"+moveName(from)+".move"))
}

// moveName is how a move's journal spells an account: lower case, without
// a leading @.
func moveName(account string) string { return strings.ToLower(strings.TrimPrefix(account, "@")) }

// OpenMoveJournal opens (creating) and locks the journal of a move.
func OpenMoveJournal(path, from, to string, now time.Time) (*MoveJournal, error) {
	j, err := OpenJournal(path, Header{Account: to, From: from, Options: RunConfig{To: to}, Created: now.UTC()})
	if err != nil {
		return nil, err
	}
	return &MoveJournal{j}, nil
}

// LoadMoveJournal reads a move's journal without locking it.
func LoadMoveJournal(path string) (*MoveJournal, error) {
	j, err := LoadJournal(path)
	if err != nil {
		return nil, err
	}
	return &MoveJournal{j}, nil
}

// MoveJournals lists the moves' journals in dir, newest first.
func MoveJournals(dir string) ([]string, error) {
	matches, err := filepath.Glob(filepath.Join(dir, "*.move"))
	if err != nil {
		return nil, err
	}
	mod := map[string]time.Time{}
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil {
			mod[m] = st.ModTime()
		}
	}
	sort.Slice(matches, func(a, b int) bool { return mod[matches[a]].After(mod[matches[b]]) })
	return matches, nil
}

// Done reports whether a step is done.
func (m *MoveJournal) Done(step string) bool {
	r, ok := m.Last(step)
	return ok && r.Status == StatusDone
}

// Next is the first step not done, or "" when the move is complete (the
// followers check may still be repeated).
func (m *MoveJournal) Next() string {
	for _, s := range MoveSteps {
		if !m.Done(s) {
			return s
		}
	}
	return ""
}

// Info is what the ready step learned, updated by later steps.
func (m *MoveJournal) Info() MoveInfo {
	var info MoveInfo
	for _, s := range append(MoveSteps, MoveFollowers) {
		if r, ok := m.Last(s); ok && r.Move != nil {
			info = *r.Move
		}
	}
	return info
}

// Mark journals a step's outcome (synced before the run goes on).
func (m *MoveJournal) Mark(step string, st Status, reason string, info *MoveInfo, at time.Time) error {
	return m.Record(Record{ID: step, Category: "move", Status: st, Reason: reason, Move: info, At: at.UTC()})
}

// State says where the move stands, for `status`.
func (m *MoveJournal) State() string {
	next := m.Next()
	if next == "" {
		info := m.Info()
		s := "moved"
		if r, ok := m.Last(MoveFollowers); ok && r.Move != nil {
			s += fmt.Sprintf("; followers %d of %d (%s); count again: mastomigrate move --from %s --to %s --check",
				info.NewFollowers, info.OldFollowers, r.At.Local().Format("2006-01-02 15:04"), m.Header.From, m.Header.Account)
		}
		return s
	}
	s := "waiting: " + MoveStepName(next)
	if r, ok := m.Last(next); ok && r.Reason != "" {
		s += " (" + r.Reason + ")"
	}
	return s + "; continue with: mastomigrate move --from " + m.Header.From + " --to " + m.Header.Account
}

// MigrationCheck is what the journals say about the migrations to an
// account: whether they are finished, and what is still waiting.
type MigrationCheck struct {
	Journals int      // migrations to the account
	Finished bool     // every one finished
	Waiting  []Record // steps deferred, to retry, or in flight
	Until    *time.Time
	Resume   string // the command that continues the unfinished one
}

// CheckMigration reads the migration journals in dir for the account
// (any of the names given: the handle and how it was typed).
func CheckMigration(dir string, names ...string) (MigrationCheck, error) {
	var c MigrationCheck
	paths, err := Journals(dir)
	if err != nil {
		return c, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(strings.TrimPrefix(n, "@"))] = true
	}
	c.Finished = true
	for _, p := range paths {
		j, err := LoadJournal(p)
		if err != nil {
			return c, err
		}
		if !want[strings.ToLower(strings.TrimPrefix(j.Header.Account, "@"))] && !want[strings.ToLower(j.Header.Options.To)] {
			continue
		}
		c.Journals++
		if j.Finished() {
			continue
		}
		c.Finished = false
		if c.Resume == "" {
			c.Resume = "mastomigrate resume --journal " + p
		}
		for _, r := range j.Steps() {
			switch r.Status {
			case StatusDeferred, StatusRetry, StatusStarted:
				c.Waiting = append(c.Waiting, r)
				if r.Until != nil && (c.Until == nil || r.Until.After(*c.Until)) {
					c.Until = r.Until
				}
			}
		}
	}
	if c.Journals == 0 {
		c.Finished = false
	}
	return c, nil
}

// Summary says in a few lines what is waiting, by category.
func (c MigrationCheck) Summary() []string {
	if c.Journals == 0 {
		return []string{"no migration to this account was found (run `mastomigrate migrate` first)"}
	}
	type key struct {
		cat string
		st  Status
	}
	n := map[key]int{}
	var keys []key
	for _, r := range c.Waiting {
		k := key{r.Category, r.Status}
		if n[k] == 0 {
			keys = append(keys, k)
		}
		n[k]++
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a].cat+string(keys[a].st) < keys[b].cat+string(keys[b].st) })
	var out []string
	for _, k := range keys {
		cat := strings.ReplaceAll(k.cat, "_", " ")
		switch k.st {
		case StatusDeferred:
			line := fmt.Sprintf("%d %s wait for the daily follow limit", n[k], cat)
			if c.Until != nil {
				line += " (until " + c.Until.UTC().Format("2006-01-02 15:04 MST") + ")"
			}
			out = append(out, line)
		case StatusRetry:
			out = append(out, fmt.Sprintf("%d %s failed for now and will be retried", n[k], cat))
		case StatusStarted:
			out = append(out, fmt.Sprintf("%d %s were in flight when the last run stopped", n[k], cat))
		}
	}
	if len(out) == 0 {
		out = append(out, "the last run stopped before it finished")
	}
	return out
}
