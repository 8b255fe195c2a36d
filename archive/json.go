package archive

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

var errValueTooLarge = fmt.Errorf("a single JSON value is larger than %d MiB", maxValue>>20)

// valueLimit counts what the decoder pulls in since the last reset. The
// decoder buffers a whole value before decoding it, so this bounds memory
// on a file that is one enormous string or array element.
type valueLimit struct {
	r   io.Reader
	n   int64
	err error // the reader's own error (a corrupt archive), not EOF
}

func (v *valueLimit) Read(p []byte) (int, error) {
	if v.n > maxValue {
		return 0, errValueTooLarge
	}
	if left := maxValue + 1 - v.n; int64(len(p)) > left {
		p = p[:left] // read no further past the limit than needed to see it
	}
	n, err := v.r.Read(p)
	v.n += int64(n)
	if err != nil && err != io.EOF {
		v.err = err
	}
	return n, err
}

// jsonError turns decoder errors into one plain sentence with a position.
func jsonError(dec *json.Decoder, err error) error {
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	var ie *itemError
	switch {
	case errors.Is(err, errValueTooLarge):
		return fmt.Errorf("near byte %d: %w", dec.InputOffset(), err)
	case err == io.EOF || errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("JSON ends early at byte %d (truncated file?)", dec.InputOffset())
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at byte %d: %s", se.Offset, se.Error())
	case errors.As(err, &te):
		where := te.Field
		if where == "" {
			where = "value"
		}
		return fmt.Errorf("wrong JSON shape at byte %d: %s is a %s, expected %s", te.Offset, where, te.Value, te.Type)
	case errors.As(err, &ie):
		return fmt.Errorf("wrong JSON shape near byte %d: %s", dec.InputOffset(), ie.msg)
	}
	return err
}

// itemError is a well-formed JSON value of the wrong shape.
type itemError struct{ msg string }

func (e *itemError) Error() string { return e.msg }

// text accepts a JSON string or number (Mastodon ids are strings, other
// producers write numbers) and keeps its text.
type text string

func (t *text) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*t = text(s)
	case string(b) == "null":
	case len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9'):
		*t = text(b)
	default:
		return &itemError{"expected a string"}
	}
	return nil
}

// textList accepts a string or an array of strings (ActivityStreams allows
// either for to, cc and similar).
type textList []string

func (l *textList) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*l = textList{s}
		return nil
	}
	var ss []string
	if err := json.Unmarshal(b, &ss); err != nil {
		// Languages and addressing are sometimes objects; they are optional.
		return nil
	}
	*l = ss
	return nil
}

// accountItem is an account as JSON exports write it: a handle or URI
// string, or an object with the account and per-entry options.
type accountItem struct {
	Account       Account
	Reblogs       *bool
	Notify        *bool
	Notifications *bool
	Languages     []string
	ExpiresAt     *time.Time
}

type accountObject struct {
	Acct                *text            `json:"acct"`
	Username            *text            `json:"username"`
	Account             *json.RawMessage `json:"account"`
	URI                 *text            `json:"uri"`
	URL                 *text            `json:"url"`
	ID                  *text            `json:"id"`
	Actor               *text            `json:"actor"`
	Href                *text            `json:"href"`
	Reblogs             *bool            `json:"reblogs"`
	ShowReblogs         *bool            `json:"show_reblogs"`
	ShowingReblogs      *bool            `json:"showing_reblogs"`
	Notify              *bool            `json:"notify"`
	Notifying           *bool            `json:"notifying"`
	Languages           textList         `json:"languages"`
	Notifications       *bool            `json:"notifications"`
	HideNotifications   *bool            `json:"hide_notifications"`
	MutingNotifications *bool            `json:"muting_notifications"`
	ExpiresAt           *text            `json:"expires_at"`
	MuteExpiresAt       *text            `json:"mute_expires_at"`
}

func (a *accountItem) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		acc, ok := ParseAccount(s)
		if !ok {
			return &itemError{fmt.Sprintf("%q is not an account address or actor URI", s)}
		}
		a.Account = acc
		return nil
	}
	if len(b) == 0 || b[0] != '{' {
		return &itemError{"expected an account (a string or an object), found " + kindOfJSON(b)}
	}
	var o accountObject
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	if o.Account != nil {
		var inner accountItem
		if err := inner.UnmarshalJSON(*o.Account); err != nil {
			return err
		}
		a.Account = inner.Account
	}
	for _, s := range []*text{o.Acct, o.URI, o.Actor, o.Href, o.ID, o.URL} {
		if s == nil || *s == "" {
			continue
		}
		if acc, ok := ParseAccount(string(*s)); ok {
			// A bare number is an id of the old server, never an account.
			if acc.URI == "" && strings.Trim(acc.Acct, "0123456789") == "" {
				continue
			}
			mergeAccount(&a.Account, acc)
		}
	}
	if a.Account == (Account{}) {
		return &itemError{"account object has no acct, uri, url or id that names an account"}
	}
	a.Reblogs = firstBool(o.Reblogs, firstBool(o.ShowReblogs, o.ShowingReblogs))
	a.Notify = firstBool(o.Notify, o.Notifying)
	a.Notifications = firstBool(o.Notifications, firstBool(o.HideNotifications, o.MutingNotifications))
	a.Languages = cleanLanguages(o.Languages)
	for _, s := range []*text{o.ExpiresAt, o.MuteExpiresAt} {
		if s != nil && *s != "" {
			t, err := time.Parse(time.RFC3339, string(*s))
			if err != nil {
				return &itemError{fmt.Sprintf("expires_at %q is not an RFC 3339 time", *s)}
			}
			a.ExpiresAt = &t
		}
	}
	return nil
}

func kindOfJSON(b []byte) string {
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func cleanLanguages(in []string) []string {
	var out []string
	for _, l := range in {
		if l = strings.ToLower(strings.TrimSpace(l)); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// listItem is one list in lists.json.
type listItem struct {
	Title         text          `json:"title"`
	Name          text          `json:"name"`
	RepliesPolicy text          `json:"replies_policy"`
	Exclusive     *bool         `json:"exclusive"`
	Accounts      []accountItem `json:"accounts"`
	Members       []accountItem `json:"members"`
	Items         []accountItem `json:"items"`
}

// domainItem is a domain as a string or {"domain": ...}.
type domainItem string

func (d *domainItem) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	var s string
	if len(b) > 0 && b[0] == '{' {
		var o struct{ Domain text }
		if err := json.Unmarshal(b, &o); err != nil {
			return err
		}
		s = string(o.Domain)
	} else if err := json.Unmarshal(b, &s); err != nil {
		return &itemError{"expected a domain (a string or an object), found " + kindOfJSON(b)}
	}
	dom, ok := ParseDomain(s)
	if !ok {
		return &itemError{fmt.Sprintf("%q is not a domain", s)}
	}
	*d = domainItem(dom)
	return nil
}

// actor is the part of actor.json the plan and profile import use.
type actor struct {
	PreferredUsername         text            `json:"preferredUsername"`
	Name                      text            `json:"name"`
	Summary                   text            `json:"summary"`
	ManuallyApprovesFollowers bool            `json:"manuallyApprovesFollowers"`
	Icon                      json.RawMessage `json:"icon"`
	Image                     json.RawMessage `json:"image"`
	Attachment                []struct {
		Type  text `json:"type"`
		Name  text `json:"name"`
		Value text `json:"value"`
	} `json:"attachment"`
}

// imageURL reads an ActivityStreams image: a URL string or {"url": ...}.
func imageURL(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct{ URL text }
	if json.Unmarshal(raw, &o) == nil {
		return string(o.URL)
	}
	return ""
}
