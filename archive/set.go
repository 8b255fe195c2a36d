package archive

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// Set is the exports a person named, each opened and read once: what
// each input is (folder, zip, tar, tar.gz, CSV or JSON) is decided once,
// its files are indexed and its export files parsed in the same pass.
// After that it offers the merged Export, the posts as a stream (Posts)
// and its files by name (Open, as an fs.FS: media and profile pictures),
// without deciding or walking anything again. Close it when done.
type Set struct {
	export   *Export
	inputs   []*input
	media    map[string]*entry // by mediaKey, the first input's first
	closers  []io.Closer       // the zips' files, kept open for their entries
	tarballs []*tarball
}

// Options say where the inputs are and who hears of progress.
type Options struct {
	// FS holds the inputs, named by paths inside it; nil means the
	// operating system's files, named as a person types them.
	FS fs.FS
	// Progress, when set, is called before each file inside the inputs,
	// and as it is read, with the input's name and the bytes of the files
	// passed so far (uncompressed, media included), so that a long read
	// can show it is moving.
	Progress func(input string, bytes int64)
}

// Open opens and reads the exports at paths, each a file (zip, tar,
// tar.gz, JSON or CSV) or a folder.
func Open(ctx context.Context, paths ...string) (*Set, error) {
	return OpenWith(ctx, Options{}, paths...)
}

// OpenWith is Open with options. An error is one line naming the input
// (and the file inside it) and what is wrong with it.
func OpenWith(ctx context.Context, o Options, names ...string) (*Set, error) {
	s := &Set{media: map[string]*entry{}}
	b := newBuilder()
	b.progress = o.Progress
	for _, name := range names {
		if err := s.read(ctx, b, o.FS, name); err != nil {
			s.Close()
			return nil, err
		}
	}
	s.export = b.export()
	return s, nil
}

// Export is what the inputs hold, merged and de-duplicated. Media is
// counted, never read.
func (s *Set) Export() *Export { return s.export }

// Close closes the files the set keeps open.
func (s *Set) Close() error {
	for _, c := range s.closers {
		c.Close()
	}
	for _, tb := range s.tarballs {
		tb.close()
	}
	s.closers, s.tarballs = nil, nil
	return nil
}

// input is one file or folder a person named, with its files.
type input struct {
	name    string
	entries []*entry
	found   int      // export files read
	unknown []string // files that are not exports
}

// entry is one file inside an input, as indexed when the input was read.
type entry struct {
	in   *input
	name string // path inside the input; "archive.zip/outbox.json" in a folder
	kind kind   // from the name alone
	size int64
	// open reads the file; a zip's refuses an encrypted entry or one that
	// inflates too far.
	open func(ctx context.Context) (io.ReadCloser, error)
}

// visitFunc is given each entry while an input is walked; a tar's files
// come with live, the walk's own stream, to be read from then.
type visitFunc func(e *entry, live io.Reader) error

// read walks one input, parsing its export files into b and indexing
// every file.
func (s *Set) read(ctx context.Context, b *builder, fsys fs.FS, name string) error {
	in := &input{name: name}
	fail := func(entry string, err error) error {
		var ae *Error
		if errors.As(err, &ae) {
			if ae.File == "" {
				ae.File = name
			}
			return err
		}
		return &Error{File: name, Entry: entry, Err: err}
	}
	dir, fsys, base, err := locate(fsys, name)
	if err != nil {
		return fail("", unwrapPathError(err))
	}
	visit := func(e *entry, live io.Reader) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		e.in = in
		in.entries = append(in.entries, e)
		open := func() (io.ReadCloser, error) {
			if live != nil {
				return io.NopCloser(live), nil
			}
			return e.open(ctx)
		}
		if err := b.visit(in, e, open); err != nil {
			return fail(e.name, err)
		}
		return nil
	}
	if dir {
		err = s.walkFolder(ctx, fsys, visit)
	} else {
		err = s.walkFile(ctx, fsys, base, visit)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return err
		}
		return fail("", err)
	}
	if in.found == 0 {
		return &Error{File: name, Err: nothingFound(in)}
	}
	for _, e := range in.entries {
		if e.kind != kindMedia {
			continue
		}
		if k := mediaKey(e.name); s.media[k] == nil {
			s.media[k] = e
		}
	}
	s.inputs = append(s.inputs, in)
	b.sources = append(b.sources, name)
	return nil
}

// locate finds an input: a folder as a file system of its own, a file as
// a name in one. Without fsys, name is a path of the operating system's.
func locate(fsys fs.FS, name string) (dir bool, at fs.FS, base string, err error) {
	if fsys == nil {
		st, err := os.Stat(name)
		if err != nil {
			return false, nil, "", err
		}
		if st.IsDir() {
			return true, os.DirFS(name), ".", nil
		}
		return false, os.DirFS(filepath.Dir(name)), filepath.Base(name), nil
	}
	st, err := fs.Stat(fsys, name)
	if err != nil {
		return false, nil, "", err
	}
	if st.IsDir() {
		sub, err := fs.Sub(fsys, name)
		return true, sub, ".", err
	}
	return false, fsys, name, nil
}

func nothingFound(in *input) error {
	sort.Strings(in.unknown)
	found := "nothing"
	if len(in.unknown) > 0 {
		shown := in.unknown
		if len(shown) > 8 {
			shown = append(shown[:8:8], fmt.Sprintf("and %d more", len(in.unknown)-8))
		}
		found = strings.Join(shown, ", ")
	}
	return &nothingFoundError{found}
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// walkFile reads one file: an archive by its magic bytes, else the file
// itself as an export file.
func (s *Set) walkFile(ctx context.Context, fsys fs.FS, name string, visit visitFunc) error {
	f, err := fsys.Open(name)
	if err != nil {
		return unwrapPathError(err)
	}
	var magic [512]byte
	n, _ := io.ReadFull(f, magic[:])
	head := magic[:n]
	switch {
	case len(head) >= 4 && (string(head[:4]) == "PK\x03\x04" || string(head[:4]) == "PK\x05\x06"):
		s.closers = append(s.closers, f) // its entries are read from it later
		return walkZip(f, visit)
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b,
		len(head) >= 262 && string(head[257:262]) == "ustar":
		f.Close()
		tb := &tarball{fsys: fsys, name: name, gz: head[0] == 0x1f}
		s.tarballs = append(s.tarballs, tb)
		return tb.walk(ctx, visit)
	case strings.HasSuffix(strings.ToLower(name), ".zip"):
		f.Close()
		return errors.New("not a valid zip file (truncated or corrupt)")
	}
	st, err := f.Stat()
	f.Close()
	if err != nil {
		return err
	}
	e := &entry{name: path.Base(name), size: st.Size(), open: func(context.Context) (io.ReadCloser, error) {
		f, err := fsys.Open(name)
		return f, unwrapPathError(err)
	}}
	e.kind = kindOf(e.name)
	return visit(e, nil)
}

// isArchiveName tells the files of a folder that are archives to read
// inside, as if they had been named on the command line.
func isArchiveName(name string) bool {
	n := strings.ToLower(name)
	for _, ext := range []string{".zip", ".tar.gz", ".tgz", ".tar"} {
		if strings.HasSuffix(n, ext) {
			return true
		}
	}
	return false
}

// walkFolder reads a folder the way it reads the list of files in it:
// zips and tarballs are opened, and links to files are followed (links to
// folders are not, so a loop cannot trap the walk). Names inside an
// archive are given as "archive.zip/outbox.json".
func (s *Set) walkFolder(ctx context.Context, fsys fs.FS, visit visitFunc) error {
	return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := fs.Stat(fsys, p) // follows a link
		if err != nil {
			if d.Type()&fs.ModeSymlink != 0 {
				e := &entry{name: p, kind: kindOf(p), open: func(context.Context) (io.ReadCloser, error) {
					return nil, errors.New("the link points to a file that does not exist")
				}}
				return visit(e, nil)
			}
			return err
		}
		if !info.Mode().IsRegular() {
			return nil // folders behind links, devices, sockets
		}
		if isArchiveName(p) {
			err := s.walkFile(ctx, fsys, p, func(e *entry, live io.Reader) error {
				e.name = p + "/" + e.name
				e.kind = kindOf(e.name)
				return visit(e, live)
			})
			var ae *Error
			switch {
			case err == nil:
				return nil
			case errors.As(err, &ae):
				if ae.File == "" && ae.Entry != "" && !strings.HasPrefix(ae.Entry, p+"/") {
					ae.Entry = p + "/" + ae.Entry
				}
				return err
			case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
				return err
			}
			return &Error{Entry: p, Err: err}
		}
		e := &entry{name: p, kind: kindOf(p), size: info.Size(), open: func(context.Context) (io.ReadCloser, error) {
			f, err := fsys.Open(p)
			return f, unwrapPathError(err)
		}}
		return visit(e, nil)
	})
}

// walkZip indexes a zip from its directory. Its entries are read through
// f whenever asked for, so f stays open.
func walkZip(f fs.File, visit visitFunc) error {
	ra, ok := f.(io.ReaderAt)
	st, err := f.Stat()
	if !ok || err != nil {
		return errors.New("the zip cannot be read here: its file system gives no random access")
	}
	zr, err := zip.NewReader(ra, st.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if errors.Is(err, zip.ErrFormat) || errors.Is(err, io.ErrUnexpectedEOF) {
			return errors.New("not a valid zip file (truncated or corrupt)")
		}
		return fmt.Errorf("reading zip: %w", err)
	}
	zr.RegisterDecompressor(zip.Deflate, newFlateReader)
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() {
			continue
		}
		name, err := entryName(zf.Name, false)
		if err != nil {
			return &Error{Entry: zf.Name, Err: err}
		}
		zf := zf
		e := &entry{name: name, kind: kindOf(name), size: int64(zf.UncompressedSize64),
			open: func(context.Context) (io.ReadCloser, error) { return openZipEntry(zf) }}
		if err := visit(e, nil); err != nil {
			return err
		}
	}
	return nil
}

// openZipEntry reads one entry, refusing one that is encrypted or
// inflates too far.
func openZipEntry(zf *zip.File) (io.ReadCloser, error) {
	if zf.Flags&0x1 != 0 {
		return nil, errors.New("entry is encrypted; mastomigrate reads only unencrypted zips (re-zip it without a password)")
	}
	u, c := zf.UncompressedSize64, zf.CompressedSize64
	if u > ratioFloor && (c == 0 || u/c > maxRatio) {
		return nil, fmt.Errorf("entry inflates to %d bytes from %d (over %dx: a zip bomb?)", u, c, maxRatio)
	}
	rc, err := zf.Open()
	if err != nil {
		if errors.Is(err, zip.ErrAlgorithm) {
			return nil, fmt.Errorf("unsupported compression method %d", zf.Method)
		}
		return nil, err
	}
	if zf.Method == zip.Deflate && zf.UncompressedSize64 > readAheadSize {
		// Inflate on another goroutine while the entry is parsed.
		return readAheadCloser{newReadAhead(zipEntryReader{rc}, 4, readAheadSize), rc}, nil
	}
	return zipEntryReader{rc}, nil
}
