package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"time"
)

var _ fs.FS = (*Set)(nil)

// Open opens a file of the exports by its path inside them, as the
// outbox names a media file or actor.json the avatar (without the leading
// "/"): the first input that holds it gives it. A media path is found
// whatever storage prefix the archive kept before its media_attachments/
// (Mastodon's old tarballs kept the server's); another file may sit in a
// folder of its input ("archive.zip/avatar.png" in a folder of zips).
// Only files are opened, never folders. A file of a tar.gz is reached by
// inflating it from the start or from where the last one was read, which
// no context can cut short. A Set may be read from several goroutines.
func (s *Set) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	e := s.lookup(name)
	if e == nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	rc, err := e.open(context.Background())
	if err != nil {
		return nil, &Error{File: e.in.name, Entry: e.name, Err: err}
	}
	return &file{rc: rc, e: e}, nil
}

func (s *Set) lookup(name string) *entry {
	if kindOf(name) == kindMedia {
		return s.media[mediaKey(name)]
	}
	for _, in := range s.inputs {
		for _, e := range in.entries {
			if e.name == name || strings.HasSuffix(e.name, "/"+name) {
				return e
			}
		}
	}
	return nil
}

// mediaKey is a media path from its media_attachments/ on, whatever
// storage prefix the archive kept.
func mediaKey(name string) string {
	if i := strings.LastIndex(name, "media_attachments/"); i >= 0 {
		return name[i:]
	}
	return name
}

// file is an open file of a Set. Its errors name the input and the file.
type file struct {
	rc io.ReadCloser
	e  *entry
}

func (f *file) Read(p []byte) (int, error) {
	n, err := f.rc.Read(p)
	if err != nil && err != io.EOF {
		err = &Error{File: f.e.in.name, Entry: f.e.name, Err: err}
	}
	return n, err
}

func (f *file) Close() error               { return f.rc.Close() }
func (f *file) Stat() (fs.FileInfo, error) { return fileInfo{f.e}, nil }

// fileInfo describes an entry as the index knows it.
type fileInfo struct{ e *entry }

func (i fileInfo) Name() string       { return path.Base(i.e.name) }
func (i fileInfo) Size() int64        { return i.e.size }
func (i fileInfo) Mode() fs.FileMode  { return 0o444 }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return false }
func (i fileInfo) Sys() any           { return nil }

// missingError is a file that none of the exports holds.
type missingError struct{ name string }

func (e *missingError) Error() string        { return e.name + " is in none of the exports" }
func (e *missingError) Is(target error) bool { return target == fs.ErrNotExist }

// ReadFile returns the bytes of one file of the exports in fsys, named as
// the export names it (a leading "/" is allowed), refusing one over limit
// bytes before reading it when its size is known.
func ReadFile(fsys fs.FS, name string, limit int64) ([]byte, error) {
	clean := path.Clean(strings.TrimPrefix(name, "/"))
	f, err := fsys.Open(clean)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) && errors.Is(pe.Err, fs.ErrNotExist) {
			return nil, &missingError{clean}
		}
		return nil, err
	}
	defer f.Close()
	tooLarge := fmt.Errorf("%s is larger than %d MiB", clean, limit>>20)
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err == nil && int64(len(data)) > limit {
		return nil, tooLarge
	}
	return data, err
}

// MaxMedia is the largest media file ReadMedia reads: GoToSocial's
// default limit for local uploads (media-local-max-size, 40 MiB).
const MaxMedia = 40 << 20

// ReadMedia returns one media file of the exports in fsys by the path
// the outbox names (a leading "/" and any storage prefix are allowed),
// refusing what is not under media_attachments/, paths with "..", and
// files over MaxMedia.
func ReadMedia(fsys fs.FS, name string) ([]byte, error) {
	clean := strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "/")
	if strings.Contains(name, "://") {
		return nil, fmt.Errorf("%s is not a file of the archive", name)
	}
	for _, part := range strings.Split(clean, "/") {
		if part == ".." {
			return nil, fmt.Errorf("%s: media path contains \"..\"; refusing it", name)
		}
	}
	if kindOf(clean) != kindMedia {
		return nil, fmt.Errorf("%s is not under media_attachments/", name)
	}
	return ReadFile(fsys, clean, MaxMedia)
}
