// Package domainname puts a domain the way Mastodon stores a user's domain
// block, and says when Mastodon cannot take it.
//
// Mastodon normalises before it saves (app/models/concerns/
// domain_normalizable.rb: strip, then TagManager#normalize_domain, which is
// Addressable's normalized_host: lower case, IDNA to punycode) and then
// validates (app/validators/domain_validator.rb: every label 1 to 63
// characters of [a-z0-9-], the whole under 256). The IDNA step is done here
// with the standard library alone, since golang.org/x/net/idna is not in the
// module graph: lower case, the few IDNA2003 mappings Mastodon's libidn
// (idn-ruby) applies that lower case does not (ß to ss, final sigma, the
// characters RFC 3454 table B.1 maps to nothing), then RFC 3492 punycode.
// Compatibility forms (full-width letters, ligatures) are not folded as
// NFKC would fold them: the standard library has no Unicode normalisation.
package domainname

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
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
	// A label this long cannot come out under the limit; it also keeps
	// punycode's arithmetic small.
	if len(l) > 4*maxLabel {
		return "", invalid("the label %.20q… is longer than %d characters", l, maxLabel)
	}
	l = fold(l)
	if !isASCII(l) {
		l = "xn--" + punycode(l)
	}
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

// fold lower-cases l and applies the IDNA2003 mappings lower case misses.
func fold(l string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(l) {
		switch {
		case r == 'ß':
			b.WriteString("ss")
		case r == 'ς':
			b.WriteRune('σ')
		case mappedToNothing(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// mappedToNothing is RFC 3454 table B.1 (soft hyphen, joiners, variation
// selectors and the like).
func mappedToNothing(r rune) bool {
	switch {
	case r == 0x00AD, r == 0x034F, r == 0x1806, 0x180B <= r && r <= 0x180D,
		0x200B <= r && r <= 0x200D, r == 0x2060, 0xFE00 <= r && r <= 0xFE0F, r == 0xFEFF:
		return true
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Bootstring parameters for punycode (RFC 3492 section 5).
const (
	base        = 36
	tMin        = 1
	tMax        = 26
	skew        = 38
	damp        = 700
	initialBias = 72
	initialN    = 128
)

// punycode encodes s (RFC 3492 section 6.3), without the "xn--" prefix.
// The callers bound s, so the arithmetic cannot overflow.
func punycode(s string) string {
	runes := []rune(s)
	var out []byte
	for _, r := range runes {
		if r < utf8.RuneSelf {
			out = append(out, byte(r))
		}
	}
	basic := len(out)
	if basic > 0 {
		out = append(out, '-')
	}
	n, delta, bias := rune(initialN), 0, initialBias
	for h := basic; h < len(runes); {
		m := rune(utf8.MaxRune + 1)
		for _, r := range runes {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (h + 1)
		n = m
		for _, r := range runes {
			if r < n {
				delta++
			}
			if r != n {
				continue
			}
			q := delta
			for k := base; ; k += base {
				t := min(max(k-bias, tMin), tMax)
				if q < t {
					break
				}
				out = append(out, digit(t+(q-t)%(base-t)))
				q = (q - t) / (base - t)
			}
			out = append(out, digit(q))
			bias = adapt(delta, h+1, h == basic)
			delta = 0
			h++
		}
		delta++
		n++
	}
	return string(out)
}

func adapt(delta, points int, first bool) int {
	if first {
		delta /= damp
	} else {
		delta /= 2
	}
	delta += delta / points
	k := 0
	for delta > (base-tMin)*tMax/2 {
		delta /= base - tMin
		k += base
	}
	return k + (base-tMin+1)*delta/(delta+skew)
}

func digit(d int) byte {
	if d < 26 {
		return byte('a' + d)
	}
	return byte('0' + d - 26)
}
