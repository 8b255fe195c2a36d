// Package posttext turns a post as Mastodon stores it (HTML) into the
// text a new post is made from, and tells a post by its text whatever
// HTML a server renders it in (Fingerprint).
package posttext

import (
	"html"
	"regexp"
	"strings"
	"unicode"
)

// Options say how to write a post's text for the target.
type Options struct {
	// Markdown writes text/markdown; otherwise text/plain, which
	// GoToSocial and Mastodon link themselves (URLs, hashtags, mentions).
	Markdown bool
	// Mentions replaces a mention's text by its href: the old account's
	// own handle becomes the new one's.
	Mentions map[string]string
}

var (
	htmlTag  = regexp.MustCompile(`<(/?)([a-zA-Z][a-zA-Z0-9]*)([^>]*)>`)
	attrHref = regexp.MustCompile(`(?i)\bhref\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	attrCls  = regexp.MustCompile(`(?i)\bclass\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
	manyNL   = regexp.MustCompile(`\n{3,}`)
	anyURL   = regexp.MustCompile(`https?://[^\s<>()\[\]]+`)
)

var blockTags = map[string]bool{"p": true, "div": true, "blockquote": true, "pre": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true}

// Text turns the HTML Mastodon stores for a post (app/lib/
// text_formatter.rb: paragraphs, <br>, links with invisible spans around
// the shown part of a URL, hashtags and mentions as links) into the text
// a new post is made from, keeping paragraphs, line breaks, links (with
// their text when it is not the URL), hashtags and mentions.
func Text(s string, o Options) string {
	var out strings.Builder
	var link *strings.Builder
	var href, class string
	write := func(t string) {
		if link != nil {
			link.WriteString(t)
		} else {
			out.WriteString(t)
		}
	}
	block := func() {
		if link == nil && out.Len() > 0 {
			out.WriteString("\n\n")
		}
	}
	last := 0
	for _, m := range htmlTag.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			t := html.UnescapeString(s[last:m[0]])
			if o.Markdown && link == nil {
				t = escapeMarkdown(t)
			}
			write(t)
		}
		last = m[1]
		closing := s[m[2]:m[3]] == "/"
		name := strings.ToLower(s[m[4]:m[5]])
		attrs := s[m[6]:m[7]]
		switch {
		case name == "br":
			if o.Markdown && link == nil {
				write("\\")
			}
			write("\n")
		case blockTags[name] && !closing:
			block()
		case name == "li" && !closing:
			if out.Len() > 0 {
				out.WriteString("\n")
			}
			out.WriteString("- ")
		case name == "a" && !closing:
			href, class = attr(attrHref, attrs), attr(attrCls, attrs)
			link = &strings.Builder{}
		case name == "a" && closing && link != nil:
			shown := strings.TrimSpace(link.String())
			link = nil
			out.WriteString(linkText(shown, href, class, o))
		}
	}
	if last < len(s) {
		t := html.UnescapeString(s[last:])
		if o.Markdown {
			t = escapeMarkdown(t)
		}
		out.WriteString(t)
	}
	text := strings.ReplaceAll(out.String(), "\u00a0", " ")
	return strings.TrimSpace(manyNL.ReplaceAllString(text, "\n\n"))
}

func attr(re *regexp.Regexp, attrs string) string {
	m := re.FindStringSubmatch(attrs)
	if m == nil {
		return ""
	}
	return html.UnescapeString(strings.Trim(m[1], `"'`))
}

// linkText writes one link: a hashtag or mention as written (a mention
// by its full handle when known), a URL as the URL, other text with
// the URL after it.
func linkText(shown, href, class string, o Options) string {
	switch {
	case strings.Contains(class, "hashtag") || strings.HasPrefix(shown, "#"):
		return shown
	case strings.Contains(class, "mention") || strings.HasPrefix(shown, "@"):
		if r, ok := o.Mentions[href]; ok {
			return r
		}
		if r, ok := o.Mentions[shown]; ok {
			return r
		}
		return shown
	case href == "" || !strings.HasPrefix(href, "http"):
		return shown
	case shown == "" || sameURL(shown, href):
		if o.Markdown {
			return "<" + href + ">"
		}
		return href
	case o.Markdown:
		return "[" + escapeMarkdown(shown) + "](" + href + ")"
	}
	return shown + " (" + href + ")"
}

// sameURL says whether a link shows its own address, perhaps without
// the scheme or shortened with an ellipsis.
func sameURL(shown, href string) bool {
	strip := func(u string) string {
		u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
		return strings.TrimSuffix(strings.TrimPrefix(u, "www."), "/")
	}
	a, b := strip(shown), strip(href)
	if a == b {
		return true
	}
	a = strings.TrimSuffix(a, "…")
	return len(a) > 8 && strings.HasPrefix(b, a)
}

var mdSpecial = strings.NewReplacer(`\`, `\\`, "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "<", `\<`, ">", `\>`)
var mdLineStart = regexp.MustCompile(`(?m)^(\s*)([#+-]|\d+\.)(\s)`)

// escapeMarkdown keeps text literal in Markdown.
func escapeMarkdown(t string) string {
	t = mdSpecial.Replace(t)
	return mdLineStart.ReplaceAllString(t, `$1\$2$3`)
}

// Fingerprint is what a post's text and its rendering on any server
// share: its letters and digits, without links (servers shorten them
// differently) and without the escapes of Markdown.
func Fingerprint(text string) string {
	text = anyURL.ReplaceAllString(text, "")
	var b strings.Builder
	for _, r := range strings.ToLower(text) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// FingerprintHTML is Fingerprint for a post as a server shows it.
func FingerprintHTML(content string) string {
	return Fingerprint(Text(content, Options{}))
}
