package ui

import (
	"cmp"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

type reportData struct {
	pageError
	Report *migrate.Report
	CSVs   []string
	// The move's form: the accounts as far as known, the stored logins.
	From, To string
	Stored   []string
}

// report is `mastomigrate report`'s: the newest journal's.
func (s *Server) report() (*migrate.Report, error) {
	paths, err := journal.List(s.cfg.Env.StateDir)
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, errors.New("no migration yet: run one first")
	}
	return migrate.LoadReport(paths[0])
}

// csvs writes the report's retry CSVs (`report --csv`) into a fresh
// temporary folder and lists them; the caller removes the folder.
func csvs(rep *migrate.Report) (string, []string, error) {
	dir, err := os.MkdirTemp("", "mastomigrate-report-")
	if err != nil {
		return "", nil, err
	}
	if err := rep.WriteCSVs(dir); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	entries, err := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return dir, names, err
}

func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) { s.reportWith(w, r, pageError{}) }

// reportWith draws the report, with e.
func (s *Server) reportWith(w http.ResponseWriter, r *http.Request, e pageError) {
	d := reportData{}
	s.mu.Lock()
	d.From, d.To = s.from, s.to
	s.mu.Unlock()
	if tokens, err := s.cfg.Tokens(); err == nil {
		d.Stored = tokens.Accounts()
	}
	rep, err := s.report()
	if err != nil && e.Msg == "" {
		e = failed(err.Error())
	}
	if err == nil {
		d.Report = rep
		d.To = cmp.Or(d.To, rep.Account)
		dir, names, err := csvs(rep)
		if err != nil && e.Msg == "" {
			e = failed(err.Error())
		}
		if err == nil {
			os.RemoveAll(dir)
			d.CSVs = names
		}
	}
	d.pageError = e
	s.render(w, r, "report", d)
}

func (s *Server) reportCSV(w http.ResponseWriter, r *http.Request) {
	rep, err := s.report()
	if err != nil {
		http.Error(w, err.Error(), http.StatusNotFound)
		return
	}
	dir, names, err := csvs(rep)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer os.RemoveAll(dir)
	name := r.PathValue("name")
	if !slices.Contains(names, name) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename="+strconv.Quote(name))
	http.ServeFile(w, r, filepath.Join(dir, name))
}
