package archive

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Post is one item of the user's outbox, as much as carrying it to a new
// account needs. Mastodon writes them in app/serializers/activitypub/
// note_serializer.rb (via app/services/backup_service.rb), oldest first.
type Post struct {
	ID         string    `json:"id"` // the Note's URI on the old server
	Published  time.Time `json:"published"`
	Content    string    `json:"content"` // HTML
	Summary    string    `json:"summary,omitempty"`
	Sensitive  bool      `json:"sensitive,omitempty"`
	Language   string    `json:"language,omitempty"` // from contentMap
	Visibility string    `json:"visibility"`         // public, unlisted, private or direct
	InReplyTo  string    `json:"in_reply_to,omitempty"`
	// Attachments are the post's media, with their paths in the archive.
	Attachments []Attachment `json:"attachments,omitempty"`
	Mentions    []Mention    `json:"mentions,omitempty"`
	Hashtags    []string     `json:"hashtags,omitempty"` // without the #
	// Boost is set for an Announce: BoostOf is the boosted post's URI.
	Boost   bool   `json:"boost,omitempty"`
	BoostOf string `json:"boost_of,omitempty"`
	// Poll is set for a Question.
	Poll bool `json:"poll,omitempty"`
	// Author is the actor that wrote the post (attributedTo).
	Author string `json:"author,omitempty"`
}

// Attachment is one media file of a post.
type Attachment struct {
	Path        string      `json:"path"` // inside the archive, as the outbox names it
	MediaType   string      `json:"media_type,omitempty"`
	Description string      `json:"description,omitempty"`
	Focus       *[2]float64 `json:"focus,omitempty"`
}

// Mention is one account a post mentions.
type Mention struct {
	Href string `json:"href"`
	Name string `json:"name"` // "@user@domain" as written
}

// outboxItem is one activity of outbox.json, decoded in full.
type outboxItem struct {
	ID        text            `json:"id"`
	Type      string          `json:"type"`
	Published text            `json:"published"`
	To        textList        `json:"to"`
	Cc        textList        `json:"cc"`
	Object    json.RawMessage `json:"object"`
}

type noteObject struct {
	ID           text              `json:"id"`
	Type         string            `json:"type"`
	Published    text              `json:"published"`
	Content      text              `json:"content"`
	ContentMap   map[string]string `json:"contentMap"`
	Summary      text              `json:"summary"`
	Sensitive    bool              `json:"sensitive"`
	InReplyTo    text              `json:"inReplyTo"`
	AttributedTo text              `json:"attributedTo"`
	To           textList          `json:"to"`
	Cc           textList          `json:"cc"`
	Attachment   json.RawMessage   `json:"attachment"`
	Tag          json.RawMessage   `json:"tag"`
}

type attachmentObject struct {
	MediaType  text      `json:"mediaType"`
	URL        text      `json:"url"`
	Name       text      `json:"name"`
	FocalPoint []float64 `json:"focalPoint"`
}

type tagObject struct {
	Type string `json:"type"`
	Href text   `json:"href"`
	Name text   `json:"name"`
}

// ReadPosts streams the posts of every outbox.json in the inputs to each,
// in the order the outbox lists them (Mastodon writes them oldest first).
// Memory stays bounded: one post is decoded at a time (at most 4 MiB, as
// everywhere), and only the ids seen are kept, so that an outbox read
// twice (two inputs, or the orderedItems key some versions wrote twice)
// yields each post once. Media is not read here: see ReadEntry.
func ReadPosts(ctx context.Context, inputs []string, each func(Post) error) error {
	seen := map[string]bool{}
	for _, in := range inputs {
		visit := func(e entry) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			if kindOf(e.name) != kindOutboxJSON {
				return nil
			}
			if e.checkRatio != nil {
				if err := e.checkRatio(); err != nil {
					return &Error{Entry: e.name, Err: err}
				}
			}
			rc, err := e.open()
			if err != nil {
				return &Error{Entry: e.name, Err: err}
			}
			defer rc.Close()
			c := newCollection(bufio.NewReaderSize(rc, 64<<10))
			err = c.read(func(int) error {
				var it outboxItem
				if err := c.decode(&it); err != nil {
					return err
				}
				p, ok := postOf(&it)
				if !ok || seen[p.ID] {
					return nil
				}
				seen[p.ID] = true
				return each(p)
			})
			if err != nil {
				var ae *Error
				if errors.As(err, &ae) || errors.Is(err, context.Canceled) {
					return err
				}
				return &Error{Entry: e.name, Err: err}
			}
			return nil
		}
		st, err := os.Stat(in)
		if err != nil {
			return &Error{File: in, Err: unwrapPathError(err)}
		}
		if st.IsDir() {
			err = walkFolder(in, visit)
		} else {
			err = walkFile(in, st.Size(), visit)
		}
		if err != nil {
			var ae *Error
			if errors.As(err, &ae) {
				if ae.File == "" {
					ae.File = in
				}
				return ae
			}
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return err
			}
			return &Error{File: in, Err: err}
		}
	}
	return nil
}

// postOf reads one activity; ok is false for what is not a post or boost.
func postOf(it *outboxItem) (Post, bool) {
	switch it.Type {
	case "Announce":
		p := Post{ID: string(it.ID), Boost: true, Published: parseTime(string(it.Published)), Visibility: visibility(it.To, it.Cc)}
		var uri text
		if json.Unmarshal(it.Object, &uri) == nil {
			p.BoostOf = string(uri)
		} else {
			var o noteObject
			if json.Unmarshal(it.Object, &o) == nil {
				p.BoostOf = string(o.ID)
			}
		}
		return p, p.ID != ""
	case "Create":
	default:
		return Post{}, false
	}
	var o noteObject
	if len(it.Object) == 0 || it.Object[0] != '{' || json.Unmarshal(it.Object, &o) != nil {
		return Post{}, false
	}
	if o.Type != "Note" && o.Type != "Question" && o.Type != "Article" {
		return Post{}, false
	}
	to, cc := o.To, o.Cc
	if len(to) == 0 && len(cc) == 0 {
		to, cc = it.To, it.Cc
	}
	p := Post{
		ID:         string(o.ID),
		Published:  parseTime(string(o.Published)),
		Content:    string(o.Content),
		Summary:    string(o.Summary),
		Sensitive:  o.Sensitive,
		Visibility: visibility(to, cc),
		InReplyTo:  string(o.InReplyTo),
		Poll:       o.Type == "Question",
		Author:     string(o.AttributedTo),
	}
	if p.ID == "" {
		p.ID = strings.TrimSuffix(string(it.ID), "/activity")
	}
	if p.Published.IsZero() {
		p.Published = parseTime(string(it.Published))
	}
	for lang, html := range o.ContentMap {
		// Mastodon writes one language, the post's (note_serializer.rb).
		p.Language = lang
		if p.Content == "" {
			p.Content = html
		}
		break
	}
	for _, raw := range objects(o.Attachment) {
		var a attachmentObject
		if json.Unmarshal(raw, &a) != nil || a.URL == "" {
			continue
		}
		at := Attachment{Path: string(a.URL), MediaType: string(a.MediaType), Description: string(a.Name)}
		if len(a.FocalPoint) == 2 {
			at.Focus = &[2]float64{a.FocalPoint[0], a.FocalPoint[1]}
		}
		p.Attachments = append(p.Attachments, at)
	}
	for _, raw := range objects(o.Tag) {
		var t tagObject
		if json.Unmarshal(raw, &t) != nil {
			continue
		}
		switch t.Type {
		case "Mention":
			p.Mentions = append(p.Mentions, Mention{Href: string(t.Href), Name: string(t.Name)})
		case "Hashtag":
			p.Hashtags = append(p.Hashtags, strings.TrimPrefix(string(t.Name), "#"))
		}
	}
	return p, p.ID != ""
}

// objects reads an ActivityStreams value that is one object or an array.
func objects(raw json.RawMessage) []json.RawMessage {
	if len(raw) == 0 {
		return nil
	}
	var many []json.RawMessage
	if json.Unmarshal(raw, &many) == nil {
		return many
	}
	if raw[0] == '{' {
		return []json.RawMessage{raw}
	}
	return nil
}

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// visibility reads ActivityPub addressing as Mastodon writes it (see
// countPost): to Public is public, cc Public unlisted, to the followers
// collection followers-only, anything else direct.
func visibility(to, cc []string) string {
	switch {
	case slices.ContainsFunc(to, isPublic):
		return "public"
	case slices.ContainsFunc(cc, isPublic):
		return "unlisted"
	case slices.ContainsFunc(to, func(s string) bool { return strings.HasSuffix(s, "/followers") }):
		return "private"
	}
	return "direct"
}

// isPublic recognises the Public collection in its three spellings.
func isPublic(s string) bool {
	return s == "https://www.w3.org/ns/activitystreams#Public" || s == "as:Public" || s == "Public"
}

// MaxMedia is the largest media file ReadMedia reads: GoToSocial's
// default limit for local uploads (media-local-max-size, 40 MiB).
const MaxMedia = 40 << 20

// ReadMedia returns one media file of the archive by the path the outbox
// names (a leading "/" and any storage prefix are allowed, as ReadEntry
// allows them), refusing paths with ".." and files over limit bytes. For
// many files, a MediaReader reads the archive once instead of once each.
func ReadMedia(ctx context.Context, inputs []string, name string, limit int64) ([]byte, error) {
	clean, err := mediaPath(name)
	if err != nil {
		return nil, err
	}
	return ReadEntry(ctx, inputs, clean, limit)
}

// MediaReader reads the media files of the archive one after another,
// without a pass over the whole archive for each: a zip's directory is
// read once, a tar.gz is read forward from where the last file was found
// (Mastodon writes media in the order of the posts, so carrying posts
// oldest first reads it about once), a folder is looked into directly.
// Paths are checked as ReadMedia checks them.
type MediaReader struct {
	inputs []string
	zips   map[string]*zipIndex
	tars   map[string]*tarCursor
}

type zipIndex struct {
	f     *os.File
	files map[string]*zip.File // by mediaKey
}

type tarCursor struct {
	f  *os.File
	tr *tar.Reader
}

// NewMediaReader reads media from the inputs; Close it when done.
func NewMediaReader(inputs []string) *MediaReader {
	return &MediaReader{inputs: inputs, zips: map[string]*zipIndex{}, tars: map[string]*tarCursor{}}
}

// Close closes the archives it opened.
func (m *MediaReader) Close() error {
	for _, z := range m.zips {
		if z.f != nil {
			z.f.Close()
		}
	}
	for _, t := range m.tars {
		t.f.Close()
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

// Read returns one media file, named as the outbox names it.
func (m *MediaReader) Read(ctx context.Context, name string, limit int64) ([]byte, error) {
	clean, err := mediaPath(name)
	if err != nil {
		return nil, err
	}
	key := mediaKey(clean)
	for _, in := range m.inputs {
		st, err := os.Stat(in)
		if err != nil {
			return nil, &Error{File: in, Err: unwrapPathError(err)}
		}
		var data []byte
		var found bool
		switch {
		case st.IsDir():
			data, found, err = readFromDir(in, clean, limit)
		default:
			data, found, err = m.fromFile(ctx, in, key, limit)
		}
		if err != nil {
			return nil, &Error{File: in, Entry: clean, Err: err}
		}
		if found {
			return data, nil
		}
	}
	// A folder with a storage prefix, or a layout we did not expect.
	return ReadEntry(ctx, m.inputs, clean, limit)
}

func mediaPath(name string) (string, error) {
	clean := strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "/")
	if strings.Contains(name, "://") {
		return "", fmt.Errorf("%s is not a file of the archive", name)
	}
	for _, part := range strings.Split(clean, "/") {
		if part == ".." {
			return "", fmt.Errorf("%s: media path contains \"..\"; refusing it", name)
		}
	}
	if kindOf(clean) != kindMedia {
		return "", fmt.Errorf("%s is not under media_attachments/", name)
	}
	return path.Clean(clean), nil
}

func readFromDir(dir, clean string, limit int64) ([]byte, bool, error) {
	p := filepath.Join(dir, filepath.FromSlash(clean))
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, false, nil // links are never followed
	}
	if fi.Size() > limit {
		return nil, false, fmt.Errorf("%s is larger than %d MiB", clean, limit>>20)
	}
	data, err := os.ReadFile(p)
	return data, err == nil, err
}

// fromFile finds the file in a zip or tar(.gz) input; found is false for
// other inputs and when the archive lacks it.
func (m *MediaReader) fromFile(ctx context.Context, in, key string, limit int64) ([]byte, bool, error) {
	if z, ok := m.zips[in]; ok {
		return z.read(key, limit)
	}
	if _, ok := m.tars[in]; ok {
		return m.fromTar(ctx, in, key, limit)
	}
	f, err := os.Open(in)
	if err != nil {
		return nil, false, unwrapPathError(err)
	}
	var magic [512]byte
	n, _ := io.ReadFull(f, magic[:])
	head := magic[:n]
	switch {
	case len(head) >= 4 && (string(head[:4]) == "PK\x03\x04" || string(head[:4]) == "PK\x05\x06"):
		st, err := f.Stat()
		if err != nil {
			f.Close()
			return nil, false, err
		}
		zr, err := zip.NewReader(f, st.Size())
		if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
			f.Close()
			return nil, false, errors.New("not a valid zip file (truncated or corrupt)")
		}
		z := &zipIndex{f: f, files: map[string]*zip.File{}}
		for _, zf := range zr.File {
			name, err := entryName(zf.Name, false)
			if err == nil && kindOf(name) == kindMedia {
				z.files[mediaKey(name)] = zf
			}
		}
		m.zips[in] = z
		return z.read(key, limit)
	case len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b, len(head) >= 262 && string(head[257:262]) == "ustar":
		f.Close()
		return m.fromTar(ctx, in, key, limit)
	}
	f.Close()
	m.zips[in] = &zipIndex{} // neither: nothing to find here
	return nil, false, nil
}

func (z *zipIndex) read(key string, limit int64) ([]byte, bool, error) {
	zf, ok := z.files[key]
	if !ok {
		return nil, false, nil
	}
	if zf.UncompressedSize64 > uint64(limit) {
		return nil, false, fmt.Errorf("larger than %d MiB", limit>>20)
	}
	if zf.Flags&0x1 != 0 {
		return nil, false, errors.New("entry is encrypted")
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, false, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(zipEntryReader{rc}, limit+1))
	if err == nil && int64(len(data)) > limit {
		err = fmt.Errorf("larger than %d MiB", limit>>20)
	}
	return data, err == nil, err
}

// fromTar reads forward from the cursor; at the end it starts over once.
func (m *MediaReader) fromTar(ctx context.Context, in, key string, limit int64) ([]byte, bool, error) {
	for pass := 0; pass < 2; pass++ {
		c := m.tars[in]
		if c == nil {
			f, err := os.Open(in)
			if err != nil {
				return nil, false, unwrapPathError(err)
			}
			br := bufio.NewReaderSize(f, 1<<20)
			var r io.Reader = br
			if b, _ := br.Peek(2); len(b) == 2 && b[0] == 0x1f && b[1] == 0x8b {
				counted := &countingReader{r: br}
				zr, err := gzip.NewReader(counted)
				if err != nil {
					f.Close()
					return nil, false, fmt.Errorf("not a valid gzip file: %w", err)
				}
				r = &gzipGuard{r: zr, in: counted}
			}
			c = &tarCursor{f: f, tr: tar.NewReader(r)}
			m.tars[in] = c
		}
		for {
			if err := ctx.Err(); err != nil {
				return nil, false, err
			}
			h, err := c.tr.Next()
			if err == io.EOF {
				c.f.Close()
				delete(m.tars, in)
				break
			}
			if err != nil {
				return nil, false, err
			}
			if h.Typeflag != tar.TypeReg {
				continue
			}
			name, err := entryName(h.Name, true)
			if err != nil || mediaKey(name) != key {
				continue
			}
			if h.Size > limit {
				return nil, false, fmt.Errorf("larger than %d MiB", limit>>20)
			}
			data, err := io.ReadAll(io.LimitReader(c.tr, limit+1))
			return data, err == nil, err
		}
	}
	return nil, false, nil
}
