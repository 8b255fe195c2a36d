package migrate

import (
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
)

func TestPostText(t *testing.T) {
	tests := []struct {
		name, html string
		o          textOptions
		want       string
	}{
		{"paragraphs and breaks", "<p>one<br>two<br />three</p><p>four</p>", textOptions{}, "one\ntwo\nthree\n\nfour"},
		{"a URL as Mastodon shows it",
			`<p>see <a href="https://example.com/a/very/long/path" rel="nofollow"><span class="invisible">https://</span><span class="ellipsis">example.com/a/very/lo</span><span class="invisible">ng/path</span></a></p>`,
			textOptions{}, "see https://example.com/a/very/long/path"},
		{"a link with its own text", `<p><a href="https://example.org/x">this article</a></p>`, textOptions{}, "this article (https://example.org/x)"},
		{"a hashtag", `<p><a href="https://old.example/tags/go" class="mention hashtag" rel="tag">#<span>go</span></a> rocks</p>`, textOptions{}, "#go rocks"},
		{"a mention of oneself", `<p><span class="h-card"><a href="https://old.example/@alex" class="u-url mention">@<span>alex</span></a></span> hi</p>`,
			textOptions{Mentions: map[string]string{"@alex": "@me"}}, "@me hi"},
		{"entities", "<p>a &amp; b &lt;c&gt; &quot;d&quot;</p>", textOptions{}, `a & b <c> "d"`},
		{"markdown escapes", "<p># not a heading *or* _this_<br>- nor a list</p>", textOptions{Markdown: true},
			"\\# not a heading \\*or\\* \\_this\\_\\\n\\- nor a list"},
		{"markdown links", `<p><a href="https://example.org/x">this</a> and <a href="https://example.com/">example.com</a></p>`,
			textOptions{Markdown: true}, "[this](https://example.org/x) and <https://example.com/>"},
		{"a list", "<ul><li>one</li><li>two</li></ul>", textOptions{}, "- one\n- two"},
	}
	for _, tt := range tests {
		if got := postText(tt.html, tt.o); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestFingerprint: a post's text and the server's rendering of it match,
// however the server shows links.
func TestFingerprint(t *testing.T) {
	text := "Hello #fediverse\nsee https://example.com/page & this (https://example.org/x)"
	rendered := `<p>Hello <a href="https://new.example/tags/fediverse" class="mention hashtag">#<span>fediverse</span></a><br>see <a href="https://example.com/page">example.com/page</a> &amp; this (<a href="https://example.org/x">https://example.org/x</a>)</p>`
	if a, b := fingerprint(text), fingerprintHTML(rendered); a != b {
		t.Errorf("%q != %q", a, b)
	}
}

func TestSelectPosts(t *testing.T) {
	day := func(d int) time.Time { return time.Date(2021, 1, d, 0, 0, 0, 0, time.UTC) }
	entries := []postEntry{
		{ID: "b", Visibility: "public", Published: day(2), InReplyTo: "a"}, // out of order: its parent comes later
		{ID: "a", Visibility: "public", Published: day(1)},
		{ID: "c", Visibility: "private", Published: day(3)},
		{ID: "d", Visibility: "public", Published: day(4), InReplyTo: "c"}, // its parent is not carried
		{ID: "e", Visibility: "direct", Published: day(5)},
		{ID: "f", Boost: true, Published: day(6)},
		{ID: "g", Visibility: "public", Published: day(7), Poll: true},
		{ID: "h", Visibility: "public", Published: day(8), InReplyTo: "https://else/1"},
		{ID: "i", Visibility: "unlisted", Published: day(9), Others: true},
		{ID: "j", Visibility: "public"}, // no date
	}
	sel := selectPosts(entries, DefaultPostVisibilities)
	var ids []string
	for _, e := range sel.carry {
		ids = append(ids, e.ID)
	}
	if len(ids) != 2 || ids[0] != "a" || ids[1] != "b" {
		t.Errorf("carried %v, want [a b]", ids)
	}
	want := map[string]int{"not_chosen_private": 1, "thread_not_carried": 1, "direct": 1, "boosts": 1, "polls": 1, "replies_to_others": 1, "mentions_others": 1, "undated": 1}
	for k, n := range want {
		if sel.left[k] != n {
			t.Errorf("left %s: %d, want %d (%v)", k, sel.left[k], n, sel.left)
		}
	}
}

func TestBackdating(t *testing.T) {
	for _, tt := range []struct {
		srv api.Server
		ok  bool
	}{
		{api.Server{Software: "gotosocial", Version: "0.20.0"}, true},
		{api.Server{Software: "gotosocial", Version: "0.18.1"}, true},
		{api.Server{Software: "gotosocial", Version: "0.17.3"}, false},
		{api.Server{Software: "mastodon", Version: "4.5.0"}, false},
		{api.Server{Software: "akkoma", Version: "3.13.2"}, false},
		{api.Server{}, false},
	} {
		if ok, why := Backdating(tt.srv); ok != tt.ok || (!ok && why == "") {
			t.Errorf("%+v: %v %q", tt.srv, ok, why)
		}
	}
}
