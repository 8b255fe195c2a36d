package domainname

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalize(t *testing.T) {
	long := strings.Repeat("a", 63)
	for _, tt := range []struct {
		in, want string
		why      string // in the error, when Mastodon refuses it
	}{
		{"spam.example", "spam.example", ""},
		{"  Spam.EXAMPLE ", "spam.example", ""},
		{"spam.example.", "spam.example", ""},
		{"Bücher.example", "xn--bcher-kva.example", ""},
		{"xn--bcher-kva.example", "xn--bcher-kva.example", ""},
		{"straße.de", "strasse.de", ""},
		{"ma\u00adil.example", "mail.example", ""},
		{"例え.テスト", "xn--r8jz45g.xn--zckzah", ""},
		{"ｅｘａｍｐｌｅ.ﬁle", "example.file", ""}, // full width, a ligature: folded
		{"my-host.example", "my-host.example", ""},
		{"192.0.2.1", "192.0.2.1", ""},
		{long + ".example", long + ".example", ""},
		{"", "", "empty"},
		{" . ", "", "empty"},
		{"social.example:8080", "", "port (8080)"},
		{"under_score.example", "", `has '_'`},
		{"a..example", "", "empty label"},
		{"a" + long + ".example", "", "longer than 63"},
		{"ana@spam.example", "", `has '@'`},
		{"https://spam.example", "", "has ':'"},
		{"spam.example/path", "", `has '/'`},
		{strings.Repeat(long+".", 4) + "example", "", "longer than 255"},
	} {
		got, err := Normalize(tt.in)
		switch {
		case tt.why == "" && (err != nil || got != tt.want):
			t.Errorf("Normalize(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		case tt.why != "" && (!errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.why)):
			t.Errorf("Normalize(%q) = %q, %v; want ErrInvalid saying %q", tt.in, got, err, tt.why)
		}
	}
}
