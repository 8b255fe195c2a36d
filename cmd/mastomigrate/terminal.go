package main

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/move"
)

// terminal is the person at the terminal, as the engine sees them
// (migrate.Person): prompts on stderr, answers from stdin, progress bars
// on a terminal and plain lines in a log, the plan on stdout.
type terminal struct {
	f        *factory
	json     bool // --json: the plan is not printed as text
	showRead bool // show which export is read (plan)
	in       *bufio.Reader
	// ReadPassword reads a password without echo.
	readPassword func(ctx context.Context, prompt string) (string, error)

	mu        sync.Mutex
	read      *readProgress
	resolve   *progress
	run       *runProgress
	posts     *postProgress
	bulkLine  bool      // an import's progress line shows (terminal)
	moveLine  bool      // the move's waiting line shows (terminal)
	bulkStart time.Time // when its progress was first told
	stop      []context.CancelFunc
}

var _ migrate.Person = (*terminal)(nil)

func newTerminal(f *factory) *terminal {
	return &terminal{f: f, in: bufio.NewReader(f.IO.In), readPassword: terminalPassword(f)}
}

// close ends the bars and countdowns of a run that has returned.
func (t *terminal) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.endBars("")
	for _, stop := range t.stop {
		stop()
	}
	t.stop = nil
}

// endBars finishes every bar but that of phase.
func (t *terminal) endBars(phase string) {
	if t.read != nil && phase != migrate.PhaseRead {
		t.read.finish()
		t.read = nil
	}
	if t.resolve != nil && phase != migrate.PhaseCheck {
		t.resolve.finish()
		t.resolve = nil
	}
	if t.run != nil && phase != migrate.PhaseReplay {
		t.run.finish()
		t.run = nil
	}
	if t.posts != nil && phase != migrate.PhasePosts {
		t.posts.finish()
		t.posts = nil
	}
}

func (t *terminal) Notify(e migrate.Event) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.f.IO
	if e.Phase == migrate.PhaseMove {
		t.move(e)
		return
	}
	switch e.Kind {
	case migrate.EventPhase:
		t.endBars(e.Phase)
	case migrate.EventProgress:
		t.progress(e)
	case migrate.EventNote:
		if t.bulkLine {
			fmt.Fprint(s.ErrOut, "\r\033[K")
			t.bulkLine = false
		}
		fmt.Fprintln(s.ErrOut, levelMark[e.Level]+e.Message)
	case migrate.EventWait:
		t.wait(e)
	case migrate.EventPlan:
		if !t.json {
			e.Plan.WriteText(s.Out)
		}
	}
}

// move shows the move's checks and guidance on stdout (not with --json)
// and its waits on stderr.
func (t *terminal) move(e migrate.Event) {
	s := t.f.IO
	if e.Kind == migrate.EventWait {
		switch {
		case e.Item == move.StepFollowers:
			fmt.Fprintf(s.ErrOut, "%s  %s\n", t.f.Clock.Now().Local().Format("15:04"), e.Message)
		case s.ErrTTY:
			fmt.Fprintf(s.ErrOut, "\r\033[K%s", e.Message)
			t.moveLine = true
		default:
			fmt.Fprintln(s.ErrOut, e.Message)
		}
		return
	}
	if t.moveLine {
		fmt.Fprintln(s.ErrOut)
		t.moveLine = false
	}
	if t.json {
		return
	}
	switch e.Kind {
	case migrate.EventItem:
		mark := moveMarks[e.State]
		if mark == "" {
			mark = "·"
		}
		fmt.Fprintf(s.Out, "%s %s: %s\n", mark, move.StepName(e.Item), e.Message)
	case migrate.EventNote:
		fmt.Fprintf(s.Out, "  %s\n", e.Message)
	}
}

var moveMarks = map[string]string{"done": "✓", "already": "✓", "found": "✓", "missing": "✗", "cannot_check": "?",
	"would": "·", "waiting": "…", "not_finished": "!"}

var levelMark = map[migrate.Level]string{migrate.LevelWarning: "! ", migrate.LevelDone: "✓ "}

func (t *terminal) progress(e migrate.Event) {
	s := t.f.IO
	switch e.Phase {
	case migrate.PhaseRead:
		if t.showRead {
			if t.read == nil {
				t.read = newReadProgress(s)
			}
			t.read.set(e.Item, int64(e.Done))
		}
	case migrate.PhaseCheck:
		if t.resolve == nil {
			t.resolve = newProgress(s, "resolving accounts")
		}
		t.resolve.set(e.Done, e.Total)
	case migrate.PhaseReplay:
		if t.run == nil {
			t.run = newRunProgress(s)
		}
		t.run.set(string(e.Category), e.Done, e.Total)
	case migrate.PhasePosts:
		if t.posts == nil {
			t.posts = newPostProgress(t.f)
		}
		t.posts.set(e.Done, e.Total)
	case migrate.PhaseBulk:
		if !s.ErrTTY {
			return
		}
		if t.bulkStart.IsZero() {
			t.bulkStart = t.f.Clock.Now()
		}
		t.bulkLine = true
		fmt.Fprintf(s.ErrOut, "\r\033[Kimport: %d of %s followed so far (%s)", e.Done, plural(e.Total, "account"),
			t.f.Clock.Now().Sub(t.bulkStart).Round(time.Second))
	}
}

// wait shows the wait for the daily follow limit: a line that counts down
// on a terminal, and a line an hour otherwise, until the limit resets or
// the run ends.
func (t *terminal) wait(e migrate.Event) {
	f := t.f
	until := e.Until
	fmt.Fprintf(f.IO.ErrOut, "%s is reached; waiting until %s (Ctrl-C stops; the journal keeps the rest)\n",
		e.Reason, until.UTC().Format("2006-01-02 15:04 MST"))
	ctx, stop := context.WithCancel(context.Background())
	t.stop = append(t.stop, stop)
	every := time.Hour
	if f.IO.ErrTTY {
		every = time.Second
	}
	go func() {
		for {
			left := until.Sub(f.Clock.Now())
			if left <= 0 || f.Clock.Sleep(ctx, min(every, left)) != nil {
				if f.IO.ErrTTY {
					fmt.Fprint(f.IO.ErrOut, "\r\033[K")
				}
				return
			}
			if f.IO.ErrTTY {
				fmt.Fprintf(f.IO.ErrOut, "\r\033[K  %s left", left.Round(time.Second))
			} else if left > every {
				fmt.Fprintf(f.IO.ErrOut, "  %s left\n", migrate.HumanDuration(left))
			}
		}
	}()
}

// Confirm asks on the terminal. Without one it refuses: --yes is the way
// to run unattended. Overwrite removals need the account typed.
func (t *terminal) Confirm(ctx context.Context, q migrate.Confirmation) (bool, error) {
	s := t.f.IO
	if q.Kind == migrate.ConfirmDone {
		if !s.InTTY {
			return false, nil
		}
		fmt.Fprint(s.ErrOut, q.Prompt+" ")
		_, err := t.in.ReadString('\n')
		return err == nil, nil
	}
	if !s.InTTY {
		what := q.Account
		if q.Prompt != "" {
			what = "anything"
		}
		return false, &flagError{fmt.Errorf("refusing to change %s without confirmation: run it on a terminal, or add `--yes`", what)}
	}
	switch {
	case q.TypeAccount():
		// Typing the name is the yes; the engine judges it.
		fmt.Fprintf(s.ErrOut, "\nOverwrite mode removes %s from %s.\nType the account name (%s) to go on: ", plural(q.Removals, "item"), q.Account, q.Account)
		line, _ := t.in.ReadString('\n')
		return q.Agrees(true, line), nil
	case q.Prompt != "":
		fmt.Fprint(s.ErrOut, q.Prompt+" [y/N] ")
	default:
		fmt.Fprintf(s.ErrOut, "\nMake %s on %s? [y/N] ", plural(q.Changes, "change"), q.Account)
	}
	line, _ := t.in.ReadString('\n')
	a := strings.ToLower(strings.TrimSpace(line))
	return q.Agrees(a == "y" || a == "yes", ""), nil
}

// Secret reads a handle typed as a confirmation, or a password without
// echo; both only at a terminal.
func (t *terminal) Secret(ctx context.Context, q migrate.SecretRequest) (string, error) {
	s := t.f.IO
	if !s.InTTY {
		return "", &flagError{fmt.Errorf("the move needs %s's handle and password typed at a terminal; run it on a terminal", q.Account)}
	}
	if q.Kind == migrate.SecretPassword {
		return t.readPassword(ctx, q.Prompt+" ")
	}
	fmt.Fprint(s.ErrOut, q.Prompt+" ")
	line, _ := t.in.ReadString('\n')
	return strings.TrimSpace(line), nil
}
