package archive

import (
	"archive/zip"
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
	"regexp"
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
