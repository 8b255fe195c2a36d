package domainname

import (
	"errors"
	"strings"
	"testing"
)

// The sample strings of RFC 3492 section 7.1 (the encoder keeps the case
// of basic characters, as the RFC's do).
func TestPunycode(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"ليهمابتكلموشعربي؟", "egbpdaj6bu4bxfgehfvwxn"},
		{"他们为什么不说中文", "ihqwcrb4cv8a8dqg056pqjye"},
		{"Pročprostěnemluvíčesky", "Proprostnemluvesky-uyb24dma41a"},
		{"なぜみんな日本語を話してくれないのか", "n8jok5ay5dzabd5bym9f0cm5685rrjetr6pdxa"},
		{"3年B組金八先生", "3B-ww4c5e180e575a65lsy2b"},
		{"安室奈美恵-with-SUPER-MONKEYS", "-with-SUPER-MONKEYS-pc58ag80a8qai00g7n9n"},
		{"bücher", "bcher-kva"},
	} {
		if got := punycode(tt.in); got != tt.want {
			t.Errorf("punycode(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

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
