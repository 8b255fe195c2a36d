package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"iter"
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

// Posts streams the posts of every outbox.json in the inputs, in the
// order the outbox lists them (Mastodon writes them oldest first), each
// outbox read again from its start. Memory stays bounded: one post is
// decoded at a time (at most 4 MiB, as everywhere), and only the ids seen
// are kept, so that an outbox read twice (two inputs, or the orderedItems
// key some versions wrote twice) yields each post once. The stream stops
// at the first error, which names the file. Media is not read here: see
// Open.
func (s *Set) Posts(ctx context.Context) iter.Seq2[Post, error] {
	return func(yield func(Post, error) bool) {
		seen := map[string]bool{}
		for _, in := range s.inputs {
			for _, e := range in.entries {
				if e.kind != kindOutboxJSON {
					continue
				}
				more, err := posts(ctx, e, seen, yield)
				if err != nil {
					var ae *Error
					if !errors.As(err, &ae) && ctx.Err() == nil {
						err = &Error{File: in.name, Entry: e.name, Err: err}
					}
					yield(Post{}, err)
					return
				}
				if !more {
					return
				}
			}
		}
	}
}

// errStopped ends the reading of an outbox whose reader stopped taking posts.
var errStopped = errors.New("stopped")

// posts yields the posts of one outbox; more is false when yield stopped.
func posts(ctx context.Context, e *entry, seen map[string]bool, yield func(Post, error) bool) (more bool, err error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	rc, err := e.open(ctx)
	if err != nil {
		return false, err
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
		if !yield(p, nil) {
			return errStopped
		}
		return nil
	})
	if err == errStopped {
		return false, nil
	}
	return err == nil, err
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
