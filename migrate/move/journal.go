package move

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/statefile"
)

// The account move (`mastomigrate move`) keeps a journal of its own, with
// the same format, locking and crash safety as a migration's, in a
// `.move` file next to the migrations' journals (so `resume` never takes
// it for a migration). Its steps run in order; a run continues at the
// first step not done.

// The steps of a move, in order.
const (
	StepReady     = "move-1-ready"     // the migration to NEW is finished, OLD and NEW are known
	StepAlias     = "move-2-alias"     // NEW lists OLD in alsoKnownAs
	StepRequest   = "move-3-move"      // the move was made on OLD
	StepMoved     = "move-4-moved"     // OLD's `moved` points at NEW
	StepFollowers = "move-5-followers" // the last followers count (repeats)
)

// Steps are the steps that are done once.
var Steps = []string{StepReady, StepAlias, StepRequest, StepMoved}

// StepName is what a person reads for a step.
func StepName(id string) string {
	switch id {
	case StepReady:
		return "migration finished"
	case StepAlias:
		return "alias on the new account"
	case StepRequest:
		return "move on the old account"
	case StepMoved:
		return "old account shows the move"
	case StepFollowers:
		return "followers"
	}
	return id
}

// Journal is the journal of one move.
type Journal struct{ *journal.Journal }

// JournalPath is where the journal of the move from one account to
// another lives.
func JournalPath(dir, from, to string) string {
	return filepath.Join(dir, statefile.Name(moveName(to)+"-from-"+moveName(from)+".move"))
}

// moveName is how a move's journal spells an account: lower case, without
// a leading @.
func moveName(account string) string { return strings.ToLower(strings.TrimPrefix(account, "@")) }

// OpenJournal opens (creating) and locks the journal of a move.
func OpenJournal(path, from, to string, now time.Time) (*Journal, error) {
	j, err := journal.Open(path, journal.Header{Account: to, From: from, Options: journal.RunConfig{To: to}, Created: now.UTC()})
	if err != nil {
		return nil, err
	}
	return &Journal{j}, nil
}

// LoadJournal reads a move's journal without locking it.
func LoadJournal(path string) (*Journal, error) {
	j, err := journal.Load(path)
	if err != nil {
		return nil, err
	}
	return &Journal{j}, nil
}

// Journals lists the moves' journals in dir, newest first.
func Journals(dir string) ([]string, error) {
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
func (m *Journal) Done(step string) bool {
	r, ok := m.Last(step)
	return ok && r.Status == journal.StatusDone
}

// Next is the first step not done, or "" when the move is complete (the
// followers check may still be repeated).
func (m *Journal) Next() string {
	for _, s := range Steps {
		if !m.Done(s) {
			return s
		}
	}
	return ""
}

// Info is what the ready step learned, updated by later steps.
func (m *Journal) Info() journal.MoveInfo {
	var info journal.MoveInfo
	for _, s := range append(Steps, StepFollowers) {
		if r, ok := m.Last(s); ok && r.Move != nil {
			info = *r.Move
		}
	}
	return info
}

// Mark journals a step's outcome (synced before the run goes on).
func (m *Journal) Mark(step string, st journal.Status, reason string, info *journal.MoveInfo, at time.Time) error {
	return m.Record(journal.Record{ID: step, Category: "move", Status: st, Reason: reason, Move: info, At: at.UTC()})
}

// State says where the move stands, for `status`.
func (m *Journal) State() string {
	next := m.Next()
	if next == "" {
		info := m.Info()
		s := "moved"
		if r, ok := m.Last(StepFollowers); ok && r.Move != nil {
			s += fmt.Sprintf("; followers %d of %d (%s); count again: mastomigrate move --from %s --to %s --check",
				info.NewFollowers, info.OldFollowers, r.At.Local().Format("2006-01-02 15:04"), m.Header.From, m.Header.Account)
		}
		return s
	}
	s := "waiting: " + StepName(next)
	if r, ok := m.Last(next); ok && r.Reason != "" {
		s += " (" + r.Reason + ")"
	}
	return s + "; continue with: mastomigrate move --from " + m.Header.From + " --to " + m.Header.Account
}

// Status is one account move as its journal tells it.
type Status struct {
	Journal string `json:"journal"`
	From    string `json:"from"`
	To      string `json:"to"`
	State   string `json:"state"`
	Damaged string `json:"damaged,omitzero"`
}

// Statuses reads every move journal in dir.
func Statuses(dir string) ([]Status, error) {
	paths, err := Journals(dir)
	if err != nil {
		return nil, err
	}
	out := make([]Status, 0, len(paths))
	for _, p := range paths {
		j, err := LoadJournal(p)
		if err != nil {
			out = append(out, Status{Journal: p, Damaged: err.Error()})
			continue
		}
		out = append(out, Status{Journal: p, From: j.Header.From, To: j.Header.Account, State: j.State()})
	}
	return out, nil
}

// MigrationCheck is what the journals say about the migrations to an
// account: whether they are finished, and what is still waiting.
type MigrationCheck struct {
	Journals int              // migrations to the account
	Finished bool             // every one finished
	Waiting  []journal.Record // steps deferred, to retry, or in flight
	Until    *time.Time
	Resume   string // the command that continues the unfinished one
}

// CheckMigration reads the migration journals in dir for the account
// (any of the names given: the handle and how it was typed).
func CheckMigration(dir string, names ...string) (MigrationCheck, error) {
	var c MigrationCheck
	paths, err := journal.List(dir)
	if err != nil {
		return c, err
	}
	want := map[string]bool{}
	for _, n := range names {
		want[strings.ToLower(strings.TrimPrefix(n, "@"))] = true
	}
	c.Finished = true
	for _, p := range paths {
		j, err := journal.Load(p)
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
			case journal.StatusDeferred, journal.StatusRetry, journal.StatusStarted:
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
		st  journal.Status
	}
	n := map[key]int{}
	var keys []key
	for _, r := range c.Waiting {
		k := key{string(r.Category), r.Status}
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
		case journal.StatusDeferred:
			line := fmt.Sprintf("%d %s wait for the daily follow limit", n[k], cat)
			if c.Until != nil {
				line += " (until " + c.Until.UTC().Format("2006-01-02 15:04 MST") + ")"
			}
			out = append(out, line)
		case journal.StatusRetry:
			out = append(out, fmt.Sprintf("%d %s failed for now and will be retried", n[k], cat))
		case journal.StatusStarted:
			out = append(out, fmt.Sprintf("%d %s were in flight when the last run stopped", n[k], cat))
		}
	}
	if len(out) == 0 {
		out = append(out, "the last run stopped before it finished")
	}
	return out
}
