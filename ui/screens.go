package ui

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// The screens, in the order a person meets them: Exports, Plan,
// Accounts, Run, Report. Each reads what the engine says and draws it.

var steps = []struct{ Path, Name string }{
	{"/exports", "Exports"}, {"/plan", "Plan"}, {"/accounts", "Accounts"}, {"/run", "Run"}, {"/report", "Report"},
}

func (s *Server) parsePages() error {
	funcs := template.FuncMap{
		"steps":  func() any { return steps },
		"label":  func(c string) string { return strings.ReplaceAll(c, "_", " ") },
		"base":   filepath.Base,
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

// --- Exports ---------------------------------------------------------

// export is one input: a path on disk read in place, or a file
// uploaded into the state folder (kept there, so `mastomigrate resume`
// finds it too, until the migration that used it is over).
type export struct {
	Path     string
	Name     string
	Uploaded bool
	Ignored  []string // files in it that are not exports
}

// fileProblem is a file that could not be read, with the CLI's reason.
type fileProblem struct {
	Name    string
	Message string
}

type exportsData struct {
	pageError
	Exports []export
	Bad     []fileProblem
}

func (s *Server) exportsPage(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	d := exportsData{Exports: slices.Clone(s.exports), Bad: slices.Clone(s.bad)}
	s.mu.Unlock()
	s.render(w, r, "exports", d)
}

// addPath adds a file or folder on disk, read where it is.
func (s *Server) addPath(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimSpace(r.PostFormValue("path"))
	if path == "" {
		s.render(w, r, "exports", exportsData{pageError: pageError{"Type the path of a file or folder.", "path"}})
		return
	}
	if strings.HasPrefix(path, "~"+string(filepath.Separator)) || path == "~" {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[1:])
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	s.add(r.Context(), []export{{Path: abs, Name: path}})
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
}

// add reads each new input alone, as `plan` would: the readable ones
// join the exports with the files they ignore, the others are shown
// with the reader's one-line reason and left out.
func (s *Server) add(ctx context.Context, news []export) {
	var bad []fileProblem
	var good []export
	for _, e := range news {
		set, err := archive.Open(ctx, e.Path)
		if err != nil {
			bad = append(bad, fileProblem{Name: e.Name, Message: err.Error()})
			if e.Uploaded {
				os.RemoveAll(filepath.Dir(e.Path))
			}
			continue
		}
		e.Ignored = set.Export().Ignored
		set.Close()
		good = append(good, e)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range good {
		if !slices.ContainsFunc(s.exports, func(x export) bool { return x.Path == e.Path }) {
			s.exports = append(s.exports, e)
		}
	}
	s.bad = bad
}

// upload keeps dropped or chosen files, each in a folder of its own
// under the state folder (two files may share a name), streamed to disk.
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	mr, err := r.MultipartReader()
	if err != nil {
		s.render(w, r, "exports", exportsData{pageError: pageError{"Choose one or more files to upload.", "files"}})
		return
	}
	root, err := s.uploadsDir()
	if err == nil {
		err = os.MkdirAll(root, 0o700)
	}
	if err != nil {
		s.render(w, r, "exports", exportsData{pageError: failed(err.Error())})
		return
	}
	var news []export
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			s.render(w, r, "exports", exportsData{pageError: pageError{"the upload broke off: " + err.Error(), "files"}})
			return
		}
		name := filepath.Base(filepath.FromSlash(part.FileName()))
		if part.FormName() != "files" || name == "." || name == string(filepath.Separator) || name == "" {
			continue
		}
		dir, err := os.MkdirTemp(root, "upload-")
		if err != nil {
			s.render(w, r, "exports", exportsData{pageError: failed(err.Error())})
			return
		}
		path := filepath.Join(dir, name)
		if err := saveFile(path, part); err != nil {
			os.RemoveAll(dir)
			s.render(w, r, "exports", exportsData{pageError: pageError{fmt.Sprintf("%s: %v", name, err), "files"}})
			return
		}
		news = append(news, export{Path: path, Name: name, Uploaded: true})
	}
	s.add(r.Context(), news)
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
}

func saveFile(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// removeExport takes an input off the list; an uploaded copy goes too,
// unless a journal that can be resumed names it.
func (s *Server) removeExport(w http.ResponseWriter, r *http.Request) {
	path := r.PostFormValue("path")
	s.mu.Lock()
	var gone []export
	s.exports = slices.DeleteFunc(s.exports, func(e export) bool {
		if e.Path == path {
			gone = append(gone, e)
		}
		return e.Path == path
	})
	s.mu.Unlock()
	s.freeUploads(gone)
	http.Redirect(w, r, "/exports", http.StatusSeeOther)
}

// uploadsDir is where uploaded files are kept, each upload in a folder
// of its own: an absolute path, as journals name their inputs.
func (s *Server) uploadsDir() (string, error) {
	return filepath.Abs(filepath.Join(s.cfg.Env.StateDir, "uploads"))
}

// freeUploads removes the uploaded copies among es, and takes them off
// the list, unless a journal that can be resumed names them (resume
// reads them again). When a journal cannot be read, what it names is
// not known: nothing is removed.
func (s *Server) freeUploads(es []export) {
	resumable, _, err := migrate.JournalInputs(s.cfg.Env.StateDir)
	root, rerr := s.uploadsDir()
	if err != nil || rerr != nil {
		return
	}
	for _, e := range es {
		dir := filepath.Dir(e.Path)
		if !e.Uploaded || filepath.Dir(dir) != root || slices.Contains(resumable, e.Path) {
			continue
		}
		if os.RemoveAll(dir) != nil {
			continue
		}
		s.mu.Lock()
		s.exports = slices.DeleteFunc(s.exports, func(x export) bool { return x.Path == e.Path })
		s.mu.Unlock()
	}
}

// freeFinished frees the uploads of the migrations that are over, on the
// list or not (taken off it while a journal still named them): their
// copies served their purpose.
func (s *Server) freeFinished() {
	_, over, err := migrate.JournalInputs(s.cfg.Env.StateDir)
	if err != nil {
		return
	}
	var done []export
	for _, path := range over {
		done = append(done, export{Path: path, Uploaded: true})
	}
	s.freeUploads(done)
}

// --- Plan ------------------------------------------------------------

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
	Plan   *migrate.Plan
	Cols   []planCol // the target's columns with a count other than 0
	Rows   []planRow
	Chart  []chartPart // where the follows stand, with the target
	Days   int         // days the daily follow limit spreads the follows over
	To     string
	Extras []extra
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
	d := planData{Plan: p, Extras: s.extras()}
	s.mu.Lock()
	d.To = s.to
	s.mu.Unlock()
	// The counts by category, in the registry's order, from the plan's
	// own JSON names: what `plan --json` calls "importable".
	var counts map[string]any
	raw, _ := json.Marshal(p.Importable)
	json.Unmarshal(raw, &counts)
	reports := map[string]*migrate.CategoryReport{}
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
		cr := reports[string(c.Name)]
		if cr != nil {
			row.Cells = cells(d.Cols, cr)
		}
		if row.Exported == 0 && !slices.ContainsFunc(row.Cells, func(c cell) bool { return c.N != 0 }) {
			continue
		}
		d.Rows = append(d.Rows, row)
	}
	if f := reports[string(category.Follows)]; f != nil {
		d.Chart = followsChart(f)
	}
	d.Days = migrate.FollowDays(p.Importable.Follows)
	if p.Target != nil {
		d.Days = p.Target.Estimate.FollowDays
	}
	s.render(w, r, "plan", d)
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

// --- Accounts --------------------------------------------------------

// pendingLogin is a login sent to the instance's approval page, until
// its redirect comes back.
type pendingLogin struct {
	app      *api.App
	verifier string
	role     string // "to" or "from"
}

type accountsData struct {
	pageError
	To, From string
	Stored   []string // the CLI's logins: handles only, never tokens
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) {
	d := accountsData{}
	if tokens, err := s.cfg.Tokens(); err != nil {
		d.pageError = failed(err.Error())
	} else {
		d.Stored = tokens.Accounts()
	}
	s.mu.Lock()
	d.To, d.From = s.to, s.from
	if d.Msg == "" {
		d.pageError, s.loginErr = failed(s.loginErr), ""
	}
	s.mu.Unlock()
	s.render(w, r, "accounts", d)
}

// useAccount chooses a stored login (or none, for the old account).
func (s *Server) useAccount(w http.ResponseWriter, r *http.Request) {
	account, role := r.PostFormValue("account"), r.PostFormValue("role")
	if account != "" {
		tokens, err := s.cfg.Tokens()
		if err != nil {
			s.render(w, r, "accounts", accountsData{pageError: failed(err.Error())})
			return
		}
		if _, ok := tokens.Find(account); !ok {
			s.render(w, r, "accounts", accountsData{pageError: failed("no stored login for " + account)})
			return
		}
	}
	s.mu.Lock()
	switch role {
	case "from":
		s.from = account
	default:
		if account != "" {
			s.to = account
		}
	}
	s.mu.Unlock()
	http.Redirect(w, r, "/accounts", http.StatusSeeOther)
}

// startLogin registers the app on the instance with this page's
// callback, then sends the browser to the instance's approval page: the
// same OAuth + PKCE flow as `mastomigrate login`, read-only for the old
// account.
func (s *Server) startLogin(w http.ResponseWriter, r *http.Request) {
	role := "to"
	if r.PostFormValue("role") == "from" {
		role = "from"
	}
	base, err := api.ParseInstance(r.PostFormValue("instance"))
	if err != nil {
		s.render(w, r, "accounts", s.accountsError(err, role+"-instance"))
		return
	}
	var scopes []string
	if role == "from" {
		scopes = api.ReadScopes
	}
	hc := s.httpClient()
	app, err := api.RegisterAppScopes(r.Context(), base.String(), "http://"+s.addr+"/oauth/callback", hc, scopes, s.cfg.Env.Clock)
	if err != nil {
		s.render(w, r, "accounts", s.accountsError(err, role+"-instance"))
		return
	}
	state, verifier := api.NewAuthRequest()
	s.mu.Lock()
	s.logins[state] = &pendingLogin{app: app, verifier: verifier, role: role}
	s.mu.Unlock()
	http.Redirect(w, r, app.AuthURL(state, verifier), http.StatusSeeOther)
}

// accountsError is the accounts screen with err, caused by field.
func (s *Server) accountsError(err error, field string) accountsData {
	d := accountsData{pageError: pageError{err.Error(), field}}
	if tokens, err := s.cfg.Tokens(); err == nil {
		d.Stored = tokens.Accounts()
	}
	s.mu.Lock()
	d.To, d.From = s.to, s.from
	s.mu.Unlock()
	return d
}

func (s *Server) httpClient() *http.Client {
	if s.cfg.Transport == nil {
		return http.DefaultClient
	}
	return &http.Client{Transport: s.cfg.Transport}
}

// callback is where the instance sends the browser back. Only a state
// value this launch made is taken (it stands in for the cookie, which
// a navigation from another site does not carry), once.
func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	s.mu.Lock()
	pl, ok := s.logins[state]
	delete(s.logins, state)
	s.mu.Unlock()
	if !ok {
		http.Error(w, "refused: no login was started here with that state; start again from the Accounts screen", http.StatusForbidden)
		return
	}
	account, err := s.finishLogin(r.Context(), pl, r.URL.Query(), state)
	s.mu.Lock()
	if err != nil {
		s.loginErr = err.Error()
	} else if pl.role == "from" {
		s.from = account
	} else {
		s.to = account
	}
	s.mu.Unlock()
	// A page of ours, not a redirect: the navigation that came from the
	// instance carries no cookie, the next one (from this page) does.
	s.render(w, r, "callback", accountsData{To: account})
}

func (s *Server) finishLogin(ctx context.Context, pl *pendingLogin, q map[string][]string, state string) (string, error) {
	code, err := api.CallbackCode(q, state)
	if err != nil {
		return "", err
	}
	tokens, err := s.cfg.Tokens()
	if err != nil {
		return "", err
	}
	return pl.app.Finish(ctx, code, pl.verifier, api.Options{Transport: s.cfg.Transport, Clock: s.cfg.Env.Clock}, tokens)
}

// --- Run -------------------------------------------------------------

// summaryCols are the run's outcomes, as `migrate` sums them up.
var summaryCols = []column[*migrate.SummaryRow]{
	{"done", "Done", "", func(r *migrate.SummaryRow) int { return r.Done }},
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
	d := runData{pageError: failed(msg), Snap: s.live.Snapshot(), Running: s.Running(), Extras: s.extras()}
	if sum := d.Snap.Summary; sum != nil {
		d.SumCols = shown(summaryCols, sum.Rows)
		for _, r := range sum.Rows {
			if c := cells(d.SumCols, r); slices.ContainsFunc(c, func(c cell) bool { return c.N != 0 }) {
				d.SumRows = append(d.SumRows, summaryRow{r.Category, c})
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

// --- Report ----------------------------------------------------------

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
	paths, err := migrate.Journals(s.cfg.Env.StateDir)
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
