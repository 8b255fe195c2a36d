package archive

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"path"
	"path/filepath"
	"strings"
)

// visit reads one entry of an input: media is counted from its size,
// export files are parsed, anything else is remembered for the message
// that says what an input held when it held nothing we know.
func (b *builder) visit(in *input, e *entry, open func() (io.ReadCloser, error)) error {
	if b.progress != nil {
		b.progress(in.name, b.done)
		defer func() { b.done += e.size; b.progress(in.name, b.done) }()
	}
	k := e.kind
	switch k {
	case kindMedia:
		b.media.Files++
		b.media.Bytes += e.size
		return nil
	case kindAvatar, kindHeader:
		return nil // named by actor.json; read only by a profile import
	case kindUnknown:
		if !strings.HasSuffix(strings.ToLower(e.name), ".csv") {
			b.ignore(in, e.name)
			return nil
		}
	}
	rc, err := open()
	if err != nil {
		return err
	}
	defer rc.Close()
	var r io.Reader = rc
	if b.progress != nil {
		r = &progressReader{r: rc, report: func(n int64) { b.progress(in.name, b.done+n) }}
	}
	br, err := textReader(bufio.NewReaderSize(r, 64<<10), strings.HasSuffix(strings.ToLower(e.name), ".csv"))
	if err != nil {
		return err
	}
	if k == kindUnknown {
		if k = sniffCSV(br); k == kindUnknown {
			b.ignore(in, e.name)
			return nil
		}
	}
	in.found++
	b.covered[k] = true
	return b.parse(k, br)
}

// ignore remembers a file that is not an export: for the message when an
// input holds nothing we know, and for the one "ignored" line otherwise.
func (b *builder) ignore(in *input, name string) {
	in.unknown = append(in.unknown, name)
	b.ignored = append(b.ignored, path.Join(filepath.ToSlash(in.name), name))
}

func (b *builder) parse(k kind, r *bufio.Reader) error {
	switch k {
	case kindFollowingCSV:
		return b.readFollowingCSV(r)
	case kindMutedCSV:
		return b.readMutedCSV(r)
	case kindBlockedCSV:
		return b.readBlockedCSV(r)
	case kindDomainsCSV:
		return b.readDomainsCSV(r)
	case kindBookmarksCSV:
		return b.readBookmarksCSV(r)
	case kindListsCSV:
		return b.readListsCSV(r)
	case kindOutboxJSON:
		return b.readOutbox(r)
	case kindActorJSON:
		return b.readActor(r)
	case kindFollowersJSON:
		return b.readFollowers(r)
	}
	c := newCollection(r)
	return c.read(func(int) error {
		switch k {
		case kindFollowingJSON, kindMutedJSON, kindBlockedJSON:
			var it accountItem
			if err := c.decode(&it); err != nil {
				return err
			}
			b.addAccountItem(k, it)
		case kindListsJSON:
			var it listItem
			if err := c.decode(&it); err != nil {
				return err
			}
			return b.addListItem(it)
		case kindDomainBlocksJSON:
			var d domainItem
			if err := c.decode(&d); err != nil {
				return err
			}
			b.addDomainBlock(string(d))
		case kindLikesJSON, kindBookmarksJSON:
			var s statusRef
			if err := c.decode(&s); err != nil {
				return err
			}
			if k == kindLikesJSON {
				b.likes.add(string(s))
			} else {
				b.bookmarks.add(string(s))
			}
		}
		return nil
	})
}

func (b *builder) addAccountItem(k kind, it accountItem) {
	switch k {
	case kindFollowingJSON:
		b.addFollow(Follow{Account: it.Account, Reblogs: it.Reblogs, Notify: it.Notify, Languages: it.Languages})
	case kindMutedJSON:
		b.addMute(Mute{Account: it.Account, Notifications: it.Notifications, ExpiresAt: it.ExpiresAt})
	case kindBlockedJSON:
		b.addBlock(it.Account)
	}
}

func (b *builder) addListItem(it listItem) error {
	title := strings.TrimSpace(string(it.Title))
	if title == "" {
		title = strings.TrimSpace(string(it.Name))
	}
	if title == "" {
		return errors.New("a list has no title or name")
	}
	l := b.list(title)
	switch p := string(it.RepliesPolicy); p {
	case "list", "followed", "none":
		l.list.RepliesPolicy = p
	}
	if it.Exclusive != nil {
		l.list.Exclusive = it.Exclusive
	}
	for _, group := range [][]accountItem{it.Accounts, it.Members, it.Items} {
		for _, m := range group {
			l.addMember(m.Account)
		}
	}
	return nil
}

func (b *builder) readOutbox(r *bufio.Reader) error {
	var counts []PostCount
	c := newCollection(r)
	err := c.read(func(occ int) error {
		for len(counts) <= occ {
			counts = append(counts, PostCount{})
		}
		var a activity
		if err := c.decode(&a); err != nil {
			return err
		}
		switch a.Type {
		case "Create":
			countPost(&counts[occ], &a)
		case "Announce":
			counts[occ].Boosts++
		}
		return nil
	})
	if err != nil {
		return err
	}
	// Take the last orderedItems that held anything: some Mastodon versions
	// wrote an empty one before the real one.
	var pc PostCount
	for _, p := range counts {
		if p.Total()+p.Boosts > 0 {
			pc = p
		}
	}
	if b.posts == nil || pc.Total()+pc.Boosts > b.posts.Total()+b.posts.Boosts {
		b.posts = &pc
	}
	return nil
}

func (b *builder) readFollowers(r *bufio.Reader) error {
	n := 0
	c := newCollection(r)
	err := c.read(func(int) error {
		var skip json.RawMessage
		n++
		return c.decode(&skip)
	})
	if err != nil {
		return err
	}
	if n == 0 && c.total != nil {
		n = *c.total
	}
	if b.followers == nil || n > *b.followers {
		b.followers = &n
	}
	return nil
}

func (b *builder) readActor(r *bufio.Reader) error {
	var a actor
	dec := json.NewDecoder(&valueLimit{r: r})
	if err := dec.Decode(&a); err != nil {
		return jsonError(dec, err)
	}
	p := &Profile{
		Username:    string(a.PreferredUsername),
		DisplayName: string(a.Name),
		Note:        string(a.Summary),
		Avatar:      imageURL(a.Icon),
		Header:      imageURL(a.Image),
		Locked:      a.ManuallyApprovesFollowers,
	}
	for _, f := range a.Attachment {
		if f.Type == "PropertyValue" {
			p.Fields = append(p.Fields, Field{Name: string(f.Name), Value: string(f.Value)})
		}
	}
	b.profile = p
	return nil
}

// progressReader reports the bytes read so far of a file being parsed,
// so that a long outbox.json shows it is moving.
type progressReader struct {
	r      io.Reader
	n      int64
	report func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.report(p.n)
	return n, err
}
