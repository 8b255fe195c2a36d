package mastotest

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// GoToSocial's bulk import, as 0.20 does it (../shared/SERVERS.md):
//   - POST /api/v1/import, multipart "data" (the CSV), "type" following,
//     blocks or mutes, "mode" merge or overwrite
//     (internal/api/client/import/import.go); 202 and the work goes on an
//     in-memory queue (internal/processing/account/import.go), lost when
//     the server restarts (RestartImports).
//   - Rows of unequal field counts make the whole file a 400 (Go's
//     encoding/csv with FieldsPerRecord 0, internal/typeutils/csv.go);
//     a malformed row (an empty or non-boolean boolean cell, fields beyond
//     the format's) is skipped silently, as is an account it cannot find.
//   - Following rows honour "Show boosts" and "Notify on new posts" and
//     ignore "Languages"; merge mode also changes the settings of follows
//     that exist; a locked account gets a pending request with the
//     settings. Mute rows honour "Hide notifications".
//   - Overwrite mode removes what the file does not list.
// Mastodon has no such route: there the fake answers as for any unknown
// route.

func init() {
	handle("POST", "/api/v1/import", (*Server).bulkImport)
}

// ImportPace is how fast the fake works through imports on its clock:
// Delay before a file's first row, then PerSecond rows a second, one file
// after the other. The real speed depends on the server and on how fast
// the remote servers answer its look-ups; the default (2 s, 20 rows a
// second) is an assumption, not a measurement.
type ImportPace struct {
	Delay     time.Duration
	PerSecond float64
}

// WithImportPace sets the pace of GoToSocial's background import.
func WithImportPace(p ImportPace) Option {
	return func(s *Server) { s.importQ().pace = p }
}

type importRow struct {
	at     time.Time
	typ    string
	handle string
	// following: Show boosts, Notify; mutes: Hide notifications
	b1, b2 *bool
}

type importQueue struct {
	pace    ImportPace
	rows    []importRow    // not yet applied, in order
	free    time.Time      // when the queue's worker is next free
	uploads map[string]int // by type
	done    map[string]int // rows applied, by type
	skipped map[string]int // rows dropped, by type
}

func (s *Server) importQ() *importQueue {
	if s.imports == nil {
		s.imports = &importQueue{pace: ImportPace{Delay: 2 * time.Second, PerSecond: 20},
			uploads: map[string]int{}, done: map[string]int{}, skipped: map[string]int{}}
	}
	return s.imports
}

// Imports counts, by type, the files uploaded and the rows applied and
// skipped so far.
func (s *Server) Imports() (uploads, applied, skipped map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle()
	q := s.importQ()
	cp := func(m map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	return cp(q.uploads), cp(q.done), cp(q.skipped)
}

// ImportsPending is how many imported rows are still queued.
func (s *Server) ImportsPending() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle()
	return len(s.importQ().rows)
}

// RestartImports drops the import queue, as a GoToSocial restart does.
func (s *Server) RestartImports() {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.importQ()
	q.rows, q.free = nil, time.Time{}
}

func (s *Server) bulkImport(c *call) (int, any) {
	if !s.flavour.GoToSocial() {
		return s.flavour.unknownRoute()
	}
	if err := c.r.ParseMultipartForm(32 << 20); err != nil {
		return gtsError(http.StatusBadRequest, "error parsing form: "+err.Error())
	}
	// The checks and their words are ImportPOSTHandler's
	// (internal/api/client/import/import.go).
	file, _, err := c.r.FormFile("data")
	if err != nil {
		return gtsError(http.StatusBadRequest, "no data file provided")
	}
	defer file.Close()
	typ, mode := strings.ToLower(c.r.FormValue("type")), strings.ToLower(c.r.FormValue("mode"))
	if typ == "" {
		return gtsError(http.StatusBadRequest, "no type provided")
	}
	if typ != "following" && typ != "blocks" && typ != "mutes" {
		return gtsError(http.StatusBadRequest, "type "+typ+" not recognized, valid types are: [following blocks mutes]")
	}
	if mode != "" && mode != "merge" && mode != "overwrite" {
		return gtsError(http.StatusBadRequest, "mode "+mode+" not recognized, valid modes are: [merge overwrite]")
	}
	records, err := csv.NewReader(file).ReadAll()
	if err != nil {
		return gtsError(http.StatusBadRequest, "error reading csv: "+err.Error())
	}
	q := s.importQ()
	q.uploads[typ]++
	var rows []importRow
	for i, rec := range records {
		if i == 0 && len(rec) > 0 && strings.EqualFold(strings.TrimSpace(rec[0]), "Account address") {
			continue
		}
		row, ok := parseImportRow(typ, rec)
		if !ok {
			q.skipped[typ]++
			continue
		}
		rows = append(rows, row)
	}
	now := s.clock.Now()
	start := now.Add(q.pace.Delay)
	if q.free.After(start) {
		start = q.free
	}
	step := time.Duration(0)
	if q.pace.PerSecond > 0 {
		step = time.Duration(float64(time.Second) / q.pace.PerSecond)
	}
	if mode == "overwrite" {
		keep := map[string]bool{}
		for _, r := range rows {
			if a := s.findAcct(r.handle); a != nil {
				keep[a.ID] = true
			}
		}
		q.rows = append(q.rows, importRow{at: start, typ: "overwrite " + typ, handle: encodeKeep(keep)})
	}
	for i := range rows {
		rows[i].at = start.Add(time.Duration(i) * step)
	}
	q.rows = append(q.rows, rows...)
	q.free = start.Add(time.Duration(len(rows)) * step)
	return http.StatusAccepted, map[string]any{"status": "accepted"}
}

func encodeKeep(ids map[string]bool) string {
	var b strings.Builder
	for id := range ids {
		b.WriteString(id + "\n")
	}
	return b.String()
}

// parseImportRow reads one row the way GoToSocial's CSV-to-model code
// does: a boolean cell must parse, extra fields make the row malformed.
func parseImportRow(typ string, rec []string) (importRow, bool) {
	boolean := func(s string) (*bool, bool) {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		return &b, err == nil
	}
	row := importRow{typ: typ}
	if len(rec) == 0 || strings.TrimSpace(rec[0]) == "" {
		return row, false
	}
	row.handle = strings.TrimPrefix(strings.TrimSpace(rec[0]), "@")
	var ok1, ok2 = true, true
	switch typ {
	case "following":
		if len(rec) > 4 {
			return row, false
		}
		if len(rec) > 1 {
			row.b1, ok1 = boolean(rec[1])
		}
		if len(rec) > 2 {
			row.b2, ok2 = boolean(rec[2])
		}
	case "mutes":
		if len(rec) > 2 {
			return row, false
		}
		if len(rec) > 1 {
			row.b1, ok1 = boolean(rec[1])
		}
	case "blocks":
		if len(rec) > 1 {
			return row, false
		}
	}
	return row, ok1 && ok2
}

// settleImports applies the rows whose time has come; s.mu is held.
func (s *Server) settleImports(now time.Time) {
	q := s.imports
	if q == nil {
		return
	}
	n := 0
	for ; n < len(q.rows) && !q.rows[n].at.After(now); n++ {
		s.applyImportRow(q.rows[n])
	}
	q.rows = q.rows[n:]
}

func (s *Server) applyImportRow(r importRow) {
	q := s.imports
	if typ, ok := strings.CutPrefix(r.typ, "overwrite "); ok {
		keep := map[string]bool{}
		for _, id := range strings.Split(r.handle, "\n") {
			keep[id] = true
		}
		switch typ {
		case "following":
			for id := range s.follows {
				if !keep[id] {
					s.unfollowLocked(id)
				}
			}
		case "blocks":
			for id := range s.blocks {
				if !keep[id] {
					delete(s.blocks, id)
				}
			}
		case "mutes":
			for id := range s.mutes {
				if !keep[id] {
					delete(s.mutes, id)
				}
			}
		}
		return
	}
	a := s.findAcct(r.handle)
	if a == nil || a.Suspended || a.MovedTo != "" || a.ID == s.MeID {
		q.skipped[r.typ]++
		return
	}
	a.Unknown = false // the import dereferenced it
	switch r.typ {
	case "following":
		if _, blocked := s.blocks[a.ID]; blocked || a.BlocksMe {
			q.skipped[r.typ]++
			return
		}
		if _, ok := s.domains[a.Domain]; ok {
			q.skipped[r.typ]++
			return
		}
		f, ok := s.follows[a.ID]
		if !ok {
			f = &follow{seq: s.nextSeq(), reblogs: true, requested: a.Locked}
			s.follows[a.ID] = f
		}
		if r.b1 != nil {
			f.reblogs = *r.b1
		}
		if r.b2 != nil {
			f.notify = *r.b2
		}
	case "blocks":
		s.unfollowLocked(a.ID)
		if _, ok := s.blocks[a.ID]; !ok {
			s.blocks[a.ID] = s.nextSeq()
		}
	case "mutes":
		m, ok := s.mutes[a.ID]
		if !ok {
			m = &mute{seq: s.nextSeq()}
			s.mutes[a.ID] = m
		}
		m.notifications = r.b1 == nil || *r.b1
		m.expiresAt = nil
	}
	q.done[r.typ]++
}
