package migrate

import (
	"context"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// Person is the one running a migration or a move, as the engine sees
// them. The engine never prints, prompts or draws: it asks and tells
// through this interface, and each face implements it (the terminal in
// cmd/mastomigrate, the web page in ui). Implementations must be safe for
// use from several goroutines: the replay runs workers in parallel.
type Person interface {
	// Confirm asks before the engine changes an account. It returns
	// false, with no error, when the person declines. When q.TypeAccount,
	// the face must make the person type Account, not just say yes, and
	// lets q.Agrees judge the answer.
	Confirm(ctx context.Context, q Confirmation) (bool, error)
	// Secret asks for what is typed and never kept: a password, or a
	// handle typed as a confirmation. The engine never stores, logs or
	// journals the answer, and neither may the face.
	Secret(ctx context.Context, q SecretRequest) (string, error)
	// Notify tells what happens as it happens. It must return quickly:
	// the engine calls it between requests.
	Notify(e Event)
}

// Confirmation is what the person is asked to agree to.
type Confirmation struct {
	Account  string `json:"account"`        // the account that changes
	Changes  int    `json:"changes"`        // items to be sent
	Removals int    `json:"removals"`       // items removed (overwrite mode)
	Lane     string `json:"lane,omitempty"` // "" for the replay; the bulk import's server name
	// Kind is what is asked: to agree to a change (""), or to say that
	// something asked of the person outside is done (ConfirmDone: the
	// alias set on the web); a face that cannot ask answers false.
	Kind ConfirmKind `json:"kind,omitempty"`
	// Prompt is the question in one line, for the move's steps; the
	// migration's questions are told by the numbers above.
	Prompt string `json:"prompt,omitempty"`
	// Link and Enter say what to do on the web before saying it is done
	// (ConfirmDone), or before saying yes to whether it is: the page to
	// open, and what to enter there (the alias's handle). A face that
	// can show a link shows them with the question.
	Link  string `json:"link,omitempty"`
	Enter string `json:"enter,omitempty"`
}

// TypeAccount says whether agreeing to q takes the account's name typed,
// not just a yes: a change that removes (overwrite mode) is not undone by
// a later run, so a yes pressed by habit must not be enough.
func (q Confirmation) TypeAccount() bool {
	return q.Kind == ConfirmChange && q.Prompt == "" && q.Removals > 0
}

// Agrees says whether the person's answer agrees to q: yes is their yes
// (a button, or "y" typed) and typed what they typed as the account's
// name. When q.TypeAccount, the name must be q.Account's (an "@" before
// it, spaces around it and its case do not matter, as for any handle).
func (q Confirmation) Agrees(yes bool, typed string) bool {
	if !yes || !q.TypeAccount() {
		return yes
	}
	return strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(typed), "@")), q.Account)
}

// ConfirmKind says what a Confirmation asks.
type ConfirmKind string

const (
	ConfirmChange ConfirmKind = ""     // may the engine change the account?
	ConfirmDone   ConfirmKind = "done" // has the person done what they were told?
)

// SecretKind says what a SecretRequest asks for.
type SecretKind string

const (
	SecretPassword SecretKind = "password" // the old account's password (move on GoToSocial)
	SecretHandle   SecretKind = "handle"   // the account's handle, typed as a confirmation
)

// SecretRequest asks for one secret.
type SecretRequest struct {
	Kind    SecretKind `json:"kind"`
	Account string     `json:"account"` // whose secret
	Prompt  string     `json:"prompt"`  // one line a person reads
}

// EventKind says what an Event tells.
type EventKind string

const (
	EventPhase    EventKind = "phase"    // a phase starts: Phase
	EventProgress EventKind = "progress" // Category: Done of Total
	EventItem     EventKind = "item"     // one item ended: Category, Item, Outcome, Reason
	EventWait     EventKind = "wait"     // waiting for a limit until Until: Reason
	EventNote     EventKind = "note"     // worth a look: Message (one line, no escapes), Level
	EventPlan     EventKind = "plan"     // the plan is ready, before anything is changed: Plan
)

// Phases of a migration, in the order they run; a move has its steps.
const (
	PhaseRead    = "read"    // reading the exports or the old account
	PhaseCheck   = "check"   // reading the new account and diffing
	PhaseBulk    = "bulk"    // the server's bulk import
	PhaseReplay  = "replay"  // the per-item API replay
	PhasePosts   = "posts"   // posts and their media
	PhaseSummary = "summary" // the run is over; its summary is ready
	PhaseMove    = "move"    // a step of the account move: Item names it
)

// Event is one structured report from the engine: never a string to pick
// apart, never a terminal escape.
type Event struct {
	Kind     EventKind         `json:"kind"`
	Phase    string            `json:"phase,omitempty"`
	Category category.Category `json:"category,omitempty"`
	Item     string            `json:"item,omitempty"`    // the step id
	Outcome  journal.Status    `json:"outcome,omitempty"` // as journaled
	Reason   string            `json:"reason,omitempty"`
	Done     int               `json:"done,omitempty"`
	Total    int               `json:"total,omitempty"`
	Until    time.Time         `json:"until,omitzero"`
	Message  string            `json:"message,omitempty"`
	Level    Level             `json:"level,omitempty"` // of a note
	Plan     *Plan             `json:"plan,omitempty"`
	// State is a move check's outcome (done, already, found, missing,
	// cannot_check, would, waiting, not_finished), Message its detail.
	State string `json:"state,omitempty"`
}

// Level says how a note reads: news, a warning, or a success.
type Level string

const (
	LevelInfo    Level = ""
	LevelWarning Level = "warning" // the terminal marks it "!"
	LevelDone    Level = "done"    // the terminal marks it "✓"
)
