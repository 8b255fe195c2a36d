// Package archive reads the exports a Mastodon user can download (the JSON
// export ZIP, Mastodon's ActivityPub archive as zip or tar.gz, and Mastodon's
// CSV exports) into one de-duplicated Export, without extracting anything.
package archive

import (
	"net/url"
	"regexp"
	"strings"
)

// Account names an account as the export knew it: a handle (user@host), an
// ActivityPub actor URI, or both once sources have been merged. The target
// server turns it into an account id later.
type Account struct {
	Acct string `json:"acct,omitempty"` // user@host, host lower-cased, no leading @
	URI  string `json:"uri,omitempty"`  // https://host/users/name, host lower-cased
}

// Key is what two mentions of the same account have in common.
func (a Account) Key() string {
	if a.Acct != "" {
		return strings.ToLower(a.Acct)
	}
	return a.URI
}

// String is the form shown to people: the handle when known.
func (a Account) String() string {
	if a.Acct != "" {
		return a.Acct
	}
	return a.URI
}

// Domain is the host the account lives on (with its port, if any), or ""
// when unknown.
func (a Account) Domain() string {
	if i := strings.LastIndexByte(a.Acct, '@'); i >= 0 {
		return a.Acct[i+1:]
	}
	if u, err := url.Parse(a.URI); err == nil {
		return u.Host
	}
	return ""
}

// acctRe accepts user@host and a bare local username. The host may carry a
// port, as development and loopback instances name their accounts
// (GoToSocial's alice@127.0.0.1:8080, Mastodon's user@localhost:3000); a
// host without a dot is accepted only with a port or as localhost.
var acctRe = regexp.MustCompile(`^[^@\s/:]+@(([^@\s/:]+\.[^@\s/:]+|localhost)(:[0-9]{1,5})?|[^@\s/:.]+:[0-9]{1,5})$|^[^@\s/:]+$`)

// ParseAccount reads a handle ("@Name@Host.example", "name@host") or an
// actor URI and normalises it the way Mastodon's importer does: spaces and a
// leading @ stripped, domain lower-cased, trailing slashes dropped.
func ParseAccount(s string) (Account, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
		u, err := url.Parse(s)
		if err != nil || u.Host == "" {
			return Account{}, false
		}
		u.Host = strings.ToLower(u.Host)
		u.Scheme = strings.ToLower(u.Scheme)
		u.Path = strings.TrimRight(u.Path, "/")
		u.Fragment = ""
		return Account{URI: u.String()}, true
	}
	s = strings.TrimPrefix(s, "@")
	if s == "" || !acctRe.MatchString(s) {
		return Account{}, false
	}
	if i := strings.LastIndexByte(s, '@'); i >= 0 {
		s = s[:i+1] + strings.ToLower(s[i+1:])
	}
	return Account{Acct: s}, true
}

// guessAcct derives user@host from an actor URI of the shape Mastodon,
// GoToSocial and Akkoma use (/users/NAME or /@NAME). It is only used to merge
// a URI from one source with a handle from another; Misskey-style ids in the
// path never match a handle, so a wrong guess merges nothing.
func guessAcct(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return ""
	}
	p := strings.Trim(u.Path, "/")
	var name string
	switch {
	case strings.HasPrefix(p, "users/") && !strings.Contains(p[len("users/"):], "/"):
		name = p[len("users/"):]
	case strings.HasPrefix(p, "@") && !strings.Contains(p, "/"):
		name = p[1:]
	default:
		return ""
	}
	if name == "" {
		return ""
	}
	return strings.ToLower(name + "@" + u.Host) // with its port, as handles have it
}

// ParseDomain normalises a domain as Mastodon's importer does (trimmed,
// lower-cased) and reports whether it can be one: handles, URIs and rows
// of several columns cannot. Whether the server can block it (a port, an
// underscore) is the plan's to judge and say, item by item, rather than
// the whole file's to fail on.
func ParseDomain(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	s = strings.TrimSuffix(s, ".")
	if s == "" || strings.ContainsAny(s, "@/ \t,") {
		return "", false
	}
	return s, true
}
