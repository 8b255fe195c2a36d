package ui

import (
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/move"
)

// live is the person at the page, as the engine sees them
// (migrate.Person): what the engine tells is folded into a Snapshot that
// every open page receives (server-sent events), and its questions wait
// for the page's answer.
type live struct {
	clock api.Clock

	mu      sync.Mutex
	snap    Snapshot
	subs    map[chan struct{}]struct{}
	answers chan answer // the open question's
}

var _ migrate.Person = (*live)(nil)

// Snapshot is a run as the page shows it. It never holds a token or a
// typed secret: only what the engine tells and asks.
type Snapshot struct {
	Seq        int              `json:"seq"`   // changes with every change
	Kind       string           `json:"kind"`  // what runs: migration or move
	State      string           `json:"state"` // idle, running, paused, finished, waiting, unfinished, declined, failed
	Phase      string           `json:"phase,omitempty"`
	Doing      string           `json:"doing,omitempty"` // the phase, for people
	Read       int              `json:"read_bytes,omitempty"`
	Check      Count            `json:"check"` // accounts looked up
	Categories []Count          `json:"categories"`
	Moves      []MoveLine       `json:"moves,omitempty"` // the move's checks
	Wait       *Wait            `json:"wait,omitempty"`
	Notes      []Note           `json:"notes,omitempty"`
	Question   *Question        `json:"question,omitempty"`
	Pausing    bool             `json:"pausing,omitempty"` // asked to pause; what is in flight finishes
	Message    string           `json:"message,omitempty"` // how the run ended
	Summary    *migrate.Summary `json:"summary,omitempty"`
}

// Count is Done of Total, for a category of the replay.
type Count struct {
	Category string `json:"category,omitempty"`
	Done     int    `json:"done"`
	Total    int    `json:"total"`
}

// MoveLine is one of the move's checks.
type MoveLine struct {
	Step    string `json:"step"`
	Name    string `json:"name"`
	State   string `json:"state"` // done, already, found, missing, cannot_check, would, waiting, not_finished
	Message string `json:"message"`
}

// Wait is a wait for a limit: the server's rate limit, or the daily
// follow limit.
type Wait struct {
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

// Note is one of the engine's notes.
type Note struct {
	Level   migrate.Level `json:"level,omitempty"`
	Message string        `json:"message"`
}

// Question is what the engine asks and waits for: a confirmation or a
// secret (its prompt only).
type Question struct {
	ID      int                    `json:"id"`
	Confirm *migrate.Confirmation  `json:"confirm,omitempty"`
	Secret  *migrate.SecretRequest `json:"secret,omitempty"`
}

type answer struct {
	id    int
	yes   bool
	typed string // the account typed for removals, or the secret
}

// maxNotes bounds the notes kept: the move's guidance is a few lines.
const maxNotes = 40

func newLive(clock api.Clock) *live {
	if clock == nil {
		clock = api.SystemClock
	}
	return &live{clock: clock, subs: map[chan struct{}]struct{}{}, snap: Snapshot{State: "idle"}}
}

// change applies f to the snapshot and wakes every subscriber; a
// subscriber slower than the changes gets the latest state once.
func (l *live) change(f func(*Snapshot)) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f(&l.snap)
	l.snap.Seq++
	for ch := range l.subs {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// Snapshot is a copy of the state now.
func (l *live) Snapshot() Snapshot {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.snap
	s.Categories = slices.Clone(s.Categories)
	s.Moves = slices.Clone(s.Moves)
	s.Notes = slices.Clone(s.Notes)
	return s
}

// subscribe returns a channel told of each change, and its end.
func (l *live) subscribe() (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		delete(l.subs, ch)
		l.mu.Unlock()
	}
}

// Kinds of run.
const (
	kindMigration = "migration"
	kindMove      = "move"
)

// begin clears the last run's state for a new one of kind.
func (l *live) begin(kind string) {
	l.change(func(s *Snapshot) { *s = Snapshot{Seq: s.Seq, Kind: kind, State: "running"} })
}

func (l *live) Notify(e migrate.Event) {
	l.change(func(s *Snapshot) {
		if e.Phase == migrate.PhaseMove {
			s.move(e)
			return
		}
		switch e.Kind {
		case migrate.EventPhase:
			s.Phase, s.Doing = e.Phase, doing[e.Phase]
			if e.Phase != migrate.PhaseReplay {
				s.Wait = nil
			}
		case migrate.EventProgress:
			switch e.Phase {
			case migrate.PhaseRead:
				s.Read = e.Done
			case migrate.PhaseCheck:
				s.Check = Count{Done: e.Done, Total: e.Total}
			case migrate.PhaseReplay, migrate.PhasePosts:
				s.setCount(Count{Category: string(e.Category), Done: e.Done, Total: e.Total})
				if s.Wait != nil && !s.Wait.Until.After(l.clock.Now()) {
					s.Wait = nil
				}
			case migrate.PhaseBulk:
				s.setCount(Count{Category: "import", Done: e.Done, Total: e.Total})
			}
		case migrate.EventWait:
			s.Wait = &Wait{Until: e.Until, Reason: e.Reason}
		case migrate.EventNote:
			s.note(Note{Level: e.Level, Message: e.Message})
		}
	})
}

// doing names the phases for people.
var doing = map[string]string{
	migrate.PhaseRead:   "reading the exports",
	migrate.PhaseCheck:  "reading the new account",
	migrate.PhaseBulk:   "the server's own import",
	migrate.PhaseReplay: "carrying item by item",
	migrate.PhasePosts:  "carrying the posts",
}

// move keeps the move's checks, guidance and waits.
func (s *Snapshot) move(e migrate.Event) {
	switch e.Kind {
	case migrate.EventItem:
		line := MoveLine{Step: e.Item, Name: move.StepName(e.Item), State: e.State, Message: e.Message}
		if i := slices.IndexFunc(s.Moves, func(m MoveLine) bool { return m.Step == e.Item }); i >= 0 {
			s.Moves[i] = line
		} else {
			s.Moves = append(s.Moves, line)
		}
	case migrate.EventNote:
		s.note(Note{Level: e.Level, Message: e.Message})
	case migrate.EventWait:
		s.Wait = &Wait{Until: e.Until, Reason: e.Message}
	}
}

func (s *Snapshot) note(n Note) {
	s.Notes = append(s.Notes, n)
	if len(s.Notes) > maxNotes {
		s.Notes = s.Notes[len(s.Notes)-maxNotes:]
	}
}

func (s *Snapshot) setCount(c Count) {
	for i := range s.Categories {
		if s.Categories[i].Category == c.Category {
			s.Categories[i] = c
			return
		}
	}
	s.Categories = append(s.Categories, c)
}

// rateLimited shows a request's wait for the server's rate limit, with
// its end.
func (l *live) rateLimited(w api.Wait) {
	l.change(func(s *Snapshot) { s.Wait = &Wait{Until: w.Until, Reason: w.Reason} })
}

// ask shows q and waits for the page's answer, or for ctx (a pause).
func (l *live) ask(ctx context.Context, q Question) (answer, error) {
	ch := make(chan answer, 1)
	l.mu.Lock()
	l.answers = ch
	l.mu.Unlock()
	l.change(func(s *Snapshot) {
		q.ID = s.Seq + 1
		s.Question = &q
	})
	defer l.change(func(s *Snapshot) { s.Question = nil })
	select {
	case a := <-ch:
		return a, nil
	case <-ctx.Done():
		return answer{}, ctx.Err()
	}
}

// errStale: the answer is to a question no longer asked.
var errStale = errors.New("that question is no longer asked; the page shows the current one")

// reply gives the page's answer to the open question id.
func (l *live) reply(a answer) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.snap.Question == nil || l.snap.Question.ID != a.id || l.answers == nil {
		return errStale
	}
	l.answers <- a
	l.answers = nil
	return nil
}

// Confirm asks on the page. Removals (overwrite mode) need the account
// typed, as on the terminal: the page shows the field, the engine judges.
func (l *live) Confirm(ctx context.Context, q migrate.Confirmation) (bool, error) {
	a, err := l.ask(ctx, Question{Confirm: &q})
	if err != nil {
		return false, err
	}
	return q.Agrees(a.yes, a.typed), nil
}

// Secret asks for a secret in a password field; the answer goes to the
// engine and is kept nowhere here.
func (l *live) Secret(ctx context.Context, q migrate.SecretRequest) (string, error) {
	a, err := l.ask(ctx, Question{Secret: &q})
	if err != nil {
		return "", err
	}
	return a.typed, nil
}

// end says how a run ended: a migration as the engine decides
// (migrate.EndingOf), in the page's words.
func (l *live) end(sum *migrate.Summary, err error) {
	l.change(func(s *Snapshot) {
		s.Summary, s.Question, s.Wait = sum, nil, nil
		if s.Kind == kindMove {
			s.State, s.Message = moveEnd(err)
			return
		}
		switch migrate.EndingOf(sum, err) {
		case migrate.EndStopped:
			s.State, s.Message = "paused", "Paused. Everything done so far is journaled; continue here, or in a terminal with: mastomigrate resume"
		case migrate.EndCancelled:
			s.State, s.Message = "paused", "Paused before anything was sent; continue here, or in a terminal with: mastomigrate resume"
		case migrate.EndDeferred:
			s.State, s.Message = "waiting", err.Error()
		case migrate.EndRetry:
			s.State, s.Message = "unfinished", err.Error()
		case migrate.EndDeclined:
			s.State, s.Message = "declined", "Not confirmed; nothing was changed."
		case migrate.EndFailed:
			s.State, s.Message = "failed", err.Error()
		case migrate.EndPartial:
			s.State, s.Message = "finished", "Done with the chosen categories on "+sum.Account+"."
		case migrate.EndWaitingApproval:
			s.State, s.Message = "finished", "Migration to "+sum.Account+" done, but for what waits for follow requests to be accepted."
		default:
			s.State, s.Message = "finished", "Migration to "+sum.Account+" complete."
		}
	})
}

// moveEnd is the page's state and words for how a move ended.
func moveEnd(err error) (state, message string) {
	var later *move.WaitError
	switch {
	case errors.Is(err, context.Canceled):
		return "paused", "Stopped. Each step of the move is journaled: run it again to continue where it stopped."
	case errors.As(err, &later):
		return "waiting", later.Error()
	case err != nil:
		return "failed", err.Error()
	}
	return "finished", "The move's steps are done; the checks above say where things stand."
}
