package ui

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/migrate"
)

// The screens, in the order a person meets them, each in its file with
// its handlers: Exports (exports.go), Plan (plan.go), Accounts
// (accounts.go), Run (run.go), Report (report.go, and the move it starts
// in move.go). Each reads what the engine says and draws it; this file
// holds what they share.

var steps = []struct{ Path, Name string }{
	{"/exports", "Exports"}, {"/plan", "Plan"}, {"/accounts", "Accounts"}, {"/run", "Run"}, {"/report", "Report"},
}

func (s *Server) parsePages() error {
	funcs := template.FuncMap{
		"steps":  func() any { return steps },
		"label":  func(c string) string { return strings.ReplaceAll(c, "_", " ") },
		"time":   func(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05") },
		"bytes":  func(n int) string { return migrate.HumanBytes(int64(n)) },
		"linked": linked,
	}
	s.pages = map[string]*template.Template{}
	for _, name := range []string{"exports", "plan", "accounts", "run", "report", "callback"} {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(assets, "assets/layout.html", "assets/"+name+".html")
		if err != nil {
			return err
		}
		s.pages[name] = t
	}
	return nil
}

// webAddress is a web address in an engine's line.
var webAddress = regexp.MustCompile(`https?://[^\s()<>"]+`)

// linked makes the web addresses in an engine's line links that open
// apart (the move's pages to visit on the instances); the rest is text.
func linked(line string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range webAddress.FindAllStringIndex(line, -1) {
		end := m[0] + len(strings.TrimRight(line[m[0]:m[1]], ".,;:")) // the sentence's stop is not the address's
		u := template.HTMLEscapeString(line[m[0]:end])
		b.WriteString(template.HTMLEscapeString(line[last:m[0]]))
		b.WriteString(`<a href="` + u + `" target="_blank" rel="noopener noreferrer">` + u + `</a>`)
		last = end
	}
	b.WriteString(template.HTMLEscapeString(line[last:]))
	return template.HTML(b.String())
}

// page is what every screen's template gets.
type page struct {
	Path  string // the screen's, for the navigation
	Title string
	Error string
	Field string // the field that caused Error, which shows next to it
	Data  any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	p := page{Path: "/" + name, Data: data}
	for _, st := range steps {
		if st.Path == p.Path {
			p.Title = st.Name
		}
	}
	if e, ok := data.(interface{ errorText() string }); ok {
		p.Error = e.errorText()
	}
	if e, ok := data.(interface{ errorField() string }); ok {
		p.Field = e.errorField()
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if p.Error != "" && r.Method == http.MethodPost {
		w.WriteHeader(http.StatusUnprocessableEntity)
	}
	if err := s.pages[name].Execute(w, p); err != nil {
		fmt.Fprintf(w, "<p>the page could not be drawn: %s</p>", template.HTMLEscapeString(err.Error()))
	}
}

// pageError lets a screen's data carry its error: next to the field that
// caused it (Field: the field's id), tied to it for screen readers
// (aria-describedby), or at the screen's top when no field did.
type pageError struct{ Msg, Field string }

func (e pageError) errorText() string  { return e.Msg }
func (e pageError) errorField() string { return e.Field }

// ErrorFor is the error caused by the field id, for its template.
func (e pageError) ErrorFor(id string) string {
	if e.Field == id {
		return e.Msg
	}
	return ""
}

// failed is an error no field caused.
func failed(msg string) pageError { return pageError{Msg: msg} }

// column is a column of a table of the engine's counts for T (a plan's
// or a run's category): one count, by its JSON name, drawn as it is;
// the page adds nothing up.
type column[T any] struct {
	Key, Head, Help string
	count           func(T) int
}

// cell is one count of a row, with its column's name and heading.
type cell struct {
	Key, Head string
	N         int
}

// shown are the columns with a count other than 0 in one of items.
func shown[T any](cols []column[T], items []T) []column[T] {
	var out []column[T]
	for _, col := range cols {
		if slices.ContainsFunc(items, func(it T) bool { return col.count(it) != 0 }) {
			out = append(out, col)
		}
	}
	return out
}

// cells are item's counts in cols.
func cells[T any](cols []column[T], item T) []cell {
	var out []cell
	for _, col := range cols {
		out = append(out, cell{col.Key, col.Head, col.count(item)})
	}
	return out
}
