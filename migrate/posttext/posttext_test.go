package posttext

import "testing"

func TestText(t *testing.T) {
	tests := []struct {
		name, html string
		o          Options
		want       string
	}{
		{"paragraphs and breaks", "<p>one<br>two<br />three</p><p>four</p>", Options{}, "one\ntwo\nthree\n\nfour"},
		{"a URL as Mastodon shows it",
			`<p>see <a href="https://example.com/a/very/long/path" rel="nofollow"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/lo</span><span class="invisible">ng/path</span></a></p>`,
			Options{}, "see https://example.com/a/very/long/path"},
		{"a link with its own text", `<p><a href="https://example.org/x">this article</a></p>`, Options{}, "this article (https://example.org/x)"},
		{"a hashtag", `<p><a href="https://old.example/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a> rocks</p>`, Options{}, "#go rocks"},
		{"a mention of oneself", `<p><span class="h-card"><a href="https://old.example/@alex" class="u-url mention">@<span>alex</span></a></span> hi</p>`,
			Options{Mentions: map[string]string{"@alex": "@me"}}, "@me hi"},
		{"entities", "<p>a &amp; b &lt;c&gt; &quot;d&quot;</p>", Options{}, `a & b <c> "d"`},
		{"markdown escapes", "<p># not a heading *or* _this_<br>- nor a list</p>", Options{Markdown: true},
			"\\# not a heading \\*or\\* \\_this\\_\\\n\\- nor a list"},
		{"markdown links", `<p><a href="https://example.org/x">this</a> and <a href="https://example.com/">example.com</a></p>`,
			Options{Markdown: true}, "[this](https://example.org/x) and <https://example.com/>"},
		{"a list", "<ul><li>one</li><li>two</li></ul>", Options{}, "- one\n- two"},
	}
	for _, tt := range tests {
		if got := Text(tt.html, tt.o); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestFingerprint: a post's text and the server's rendering of it match,
// however the server shows links.
func TestFingerprint(t *testing.T) {
	text := "Hello #fediverse\nsee https://example.com/page & this (https://example.org/x)"
	rendered := `<p>Hello <a href="https://new.example/tags/fediverse" class="mention hashtag">#<span>fediverse</span></a><br>see <a href="https://example.com/page">example.com/page</a> &amp; this (<a href="https://example.org/x">https://example.org/x</a>)</p>`
	if a, b := Fingerprint(text), FingerprintHTML(rendered); a != b {
		t.Errorf("%q != %q", a, b)
	}
}
