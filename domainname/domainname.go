// Package domainname puts a domain the way Mastodon stores a user's domain
// block, and says when Mastodon cannot take it.
//
// Mastodon normalises before it saves (app/models/concerns/
// domain_normalizable.rb: strip, then TagManager#normalize_domain, which is
// Addressable's normalized_host: lower case, IDNA to punycode) and then
// validates (app/validators/domain_validator.rb: every label 1 to 63
// characters of [a-z0-9-], the whole under 256). The IDNA step is
// golang.org/x/net/idna's lookup mapping with transitional processing,
// which maps as the IDNA2003 of Mastodon's libidn (idn-ruby) does: case
// and compatibility forms folded (full-width letters, ligatures), ß to
// ss, soft hyphens and joiners dropped, then punycode.
package domainname

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/idna"
)

// ErrInvalid is what Normalize's error is (errors.Is) for a domain
// Mastodon refuses; its text says why, in words for a plan.
var ErrInvalid = errors.New("not a domain Mastodon can block")

type invalidError struct{ why string }

func (e *invalidError) Error() string        { return e.why }
func (e *invalidError) Is(target error) bool { return target == ErrInvalid }

func invalid(format string, args ...any) error {
	return &invalidError{fmt.Sprintf(format, args...)}
}

// Limits of app/validators/domain_validator.rb.
const (
	maxLabel  = 63
	maxDomain = 255
)

// Normalize returns d as Mastodon stores it (lower case, punycode), or an
// ErrInvalid error that says why Mastodon would refuse it.
func Normalize(d string) (string, error) {
	d = strings.TrimSpace(d)
	// A final dot names the same domain (the DNS root).
	d = strings.TrimSuffix(d, ".")
	if d == "" {
		return "", invalid("it is empty")
	}
	if host, port, ok := strings.Cut(d, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
		return "", invalid("%q has a port (%s), which is not part of a domain", host, port)
	}
	labels := strings.Split(d, ".")
	for i, l := range labels {
		a, err := label(l)
		if err != nil {
			return "", err
		}
		labels[i] = a
	}
	out := strings.Join(labels, ".")
	if len(out) > maxDomain {
		return "", invalid("it is longer than %d characters", maxDomain)
	}
	return out, nil
}

// label is one label in ASCII: lower case, and punycode when it is not
// ASCII already.
func label(l string) (string, error) {
	if l == "" {
		return "", invalid("it has an empty label (two dots in a row)")
	}
	// A label this long cannot come out under the limit: refused before
	// the mapping's work.
	if len(l) > 4*maxLabel {
		return "", invalid("the label %.20q… is longer than %d characters", l, maxLabel)
	}
	a, err := lookup.ToASCII(l)
	if err != nil {
		return "", invalid("the label %q is not a name the IDNA rules can write in ASCII", l)
	}
	l = a
	if len(l) > maxLabel {
		return "", invalid("the label %q is longer than %d characters", l, maxLabel)
	}
	for _, c := range []byte(l) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return "", invalid("the label %q has %q, and only letters, digits and hyphens are allowed", l, c)
		}
	}
	return l, nil
}

// lookup maps a label as IDNA2003 did (Transitional) and leaves the
// letters allowed to label (StrictDomainName off), which names what is
// wrong better than idna's own error.
var lookup = idna.New(idna.MapForLookup(), idna.Transitional(true), idna.StrictDomainName(false))
