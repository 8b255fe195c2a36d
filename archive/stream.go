package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-json-experiment/json/jsontext"
)

// collection streams a JSON collection: a top-level array, or an object
// (ActivityStreams Collection or OrderedCollection) whose items or
// orderedItems member holds one. It reads in one pass with jsontext, and
// reads outbox items and status URIs in place, looking only at the members
// the plan needs and skipping every other value without copying it (an
// outbox is mostly the posts' content). It reads what encoding/json read
// before it, with the same results and errors:
//
//   - member names are matched as encoding/json matches them: exactly,
//     else without regard to case (bytes.EqualFold); the last of repeated
//     members wins;
//   - invalid UTF-8 is accepted and read as U+FFFD;
//   - one value is bounded at maxValue bytes (valueLimit), so memory is
//     bounded whatever the input;
//   - errors are one line naming the byte offset and the problem.
//
// One difference remains: jsontext counts its limit of 10,000 nested
// levels from the top of the file, encoding/json from each element, so an
// element nested 9,998 or 9,999 levels deep is now refused too.
type collection struct {
	dec     *jsontext.Decoder
	lim     *valueLimit
	total   *int   // totalItems, when the object had one
	scratch []byte // unquoted strings with escapes
}

func newCollection(r io.Reader) *collection {
	lim := &valueLimit{r: r}
	dec := jsontext.NewDecoder(lim,
		jsontext.AllowDuplicateNames(true), // encoding/json keeps the last
		jsontext.AllowInvalidUTF8(true))    // and reads bad bytes as U+FFFD
	return &collection{dec: dec, lim: lim}
}

// shapeError is a well-formed value of the wrong shape; it is reported
// once the item it is in has been read to its end, as encoding/json reports
// a type mismatch after checking the item's syntax.
type shapeError struct{ msg string }

func (e *shapeError) Error() string { return e.msg }

// read calls each per element with the decoder positioned on it, and with
// occ, the index of the items member it came from: some Mastodon versions
// wrote orderedItems twice, empty first.
func (c *collection) read(each func(occ int) error) error {
	tok, err := c.dec.ReadToken()
	if err != nil {
		return c.error(err)
	}
	switch tok.Kind() {
	case '[':
		return c.array(0, each)
	case '{':
	default:
		return fmt.Errorf("expected a JSON array or collection object, found %s", kindName(tok.Kind()))
	}
	occ, sawItems := 0, false
	for c.dec.PeekKind() != '}' {
		c.lim.n = 0
		name, err := c.dec.ReadValue()
		if err != nil {
			return c.error(err)
		}
		switch key := c.unquote(name); string(key) { // exact, as collection.read
		case "items", "orderedItems":
			key := string(key)
			tok, err := c.dec.ReadToken()
			if err != nil {
				return c.error(err)
			}
			switch tok.Kind() {
			case 'n':
				continue
			case '[':
			default:
				return fmt.Errorf("%q is %s, not an array", key, kindName(tok.Kind()))
			}
			sawItems = true
			if err := c.array(occ, each); err != nil {
				return err
			}
			occ++
		case "totalItems":
			n, err := c.int()
			if err != nil {
				return err
			}
			c.total = &n
		default:
			if err := c.dec.SkipValue(); err != nil {
				return c.error(err)
			}
		}
	}
	if _, err := c.dec.ReadToken(); err != nil {
		return c.error(err)
	}
	if !sawItems && c.total == nil {
		return errors.New("JSON object has no items, orderedItems or totalItems")
	}
	return nil
}

func (c *collection) array(occ int, each func(occ int) error) error {
	for c.dec.PeekKind() != ']' {
		c.lim.n = 0
		if err := each(occ); err != nil {
			return err
		}
	}
	_, err := c.dec.ReadToken() // ]
	return c.error(err)
}

// decode reads the next element into v, naming its position on failure.
// Outbox items and status URIs are read in place; other elements (small:
// accounts, lists, domains) are read whole and unmarshalled. v is never
// kept, so a caller's variable can stay on its stack: one allocation less
// per outbox item.
func (c *collection) decode(v any) error {
	switch v := v.(type) {
	case *activity:
		return c.error(c.activity(v))
	case *statusRef:
		s, err := c.statusRef()
		*v = statusRef(s)
		return c.error(err)
	case *json.RawMessage:
		raw, err := c.dec.ReadValue()
		*v = append((*v)[:0], raw...)
		return c.error(err)
	case *accountItem:
		return unmarshalNext(c, v)
	case *listItem:
		return unmarshalNext(c, v)
	case *domainItem:
		return unmarshalNext(c, v)
	case *outboxItem:
		return unmarshalNext(c, v) // posts.go: the posts themselves, read in full
	}
	// Not %T: naming v would keep it, and every caller's variable with it.
	return errors.New("internal error: collection.decode has no case for this element type")
}

// unmarshalNext reads the next element whole and unmarshals it into a
// copy of *v's type with encoding/json.
func unmarshalNext[T any](c *collection, v *T) error {
	raw, err := c.dec.ReadValue()
	if err != nil {
		return c.error(err)
	}
	var x T
	err = json.Unmarshal(raw, &x)
	*v = x
	return c.unmarshalError(c.dec.InputOffset()-int64(len(raw)), err)
}

// unmarshalError words an error of encoding/json's Unmarshal of the value
// at byte start, as jsonError does.
func (c *collection) unmarshalError(start int64, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ie *itemError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %s", start+se.Offset, se.Error())
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Errorf("wrong JSON shape at byte %d: %s is a %s, expected %s", start+te.Offset, where, te.Value, te.Type)
	case errors.As(err, &ie):
		return fmt.Errorf("wrong JSON shape near byte %d: %s", c.dec.InputOffset(), ie.msg)
	}
	return err
}

// int reads totalItems as encoding/json reads an int: null is 0.
func (c *collection) int() (int, error) {
	v, err := c.dec.ReadValue()
	if err != nil {
		return 0, c.error(err)
	}
	switch v.Kind() {
	case 'n':
		return 0, nil
	case '0':
		n, err := strconv.ParseInt(string(v), 10, 64)
		if err == nil {
			return int(n), nil
		}
	}
	return 0, c.error(&shapeError{fmt.Sprintf("totalItems is %s, expected an integer", valueName(v))})
}

// error turns a decoder error into one plain sentence with a position, as
// jsonError does for encoding/json.
func (c *collection) error(err error) error {
	if err == nil {
		return nil
	}
	var se *jsontext.SyntacticError
	var sh *shapeError
	switch {
	case errors.Is(err, errValueTooLarge):
		return fmt.Errorf("near byte %d: %w", c.dec.InputOffset(), errValueTooLarge)
	case c.lim.err != nil:
		return c.lim.err // the archive's own error, already in words
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("JSON ends early at byte %d (truncated file?)", c.dec.InputOffset())
	case errors.As(err, &se):
		msg := "invalid syntax"
		if se.Err != nil {
			msg = se.Err.Error()
		}
		return fmt.Errorf("invalid JSON at byte %d: %s", se.ByteOffset, strings.ReplaceAll(msg, "\n", `\n`))
	case errors.As(err, &sh):
		return fmt.Errorf("wrong JSON shape near byte %d: %s", c.dec.InputOffset(), sh.msg)
	}
	return err
}

// unquote returns the text of a raw JSON string as encoding/json reads it.
// It is only valid until the next call: it may be scratch space or the
// decoder's buffer.
func (c *collection) unquote(v jsontext.Value) []byte {
	raw := v[1 : len(v)-1]
	if bytes.IndexByte(raw, '\\') < 0 && utf8.Valid(raw) {
		return raw
	}
	c.scratch, _ = jsontext.AppendUnquote(c.scratch[:0], v) // bad UTF-8 becomes U+FFFD
	return c.scratch
}

// member reads the next member name of an object, or reports false at its
// end (having read the '}').
func (c *collection) member() ([]byte, bool, error) {
	if c.dec.PeekKind() == '}' {
		_, err := c.dec.ReadToken()
		return nil, false, err
	}
	name, err := c.dec.ReadValue()
	if err != nil {
		return nil, false, err
	}
	return c.unquote(name), true, nil
}

func kindName(k jsontext.Kind) string {
	switch k {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case '0':
		return "a number"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "nothing"
}

func valueName(v jsontext.Value) string {
	if len(v) == 0 {
		return "nothing"
	}
	return kindName(v.Kind())
}

// addr is what the plan needs of an ActivityStreams to or cc: how many
// entries it has and whether one is Public or a followers collection.
// It is read as textList reads one: a string is a list of one, null
// empties it, an array of strings (null entries read as "") replaces it,
// and anything else leaves it as it was.
type addr struct {
	n                 int
	public, followers bool
}

func (a *addr) add(s []byte) {
	a.n++
	switch string(s) {
	case "https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public":
		a.public = true
	}
	a.followers = a.followers || bytes.HasSuffix(s, []byte("/followers"))
}

func (c *collection) addr(a *addr) error {
	switch c.dec.PeekKind() {
	case '"':
		v, err := c.dec.ReadValue()
		if err != nil {
			return err
		}
		*a = addr{}
		a.add(c.unquote(v))
		return nil
	case 'n':
		*a = addr{}
		_, err := c.dec.ReadToken()
		return err
	case '[':
		if _, err := c.dec.ReadToken(); err != nil {
			return err
		}
		var l addr
		strings := true
		for {
			switch c.dec.PeekKind() {
			case ']':
				if _, err := c.dec.ReadToken(); err != nil {
					return err
				}
				if strings {
					*a = l
				}
				return nil
			case '"':
				v, err := c.dec.ReadValue()
				if err != nil {
					return err
				}
				l.add(c.unquote(v))
			case 'n':
				if _, err := c.dec.ReadToken(); err != nil {
					return err
				}
				l.add(nil)
			default:
				strings = false
				if err := c.dec.SkipValue(); err != nil {
					return err
				}
			}
		}
	}
	return c.dec.SkipValue()
}

func isName(name []byte, want string) bool {
	return len(name) == len(want) && (string(name) == want || bytes.EqualFold(name, []byte(want)))
}

// activity is one outbox item as the plan sees it: its type when it is
// one the plan counts, and its addressing.
type activity struct {
	Type   string // "Create", "Announce", or "" for any other
	to, cc addr   // the activity's, or its object's when it has none
}

// activity reads one outbox item. Only type, to, cc and the object's to
// and cc are read: Mastodon copies the object's addressing onto the
// Create, and the object's is used only when the activity has none. null
// reads as an activity of no type.
func (c *collection) activity(a *activity) error {
	switch k := c.dec.PeekKind(); k {
	case 'n':
		_, err := c.dec.ReadToken()
		return err
	case '{':
	default:
		if err := c.dec.SkipValue(); err != nil {
			return err
		}
		return &shapeError{fmt.Sprintf("an outbox item is %s, expected an object", kindName(k))}
	}
	if _, err := c.dec.ReadToken(); err != nil {
		return err
	}
	var objTo, objCc addr
	object := false // the last object member was an object
	var shape error
	for {
		name, ok, err := c.member()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		switch {
		case isName(name, "type"):
			v, err := c.dec.ReadValue()
			if err != nil {
				return err
			}
			switch v.Kind() {
			case '"':
				switch string(c.unquote(v)) {
				case "Create":
					a.Type = "Create"
				case "Announce":
					a.Type = "Announce"
				default:
					a.Type = ""
				}
			case 'n': // null leaves a string as it was
			default:
				if shape == nil {
					shape = &shapeError{fmt.Sprintf("type is %s, expected a string", valueName(v))}
				}
			}
		case isName(name, "to"):
			err = c.addr(&a.to)
		case isName(name, "cc"):
			err = c.addr(&a.cc)
		case isName(name, "object"):
			object = c.dec.PeekKind() == '{'
			if object {
				objTo, objCc = addr{}, addr{}
				err = c.objectAddr(&objTo, &objCc)
			} else {
				err = c.dec.SkipValue()
			}
		default:
			err = c.dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
	if shape != nil {
		return shape
	}
	if a.to.n == 0 && a.cc.n == 0 && object {
		a.to, a.cc = objTo, objCc
	}
	return nil
}

// objectAddr reads an activity's object, keeping only its to and cc.
func (c *collection) objectAddr(to, cc *addr) error {
	if _, err := c.dec.ReadToken(); err != nil {
		return err
	}
	for {
		name, ok, err := c.member()
		if err != nil || !ok {
			return err
		}
		switch {
		case isName(name, "to"):
			err = c.addr(to)
		case isName(name, "cc"):
			err = c.addr(cc)
		default:
			err = c.dec.SkipValue()
		}
		if err != nil {
			return err
		}
	}
}

// countPost adds one Create to the counts, using ActivityPub addressing as
// Mastodon writes it (app/lib/activitypub/tag_manager.rb): public posts are
// to Public, unlisted ones cc Public, followers-only ones to the followers
// collection, and direct ones only to the people mentioned.
func countPost(p *PostCount, a *activity) {
	switch {
	case a.to.public:
		p.Public++
	case a.cc.public:
		p.Unlisted++
	case a.to.followers:
		p.FollowersOnly++
	default:
		p.Direct++
	}
}

// statusRef is a status URI (likes.json, bookmarks.json).
type statusRef string

// statusRef reads a status URI as statusRef.UnmarshalJSON does: a string,
// or an object whose uri, id or url (the first that starts with "http"),
// else whose object, names one.
func (c *collection) statusRef() (string, error) {
	var str string
	switch k := c.dec.PeekKind(); k {
	case '"':
		v, err := c.dec.ReadValue()
		if err != nil {
			return "", err
		}
		str = string(c.unquote(v))
	case '{':
		var err error
		if str, err = c.statusObject(); err != nil {
			return "", err
		}
	default:
		if err := c.dec.SkipValue(); err != nil {
			return "", err
		}
		return "", &shapeError{"expected a status URI (a string or an object), found " + kindName(k)}
	}
	str = strings.TrimSpace(str)
	if !strings.HasPrefix(str, "https://") && !strings.HasPrefix(str, "http://") {
		return "", &shapeError{fmt.Sprintf("%q is not a status URI", str)}
	}
	return str, nil
}

func (c *collection) statusObject() (string, error) {
	if _, err := c.dec.ReadToken(); err != nil {
		return "", err
	}
	var uri, id, url string
	var inner string
	var innerErr, shape error
	object := false
	for {
		name, ok, err := c.member()
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		var field *string
		switch {
		case isName(name, "uri"):
			field = &uri
		case isName(name, "id"):
			field = &id
		case isName(name, "url"):
			field = &url
		case isName(name, "object"):
			// Read now, used only when uri, id and url name nothing; a
			// syntax error in it is an error either way.
			object = true
			inner, innerErr = c.statusRef()
			var sh *shapeError
			if innerErr != nil && !errors.As(innerErr, &sh) {
				return "", innerErr
			}
			continue
		default:
			if err := c.dec.SkipValue(); err != nil {
				return "", err
			}
			continue
		}
		v, err := c.dec.ReadValue()
		if err != nil {
			return "", err
		}
		switch v.Kind() { // as text reads it
		case '"':
			*field = string(c.unquote(v))
		case '0':
			*field = string(v)
		case 'n':
		default:
			if shape == nil {
				shape = &shapeError{"expected a string"}
			}
		}
	}
	if shape != nil {
		return "", shape
	}
	for _, c := range []string{uri, id, url} {
		if strings.HasPrefix(c, "http") {
			return c, nil
		}
	}
	if object {
		return inner, innerErr
	}
	return "", nil
}
