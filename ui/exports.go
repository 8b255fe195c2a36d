package ui

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate"
)

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
