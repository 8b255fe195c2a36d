package statefile

import (
	"regexp"
	"strings"
	"testing"
)

// windowsProblem says why Windows would refuse or change name as a file
// name, or "" when it takes it as it is. It is written from Microsoft's
// rules ("Naming Files, Paths, and Namespaces"), apart from Name.
func windowsProblem(name string) string {
	switch {
	case name == "":
		return "empty"
	case regexp.MustCompile(`[\x00-\x1f<>:"/\\|?*]`).MatchString(name):
		return "a reserved character"
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return "a trailing dot or space"
	case regexp.MustCompile(`(?i)^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[0-9¹²³]|LPT[0-9¹²³]) *(\.|$)`).MatchString(name):
		return "a device name"
	}
	return ""
}

func TestName(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		// Names of earlier versions' journals stay as they were.
		{"me@new.example-0123456789abcdef.journal", "me@new.example-0123456789abcdef.journal"},
		{"Gargron@mastodon.social-0123456789abcdef.journal", "Gargron@mastodon.social-0123456789abcdef.journal"},
		{"me@new.example-from-me@old.example.move", "me@new.example-from-me@old.example.move"},
		{"me@[::1]:3000-from-me@127.0.0.1:8080.move", "me@[__1]_3000-from-me@127.0.0.1_8080.move"},    // move.JournalPath's
		{"me@127.0.0.1:8080-0123456789abcdef.journal", "me@127.0.0.1_8080-0123456789abcdef.journal"},  // journal.Path's
		{"con.x@new.example-0123456789abcdef.journal", "con_.x@new.example-0123456789abcdef.journal"}, // journal.Path's
		{"https://new.example/-d.journal", "https___new.example_-d.journal"},
		{"a\tb\x00c\x7f", "a_b_c_"},
		{`a<b>c"d|e?f*g\h`, "a_b_c_d_e_f_g_h"},
		{"name.", "name_"},
		{"name. .", "name___"},
		{"con", "con_"},
		{"CON.journal", "CON_.journal"},
		{"nul .x", "nul _.x"},
		{"com1.me@x-d.journal", "com1_.me@x-d.journal"},
		{"LPT¹", "LPT¹_"},
		{"conout$", "conout$_"},
		{"com10", "com10"},
		{"console.journal", "console.journal"},
		{"con-0123.journal", "con-0123.journal"},
		{"", "_"},
	} {
		got := Name(tt.in)
		if got != tt.want {
			t.Errorf("Name(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if p := windowsProblem(got); p != "" {
			t.Errorf("Name(%q) = %q: Windows refuses it (%s)", tt.in, got, p)
		}
	}
}
