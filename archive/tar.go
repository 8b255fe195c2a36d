package archive

import (
	"archive/tar"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sync"

	"github.com/klauspost/compress/gzip"
)

// tarball is a tar or tar.gz input. Its files can only be read in order,
// so a file is reached by reading on from where the last read stopped
// (Mastodon writes media in the order of the posts, so carrying posts
// oldest first reads it about once), or from the start when it is behind.
type tarball struct {
	fsys fs.FS
	name string
	gz   bool

	mu     sync.Mutex
	spare  *tarCursor // where the last read stopped, for the next
	closed bool
}

// tarCursor reads a tarball from its start.
type tarCursor struct {
	f  fs.File
	gz *gzip.Reader // nil for a plain tar
	ra *readAhead   // inflates ahead of the tar reader; nil for a plain tar
	tr *tar.Reader
	n  int // the regular files passed
}

func (tb *tarball) cursor() (*tarCursor, error) {
	f, err := tb.fsys.Open(tb.name)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if !tb.gz {
		return &tarCursor{f: f, tr: tar.NewReader(bufio.NewReaderSize(f, 1<<20))}, nil
	}
	counted := &countingReader{r: f}
	zr, err := gzip.NewReader(bufio.NewReaderSize(counted, 1<<20))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("not a valid gzip file: %w", err)
	}
	// Inflate on another goroutine while the tar is read and parsed: the
	// whole stream must be inflated, media included, to reach each entry.
	ra := newReadAhead(&gzipGuard{r: zr, in: counted}, 4, 1<<20)
	return &tarCursor{f: f, gz: zr, ra: ra, tr: tar.NewReader(ra)}, nil
}

func (c *tarCursor) close() {
	if c.ra != nil {
		c.ra.Close() // first: its goroutine reads the gzip stream
		c.gz.Close()
	}
	c.f.Close()
}

// next moves to the next regular file and returns its header and its
// cleaned name; io.EOF at the end.
func (c *tarCursor) next() (*tar.Header, string, error) {
	for {
		h, err := c.tr.Next()
		if err == io.EOF {
			return nil, "", err
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, "", errors.New("the tar archive is truncated")
			}
			if errors.Is(err, tar.ErrHeader) {
				return nil, "", errors.New("not a valid tar archive (corrupt header)")
			}
			return nil, "", err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, err := entryName(h.Name, true)
		if err != nil {
			return nil, "", &Error{Entry: h.Name, Err: err}
		}
		c.n++
		return h, name, nil
	}
}

// walk indexes the tarball, giving visit each file to read as it passes.
func (tb *tarball) walk(ctx context.Context, visit visitFunc) error {
	c, err := tb.cursor()
	if err != nil {
		return err
	}
	defer c.close()
	for {
		h, name, err := c.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		n := c.n
		e := &entry{name: name, kind: kindOf(name), size: h.Size, open: func(ctx context.Context) (io.ReadCloser, error) {
			return tb.open(ctx, n, name)
		}}
		if err := visit(e, c.tr); err != nil {
			return err
		}
	}
}

// open reads the n-th file (counting from 1), named name, reading on from
// the spare cursor when it is not past it. The file gives the cursor back
// when closed.
func (tb *tarball) open(ctx context.Context, n int, name string) (io.ReadCloser, error) {
	tb.mu.Lock()
	c := tb.spare
	tb.spare = nil
	tb.mu.Unlock()
	if c != nil && c.n >= n {
		c.close()
		c = nil
	}
	if c == nil {
		var err error
		if c, err = tb.cursor(); err != nil {
			return nil, err
		}
	}
	for c.n < n {
		if err := ctx.Err(); err != nil {
			c.close()
			return nil, err
		}
		_, got, err := c.next()
		if err == io.EOF || err == nil && c.n == n && got != name {
			err = errors.New("the archive changed since it was read")
		}
		if err != nil {
			c.close()
			return nil, err
		}
	}
	return &tarFile{tb: tb, c: c}, nil
}

// tarFile is one file of a tarball, read from a cursor.
type tarFile struct {
	tb *tarball
	c  *tarCursor
}

func (f *tarFile) Read(p []byte) (int, error) { return f.c.tr.Read(p) }

// Close keeps the cursor for the next read, unless one is kept already.
func (f *tarFile) Close() error {
	if f.c == nil {
		return nil
	}
	f.tb.mu.Lock()
	keep := f.tb.spare == nil && !f.tb.closed
	if keep {
		f.tb.spare = f.c
	}
	f.tb.mu.Unlock()
	if !keep {
		f.c.close()
	}
	f.c = nil
	return nil
}

func (tb *tarball) close() {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.closed = true
	if tb.spare != nil {
		tb.spare.close()
		tb.spare = nil
	}
}
