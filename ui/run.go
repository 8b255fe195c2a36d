package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/mastomigrate/mastomigrate/migrate"
)

// activeRun is the migration the page runs now, or ran last.
type activeRun struct {
	pause context.CancelFunc
	done  chan struct{}
}

// Running reports whether a migration or a move runs now.
func (s *Server) Running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run == nil {
		return false
	}
	select {
	case <-s.run.done:
		return false
	default:
		return true
	}
}

// env is the engine's, with accounts that tell their waits to the page.
func (s *Server) env() migrate.Env {
	env := s.cfg.Env
	env.Accounts = s.cfg.Accounts(s.live.rateLimited)
	return env
}

// launch runs a migration or a move (kind) in the background, one run
// at a time. Cancelling its context is the CLI's Ctrl-C: requests in
// flight finish and are journaled, and a migration returns a
// StoppedError.
func (s *Server) launch(kind string, run func(context.Context, migrate.Person) (*migrate.Summary, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.run != nil {
		select {
		case <-s.run.done:
		default:
			return errors.New("a migration is running already")
		}
	}
	ctx, pause := context.WithCancel(s.ctx)
	r := &activeRun{pause: pause, done: make(chan struct{})}
	s.run = r
	s.live.begin(kind)
	go func() {
		defer close(r.done)
		defer pause()
		sum, err := run(ctx, s.live)
		if kind == kindMigration {
			s.freeFinished()
		}
		s.mu.Lock()
		s.ended++
		s.mu.Unlock()
		s.live.end(sum, err)
	}()
	return nil
}

// startRun starts the migration the earlier screens set up; the engine
// asks on the page before it changes anything.
func (s *Server) startRun(w http.ResponseWriter, r *http.Request) {
	cfg, err := s.sessionConfig(r)
	if err == nil {
		err = s.launch(kindMigration, migrate.NewSession(cfg, s.env()).Run)
	}
	if err != nil {
		s.render(w, r, "run", s.runData(err.Error()))
		return
	}
	http.Redirect(w, r, "/run", http.StatusSeeOther)
}

// sessionConfig is what the screens chose: the exports, the accounts,
// and the extras ticked on the run screen.
func (s *Server) sessionConfig(r *http.Request) (migrate.SessionConfig, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := migrate.SessionConfig{From: s.from, To: s.to, Include: slices.Clone(s.include)}
	for _, e := range s.exports {
		cfg.Exports = append(cfg.Exports, e.Path)
	}
	if r != nil {
		cfg.Include = included(r)
	}
	switch {
	case cfg.To == "":
		return cfg, errors.New("log in to the new account first (Accounts)")
	case len(cfg.Exports) == 0 && cfg.From == "":
		return cfg, errors.New("add your exports first (Exports), or log in to the old account")
	}
	return cfg, nil
}

// included is the extras a form ticked (migrate.Includable's only).
func included(r *http.Request) []string {
	r.ParseForm()
	var out []string
	for _, v := range r.PostForm["include"] {
		if slices.Contains(migrate.Includable, v) && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// pauseRun is the CLI's Ctrl-C.
func (s *Server) pauseRun(w http.ResponseWriter, r *http.Request) {
	if s.Running() {
		s.live.change(func(s *Snapshot) { s.Pausing = true })
	}
	s.mu.Lock()
	if s.run != nil {
		s.run.pause()
	}
	s.mu.Unlock()
	http.Redirect(w, r, "/run", http.StatusSeeOther)
}

// continueRun continues the newest unfinished journal. Pressing Continue
// agrees to carry on adding; removals (a journal in overwrite mode) are
// asked on the page, the account's name typed, as a fresh run asks them.
func (s *Server) continueRun(w http.ResponseWriter, r *http.Request) {
	err := s.resume()
	if err != nil {
		s.render(w, r, "run", s.runData(err.Error()))
		return
	}
	http.Redirect(w, r, "/run", http.StatusSeeOther)
}

func (s *Server) resume() error {
	if s.Running() {
		return errors.New("a migration is running already")
	}
	path, err := migrate.LatestUnfinished(s.cfg.Env.StateDir)
	if err != nil {
		return err
	}
	sess, err := migrate.ResumeSession(path, s.env())
	if err != nil {
		return err
	}
	sess.Config.Continued = true
	return s.launch(kindMigration, sess.Run)
}

// answer gives the page's answer to the engine's question.
func (s *Server) answer(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.Atoi(r.PostFormValue("id"))
	err := s.live.reply(answer{id: id, yes: r.PostFormValue("answer") == "yes", typed: r.PostFormValue("typed")})
	if err != nil {
		s.render(w, r, "run", s.runData(err.Error()))
		return
	}
	http.Redirect(w, r, "/run", http.StatusSeeOther)
}

// events streams the run's snapshot as server-sent events: one at once,
// then one after each change (coalesced when changes come faster than
// the page reads), until the page goes away.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	changed, stop := s.live.subscribe()
	defer stop()
	for {
		data, err := json.Marshal(s.live.Snapshot())
		if err != nil {
			return
		}
		if _, err := fmt.Fprintf(w, "data: %s\n\n", data); err != nil {
			return
		}
		fl.Flush()
		select {
		case <-changed:
		case <-r.Context().Done():
			return
		case <-s.ctx.Done():
			return
		}
	}
}

// summaryCols are the run's outcomes, as `migrate` sums them up.
var summaryCols = []column[*migrate.SummaryRow]{
	{"done", "Done", "", (*migrate.SummaryRow).Carried},
	{"already_there", "Already there", "", func(r *migrate.SummaryRow) int { return r.Already }},
	{"pending", "Requests sent", "follow requests: they count once accepted", func(r *migrate.SummaryRow) int { return r.Pending }},
	{"waiting", "Waiting for requests", "list members added once their follow request is accepted", func(r *migrate.SummaryRow) int { return r.Waiting }},
	{"deferred", "For a later run", "the daily follow limit: continue once it allows", func(r *migrate.SummaryRow) int { return r.Deferred }},
	{"retry", "To retry", "", func(r *migrate.SummaryRow) int { return r.Retry }},
	{"skipped", "Skipped", "the report says why", func(r *migrate.SummaryRow) int { return r.Skipped }},
	{"failed", "Failed", "the report says why", func(r *migrate.SummaryRow) int { return r.Failed }},
}

// summaryRow is a category's outcomes in the run.
type summaryRow struct {
	Category string
	Cells    []cell
}

type runData struct {
	pageError
	SumCols  []column[*migrate.SummaryRow] // the run's outcomes with a count
	SumRows  []summaryRow
	Snap     Snapshot
	Running  bool
	Status   *migrate.RunStatus // the newest journal's, when not running
	Resume   bool               // an unfinished journal can be continued
	Exports  []string
	To, From string
	Extras   []extra
}

func (s *Server) runPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, "run", s.runData(""))
}

func (s *Server) runData(msg string) runData {
	d := runData{pageError: failed(msg), Snap: s.live.Snapshot(), Extras: s.extras()}
	// Running as the snapshot says, not as the run's goroutine does: it
	// says "finished" a moment before the goroutine is done, and a page
	// drawn in that moment would show a finished run still running, with
	// nothing newer to come (its seq is the last).
	d.Running = d.Snap.State == "running"
	if sum := d.Snap.Summary; sum != nil {
		d.SumCols = shown(summaryCols, sum.Rows)
		for _, r := range sum.Rows {
			if c := cells(d.SumCols, r); slices.ContainsFunc(c, func(c cell) bool { return c.N != 0 }) {
				d.SumRows = append(d.SumRows, summaryRow{string(r.Category), c})
			}
		}
	}
	if runs, err := migrate.Statuses(s.cfg.Env.StateDir); err == nil && len(runs) > 0 && runs[0].Damaged == "" {
		d.Status = &runs[0]
	}
	_, err := migrate.LatestUnfinished(s.cfg.Env.StateDir)
	d.Resume = err == nil && !d.Running
	s.mu.Lock()
	for _, e := range s.exports {
		d.Exports = append(d.Exports, e.Name)
	}
	d.To, d.From = s.to, s.from
	s.mu.Unlock()
	return d
}
