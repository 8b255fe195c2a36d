package ui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// quiet is the person a plan needs: it asks nothing and its progress is
// not shown.
type quiet struct{}

func (quiet) Confirm(context.Context, migrate.Confirmation) (bool, error) { return false, nil }
func (quiet) Secret(context.Context, migrate.SecretRequest) (string, error) {
	return "", errors.New("nothing is asked while planning")
}
func (quiet) Notify(migrate.Event) {}

// plan is `plan --json`'s plan for the screens' choices, checked against
// the new account once one is logged in. A plan reads every export (a
// 1 GiB archive takes a while): it is made once for the same inputs, as
// they are on disk, target and extras, and kept until one of them
// changes or a run or move ends (the target changed).
func (s *Server) plan(ctx context.Context) (*migrate.Plan, error) {
	cfg, err := s.sessionConfig(nil)
	if err != nil && len(cfg.Exports) == 0 && cfg.From == "" {
		return nil, errors.New("add your exports first")
	}
	s.planMu.Lock()
	defer s.planMu.Unlock()
	key := s.planKey(cfg)
	if s.planned != nil && s.planned.key == key {
		return s.planned.plan, nil
	}
	env := s.env()
	env.StateDir = "" // a plan writes nothing
	p, err := migrate.NewSession(cfg, env).Plan(ctx, quiet{})
	if err != nil {
		return nil, err // not kept: the next view tries again
	}
	s.planned = &keptPlan{key: key, plan: p}
	s.plans++
	return p, nil
}

// keptPlan is the last plan made, with what it was made from.
type keptPlan struct {
	key  string
	plan *migrate.Plan
}

// planKey names what a plan is made from: the choices, each input's
// size and time of change on disk (a folder's changes when a file is
// added or removed), and the runs ended since.
func (s *Server) planKey(cfg migrate.SessionConfig) string {
	type input struct {
		Path string
		Size int64
		Mod  time.Time
	}
	var ins []input
	for _, path := range cfg.Exports {
		in := input{Path: path}
		if fi, err := os.Stat(path); err == nil {
			in.Size, in.Mod = fi.Size(), fi.ModTime()
		}
		ins = append(ins, in)
	}
	s.mu.Lock()
	ended := s.ended
	s.mu.Unlock()
	key, _ := json.Marshal(struct {
		From, To string
		Include  []string
		Inputs   []input
		Ended    int
	}{cfg.From, cfg.To, cfg.Include, ins, ended})
	return string(key)
}

type planCol = column[*migrate.CategoryReport]

var planCols = []planCol{
	{"to_do", "To send", "new follows and items, and follow requests to locked accounts", func(c *migrate.CategoryReport) int { return c.ToDo }},
	{"locked", "Of these, requests", "follows of locked accounts: they count once accepted", func(c *migrate.CategoryReport) int { return c.Locked }},
	{"already_there", "Already there", "", func(c *migrate.CategoryReport) int { return c.Already }},
	{"pending", "Requests waiting", "sent before, not accepted yet", func(c *migrate.CategoryReport) int { return c.Pending }},
	{"unresolved", "Not found", "", func(c *migrate.CategoryReport) int { return c.Unresolved }},
	{"suspended", "Suspended", "", func(c *migrate.CategoryReport) int { return c.Suspended }},
	{"over_cap", "Over the limit", "Mastodon's limit of follows", func(c *migrate.CategoryReport) int { return c.OverCap }},
	{"moved", "Moved", "the new address is used: counted above too", func(c *migrate.CategoryReport) int { return c.Moved }},
	{"to_remove", "To remove", "overwrite mode", func(c *migrate.CategoryReport) int { return c.Remove }},
}

// planRow is one category of the plan, for people: what the exports
// hold, and the target's counts once it is known.
type planRow struct {
	Category string
	Exported int
	Cells    []cell // the shown columns' counts, when the target is known
	OptIn    bool   // an extra not asked for (likes notify their authors)
}

// chartPart is a part of the follows' chart: one of the engine's counts
// and where it is drawn (percentages of the counts drawn).
type chartPart struct {
	Class, Text string
	N           int
	X, W        string
}

type planData struct {
	pageError
	Plan    *migrate.Plan
	Sources []string  // the plan's sources' names, in a stable order
	Cols    []planCol // the target's columns with a count other than 0
	Rows    []planRow
	Chart   []chartPart // where the follows stand, with the target
	Days    int         // days the daily follow limit spreads the follows over
	To      string
	Extras  []extra
}

// extra is an opt-in extra, ticked or not.
type extra struct {
	Name, Note string
	On         bool
}

// extraNotes say what each extra does, as `--include`'s help does.
var extraNotes = map[string]string{
	"likes":   "each like notifies its author",
	"profile": "display name, bio, fields, avatar and header",
	"posts":   "GoToSocial 0.18 or newer only: backdated, not sent to followers",
}

func (s *Server) extras() []extra {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []extra
	for _, name := range migrate.Includable {
		out = append(out, extra{Name: name, Note: extraNotes[name], On: slices.Contains(s.include, name)})
	}
	return out
}

// setInclude chooses the opt-in extras the plan counts and the run
// carries (`--include`).
func (s *Server) setInclude(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.include = included(r)
	s.mu.Unlock()
	http.Redirect(w, r, "/plan", http.StatusSeeOther)
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r.Context())
	if err != nil {
		s.render(w, r, "plan", planData{pageError: failed(err.Error())})
		return
	}
	d := planData{Plan: p, Sources: sourceNames(p.Sources), Extras: s.extras()}
	s.mu.Lock()
	d.To = s.to
	s.mu.Unlock()
	// The counts by category, in the registry's order, from the plan's
	// own JSON names: what `plan --json` calls "importable".
	var counts map[string]any
	raw, _ := json.Marshal(p.Importable)
	json.Unmarshal(raw, &counts)
	reports := map[category.Category]*migrate.CategoryReport{}
	if p.Target != nil {
		for _, cr := range p.Target.Categories {
			reports[cr.Name] = cr
		}
		d.Cols = shown(planCols, p.Target.Categories)
	}
	for _, c := range category.Registry {
		n, _ := counts[string(c.Name)].(float64)
		row := planRow{Category: string(c.Name), Exported: int(n),
			OptIn: slices.Contains(migrate.Includable, string(c.Name)) && !p.Includes(string(c.Name))}
		cr := reports[c.Name]
		if cr != nil {
			row.Cells = cells(d.Cols, cr)
		}
		if row.Exported == 0 && !slices.ContainsFunc(row.Cells, func(c cell) bool { return c.N != 0 }) {
			continue
		}
		d.Rows = append(d.Rows, row)
	}
	if f := reports[category.Follows]; f != nil {
		d.Chart = followsChart(f)
	}
	d.Days = migrate.FollowDays(p.Importable.Follows)
	if p.Target != nil {
		d.Days = p.Target.Estimate.FollowDays
	}
	s.render(w, r, "plan", d)
}

// sourceNames are the plan's sources by name, sorted: the engine sorts
// them by path, and an upload's path has a random folder, so its order
// would change from one upload to the next.
func sourceNames(sources []string) []string {
	var names []string
	for _, src := range sources {
		names = append(names, filepath.Base(src))
	}
	slices.Sort(names)
	return names
}

// followsChart draws where the follows stand: each of the engine's
// counts a part, the locked accounts' requests among those to send.
func followsChart(f *migrate.CategoryReport) []chartPart {
	parts := []chartPart{
		{Class: "already", Text: "already followed", N: f.Already},
		{Class: "todo", Text: "to follow", N: f.ToDo},
		{Class: "pending", Text: "requests waiting for approval", N: f.Pending},
		{Class: "cannot", Text: "not found", N: f.Unresolved},
		{Class: "cannot", Text: "suspended", N: f.Suspended},
		{Class: "cannot", Text: "over the limit", N: f.OverCap},
	}
	if f.Locked > 0 {
		parts[1].Text = fmt.Sprintf("to follow (%d of them locked: a request)", f.Locked)
	}
	parts = slices.DeleteFunc(parts, func(p chartPart) bool { return p.N == 0 })
	total := 0
	for _, p := range parts {
		total += p.N
	}
	x := 0
	for i := range parts {
		parts[i].X, parts[i].W = percent(x, total), percent(parts[i].N, total)
		x += parts[i].N
	}
	return parts
}

func percent(part, whole int) string {
	return strconv.FormatFloat(float64(part)*100/float64(whole), 'f', 2, 64)
}

// planJSON is `plan --json`, for scripts and for the tests that hold the
// screen to it.
func (s *Server) planJSON(w http.ResponseWriter, r *http.Request) {
	p, err := s.plan(r.Context())
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	enc.Encode(p)
}
