package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// Error is a problem with one input: the file the user named, the entry
// inside it (empty for a plain file) and what is wrong.
type Error struct {
	File  string
	Entry string
	Err   error
}

func (e *Error) Error() string {
	if e.Entry == "" || e.Entry == filepath.Base(e.File) {
		return e.File + ": " + e.Err.Error()
	}
	return e.File + ": " + e.Entry + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// ErrNothingFound means an input held no export file mastomigrate knows.
var ErrNothingFound = errors.New("no export found")

// nothingFoundError says what an input held instead of an export.
type nothingFoundError struct{ found string }

func (e *nothingFoundError) Error() string {
	return "no following.json, outbox.json or known CSV; found: " + e.found
}

func (e *nothingFoundError) Is(target error) bool { return target == ErrNothingFound }

// Limits that keep memory and time bounded on hostile or broken input.
const (
	// maxRatio is how many times its compressed size an entry we parse may
	// inflate to. Real JSON and CSV compress 5-30x; zip bombs reach 1000x.
	maxRatio = 200
	// ratioFloor is the size below which the ratio is not checked: small
	// files of repeated text compress very well and are harmless.
	ratioFloor = 4 << 20
	// maxValue bounds one JSON value (a post, a list, the profile) or CSV
	// row in memory; real ones are a few KiB. The decoder's buffer doubles
	// as it fills, so the peak is a few times this.
	maxValue = 4 << 20
)

// kind is what an export file holds, decided from its name and content.
type kind int

const (
	kindUnknown kind = iota
	kindFollowingJSON
	kindFollowersJSON
	kindListsJSON
	kindDomainBlocksJSON
	kindMutedJSON
	kindBlockedJSON
	kindOutboxJSON
	kindLikesJSON
	kindBookmarksJSON
	kindActorJSON
	kindFollowingCSV
	kindMutedCSV
	kindBlockedCSV
	kindDomainsCSV
	kindBookmarksCSV
	kindListsCSV
	kindMedia
	kindAvatar
	kindHeader
)

var kindByName = map[string]kind{
	"following.json":         kindFollowingJSON,
	"followers.json":         kindFollowersJSON,
	"lists.json":             kindListsJSON,
	"domain_blocks.json":     kindDomainBlocksJSON,
	"muted_users.json":       kindMutedJSON,
	"blocked_users.json":     kindBlockedJSON,
	"outbox.json":            kindOutboxJSON,
	"likes.json":             kindLikesJSON,
	"bookmarks.json":         kindBookmarksJSON,
	"actor.json":             kindActorJSON,
	"following_accounts.csv": kindFollowingCSV,
	"follows.csv":            kindFollowingCSV,
	"muted_accounts.csv":     kindMutedCSV,
	"mutes.csv":              kindMutedCSV,
	"blocked_accounts.csv":   kindBlockedCSV,
	"blocks.csv":             kindBlockedCSV,
	"blocked_domains.csv":    kindDomainsCSV,
	"domain_blocks.csv":      kindDomainsCSV,
	"bookmarks.csv":          kindBookmarksCSV,
	"lists.csv":              kindListsCSV,
}

// browserCopy matches the " (1)" a browser adds to a second download.
var browserCopy = regexp.MustCompile(` ?\(\d+\)(\.[a-z]+)$`)

// kindOf decides from an entry's path alone.
func kindOf(name string) kind {
	parts := strings.Split(name, "/")
	for _, p := range parts[:len(parts)-1] {
		if p == "media_attachments" {
			return kindMedia
		}
	}
	base := strings.ToLower(parts[len(parts)-1])
	base = browserCopy.ReplaceAllString(base, "$1")
	if k, ok := kindByName[base]; ok {
		return k
	}
	// Mastodon's archive stores the profile pictures at its root.
	if len(parts) <= 2 {
		switch strings.TrimSuffix(base, path.Ext(base)) {
		case "avatar":
			return kindAvatar
		case "header":
			return kindHeader
		}
	}
	return kindUnknown
}

// Read reads every input, each a file (zip, tar, tar.gz, JSON or CSV) or a
// folder, and merges them into one Export. Media is counted, never read.
func Read(ctx context.Context, inputs ...string) (*Export, error) {
	b := newBuilder()
	for _, in := range inputs {
		if err := readInput(ctx, b, in); err != nil {
			return nil, err
		}
	}
	return b.export(), nil
}

// entry is one file inside an input. open is only called for files we parse.
type entry struct {
	name string
	size int64
	open func() (io.ReadCloser, error)
	// checkRatio, when set, rejects an entry that inflates too far.
	checkRatio func() error
}

// input tracks what one input gave, for the "nothing found" message.
type input struct {
	name    string
	found   int
	unknown []string
}

func readInput(ctx context.Context, b *builder, name string) error {
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
	st, err := os.Stat(name)
	if err != nil {
		return fail("", unwrapPathError(err))
	}
	visit := func(e entry) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.visit(in, e); err != nil {
			return fail(e.name, err)
		}
		return nil
	}
	if st.IsDir() {
		err = walkFolder(name, visit)
	} else {
		err = walkFile(name, st.Size(), visit)
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
	b.sources = append(b.sources, name)
	return nil
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
func walkFile(name string, size int64, visit func(entry) error) error {
	f, err := os.Open(name)
	if err != nil {
		return unwrapPathError(err)
	}
	defer f.Close()
	var magic [512]byte
	n, _ := io.ReadFull(f, magic[:])
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	head := magic[:n]
	switch {
	case len(head) >= 4 && (string(head[:4]) == "PK\x03\x04" || string(head[:4]) == "PK\x05\x06"):
		return walkZip(f, size, visit)
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		return walkTarGz(f, visit)
	case len(head) >= 262 && string(head[257:262]) == "ustar":
		return walkTar(tar.NewReader(bufio.NewReaderSize(f, 1<<20)), visit)
	case strings.HasSuffix(strings.ToLower(name), ".zip"):
		return errors.New("not a valid zip file (truncated or corrupt)")
	}
	base := filepath.Base(name)
	return visit(entry{name: base, size: size, open: func() (io.ReadCloser, error) {
		return io.NopCloser(f), nil
	}})
}

func walkZip(f *os.File, size int64, visit func(entry) error) error {
	zr, err := zip.NewReader(f, size)
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
		e := entry{
			name: name,
			size: int64(zf.UncompressedSize64),
			checkRatio: func() error {
				if zf.Flags&0x1 != 0 {
					return errors.New("entry is encrypted; mastomigrate reads only unencrypted zips (re-zip it without a password)")
				}
				u, c := zf.UncompressedSize64, zf.CompressedSize64
				if u > ratioFloor && (c == 0 || u/c > maxRatio) {
					return fmt.Errorf("entry inflates to %d bytes from %d (over %dx: a zip bomb?)", u, c, maxRatio)
				}
				return nil
			},
			open: func() (io.ReadCloser, error) {
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
			},
		}
		if err := visit(e); err != nil {
			return err
		}
	}
	return nil
}

// readAheadSize is the size of the buffers an entry is inflated into ahead
// of its parsing (four of them per entry).
const readAheadSize = 256 << 10

// newFlateReader inflates a zip entry with klauspost/compress, which is
// about twice as fast as compress/flate, reading the file in large pieces.
func newFlateReader(r io.Reader) io.ReadCloser {
	return flate.NewReader(bufio.NewReaderSize(r, 64<<10))
}

// zipEntryReader names archive/zip's errors in words a person understands.
type zipEntryReader struct{ io.ReadCloser }

func (z zipEntryReader) Read(p []byte) (int, error) {
	n, err := z.ReadCloser.Read(p)
	switch {
	case errors.Is(err, zip.ErrChecksum):
		err = errors.New("checksum mismatch (the zip is corrupt)")
	case errors.Is(err, zip.ErrFormat):
		err = errors.New("entry is larger than its header says, or corrupt")
	case err != nil && err != io.EOF:
		err = fmt.Errorf("corrupt or truncated entry: %w", err)
	}
	return n, err
}

func walkTarGz(f *os.File, visit func(entry) error) error {
	counted := &countingReader{r: f}
	zr, err := gzip.NewReader(bufio.NewReaderSize(counted, 1<<20))
	if err != nil {
		return fmt.Errorf("not a valid gzip file: %w", err)
	}
	defer zr.Close()
	// Inflate on another goroutine while the tar is read and parsed: the
	// whole stream must be inflated, media included, to reach each entry.
	ra := newReadAhead(&gzipGuard{r: zr, in: counted}, 4, 1<<20)
	defer ra.Close()
	return walkTar(tar.NewReader(ra), visit)
}

// gzipGuard stops a gzip stream that inflates far beyond what was read,
// since a gzip has no sizes up front to check.
type gzipGuard struct {
	r   io.Reader
	in  *countingReader
	out int64
}

func (g *gzipGuard) Read(p []byte) (int, error) {
	n, err := g.r.Read(p)
	g.out += int64(n)
	if g.out > 64*ratioFloor && g.out/(g.in.n+1) > maxRatio {
		return n, fmt.Errorf("gzip data inflates over %dx (a gzip bomb?)", maxRatio)
	}
	switch {
	case errors.Is(err, gzip.ErrChecksum):
		err = errors.New("gzip checksum mismatch (the file is corrupt)")
	case errors.Is(err, io.ErrUnexpectedEOF):
		err = errors.New("the gzip file is truncated")
	case errors.Is(err, gzip.ErrHeader):
		err = errors.New("corrupt gzip data")
	}
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func walkTar(tr *tar.Reader, visit func(entry) error) error {
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return errors.New("the tar archive is truncated")
			}
			if errors.Is(err, tar.ErrHeader) {
				return errors.New("not a valid tar archive (corrupt header)")
			}
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name, err := entryName(h.Name, true)
		if err != nil {
			return &Error{Entry: h.Name, Err: err}
		}
		e := entry{name: name, size: h.Size, open: func() (io.ReadCloser, error) { return io.NopCloser(tr), nil }}
		if err := visit(e); err != nil {
			return err
		}
	}
}

// entryName cleans a path inside an archive. Nothing is ever extracted, but
// a ".." or an absolute path marks a crafted archive, so it is refused;
// except that Mastodon's old tar archives stored media under the server's
// absolute storage path, which is accepted for media only.
func entryName(name string, tarball bool) (string, error) {
	n := strings.ReplaceAll(name, "\\", "/")
	for _, p := range strings.Split(n, "/") {
		if p == ".." {
			return "", errors.New("entry path contains \"..\"; refusing a crafted archive")
		}
	}
	if strings.HasPrefix(n, "/") || (len(n) > 1 && n[1] == ':') {
		if !tarball || !strings.Contains(n, "/media_attachments/") {
			return "", errors.New("entry has an absolute path; refusing a crafted archive")
		}
		n = strings.TrimLeft(n, "/")
	}
	n = path.Clean(strings.TrimPrefix(n, "./"))
	return n, nil
}

// errFound stops a walk once the wanted entry is read.
var errFound = errors.New("found")

// ReadEntry returns the bytes of one file, named by its path inside the
// export (as actor.json names the avatar), from the first input that has
// it. It reads at most limit bytes.
func ReadEntry(ctx context.Context, inputs []string, name string, limit int64) ([]byte, error) {
	want := path.Clean(strings.TrimPrefix(name, "/"))
	for _, in := range inputs {
		var data []byte
		visit := func(e entry) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if e.name != want && !strings.HasSuffix(e.name, "/"+want) {
				return nil
			}
			if e.size > limit {
				return fmt.Errorf("%s is larger than %d MiB", e.name, limit>>20)
			}
			rc, err := e.open()
			if err != nil {
				return err
			}
			defer rc.Close()
			data, err = io.ReadAll(io.LimitReader(rc, limit+1))
			if err != nil {
				return err
			}
			return errFound
		}
		st, err := os.Stat(in)
		if err != nil {
			return nil, &Error{File: in, Err: unwrapPathError(err)}
		}
		if st.IsDir() {
			err = walkFolder(in, visit)
		} else {
			err = walkFile(in, st.Size(), visit)
		}
		if errors.Is(err, errFound) {
			return data, nil
		}
		if err != nil {
			return nil, &Error{File: in, Entry: want, Err: err}
		}
	}
	return nil, fmt.Errorf("%s is in none of the exports", want)
}
