package archive

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// The encoding/json reader of collections that the jsontext one replaced,
// kept for FuzzStreamMatchesV1, which checks that both read the same
// counts from the same bytes. It is the code as it was, renamed.

type v1Collection struct {
	dec   *json.Decoder
	lim   *valueLimit
	total *int
}

func newV1Collection(r io.Reader) *v1Collection {
	lim := &valueLimit{r: r}
	return &v1Collection{dec: json.NewDecoder(lim), lim: lim}
}

func (c *v1Collection) read(each func(occ int) error) error {
	tok, err := c.dec.Token()
	if err != nil {
		return jsonError(c.dec, err)
	}
	switch tok {
	case json.Delim('['):
		return c.array(0, each)
	case json.Delim('{'):
	default:
		return fmt.Errorf("expected a JSON array or collection object, found %s", v1Describe(tok))
	}
	occ, sawItems := 0, false
	for c.dec.More() {
		c.lim.n = 0
		tok, err := c.dec.Token()
		if err != nil {
			return jsonError(c.dec, err)
		}
		key, _ := tok.(string)
		switch key {
		case "items", "orderedItems":
			tok, err := c.dec.Token()
			if err != nil {
				return jsonError(c.dec, err)
			}
			if tok == nil {
				continue
			}
			if tok != json.Delim('[') {
				return fmt.Errorf("%q is %s, not an array", key, v1Describe(tok))
			}
			sawItems = true
			if err := c.array(occ, each); err != nil {
				return err
			}
			occ++
		case "totalItems":
			var n int
			if err := c.dec.Decode(&n); err != nil {
				return jsonError(c.dec, err)
			}
			c.total = &n
		default:
			var skip json.RawMessage
			if err := c.dec.Decode(&skip); err != nil {
				return jsonError(c.dec, err)
			}
		}
	}
	if _, err := c.dec.Token(); err != nil {
		return jsonError(c.dec, err)
	}
	if !sawItems && c.total == nil {
		return errors.New("JSON object has no items, orderedItems or totalItems")
	}
	return nil
}

func (c *v1Collection) array(occ int, each func(occ int) error) error {
	for c.dec.More() {
		c.lim.n = 0
		if err := each(occ); err != nil {
			return err
		}
	}
	_, err := c.dec.Token() // ]
	return jsonError(c.dec, err)
}

func (c *v1Collection) decode(v any) error {
	return jsonError(c.dec, c.dec.Decode(v))
}

func v1Describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case string:
		return "a string"
	case float64, json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", tok)
}

type v1StatusRef string

func (s *v1StatusRef) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var str string
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &str); err != nil {
			return err
		}
	} else if len(b) > 0 && b[0] == '{' {
		var o struct {
			URI, URL, ID text
			Object       json.RawMessage
		}
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		for _, c := range []text{o.URI, o.ID, o.URL} {
			if strings.HasPrefix(string(c), "http") {
				str = string(c)
				break
			}
		}
		if str == "" && len(o.Object) > 0 {
			var inner v1StatusRef
			if err := inner.UnmarshalJSON(o.Object); err != nil {
				return err
			}
			str = string(inner)
		}
	} else {
		return &itemError{"expected a status URI (a string or an object), found " + kindOfJSON(b)}
	}
	str = strings.TrimSpace(str)
	if !strings.HasPrefix(str, "https://") && !strings.HasPrefix(str, "http://") {
		return &itemError{fmt.Sprintf("%q is not a status URI", str)}
	}
	*s = v1StatusRef(str)
	return nil
}

type v1Activity struct {
	Type   string          `json:"type"`
	To     textList        `json:"to"`
	Cc     textList        `json:"cc"`
	Object json.RawMessage `json:"object"`
}

type v1Addressed struct {
	To textList `json:"to"`
	Cc textList `json:"cc"`
}

func v1CountPost(p *PostCount, a *v1Activity) {
	to, cc := a.To, a.Cc
	if len(to) == 0 && len(cc) == 0 && len(a.Object) > 0 && a.Object[0] == '{' {
		var o v1Addressed
		if json.Unmarshal(a.Object, &o) == nil {
			to, cc = o.To, o.Cc
		}
	}
	switch {
	case v1AnyOf(to, isPublic):
		p.Public++
	case v1AnyOf(cc, isPublic):
		p.Unlisted++
	case v1AnyOf(to, func(s string) bool { return strings.HasSuffix(s, "/followers") }):
		p.FollowersOnly++
	default:
		p.Direct++
	}
}

func v1AnyOf(l []string, f func(string) bool) bool {
	for _, s := range l {
		if f(s) {
			return true
		}
	}
	return false
}

// v1Parse is builder.parse for the JSON collections, on the old reader.
func (b *builder) v1Parse(k kind, r *bufio.Reader) error {
	switch k {
	case kindOutboxJSON:
		return b.v1ReadOutbox(r)
	case kindFollowersJSON:
		return b.v1ReadFollowers(r)
	case kindActorJSON:
		return b.readActor(r)
	}
	c := newV1Collection(r)
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
			var s v1StatusRef
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

func (b *builder) v1ReadOutbox(r *bufio.Reader) error {
	var counts []PostCount
	c := newV1Collection(r)
	err := c.read(func(occ int) error {
		for len(counts) <= occ {
			counts = append(counts, PostCount{})
		}
		var a v1Activity
		if err := c.decode(&a); err != nil {
			return err
		}
		switch a.Type {
		case "Create":
			v1CountPost(&counts[occ], &a)
		case "Announce":
			counts[occ].Boosts++
		}
		return nil
	})
	if err != nil {
		return err
	}
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

func (b *builder) v1ReadFollowers(r *bufio.Reader) error {
	n := 0
	c := newV1Collection(r)
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
