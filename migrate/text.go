package migrate

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/posts"
)

// TextOptions shape the plan for a person: Width is the terminal's (80
// when 0), and Explain gives each thing that cannot be carried over its
// full why and what to do instead, rather than one line.
type TextOptions struct {
	Width   int
	Explain bool
}

// csvName is the CSV export that holds each category, for the line that
// says where to download what the exports given lack.
var csvName = map[category.Category]string{
	category.Follows: "following_accounts.csv", category.Lists: "lists.csv", category.Mutes: "muted_accounts.csv",
	category.Blocks: "blocked_accounts.csv", category.DomainBlocks: "blocked_domains.csv", category.Bookmarks: "bookmarks.csv",
	category.Likes: "likes.json, in the archive", "profile": "actor.json, in the archive",
}

// WriteText writes the plan as a short report for a person, 80 columns wide.
func (p *Plan) WriteText(w io.Writer) error { return p.WriteTextWith(w, TextOptions{}) }

// WriteTextWith writes the plan as a report for a person.
func (p *Plan) WriteTextWith(w io.Writer, o TextOptions) error {
	if o.Width <= 0 {
		o.Width = 80
	}
	ew := &errWriter{w: w}
	para := func(first, rest, text string) { ew.printf("%s", wrap(text, first, rest, o.Width)) }
	para("", "  ", "Plan for "+strings.Join(p.Sources, ", "))
	if len(p.Ignored) > 0 {
		shown := p.Ignored
		if len(shown) > 8 {
			shown = append(shown[:8:8], fmt.Sprintf("and %s more", thousands(len(p.Ignored)-8)))
		}
		para("", "  ", "Ignored (not exports): "+strings.Join(shown, ", "))
	}
	missing := map[category.Category]bool{}
	for _, c := range p.NotInExports {
		missing[category.Category(c)] = true
	}

	ew.printf("\nWill be carried over\n")
	row := func(cat category.Category, name string, n int, note string) {
		count := thousands(n)
		if missing[cat] {
			count = "-"
			note = "not in the exports given"
			if f := csvName[cat]; f != "" {
				note += " (" + f + ")"
			}
		}
		para(fmt.Sprintf("  %-14s %7s  ", name, count), strings.Repeat(" ", 26), note)
	}
	im := p.Importable
	row(category.Follows, "follows", im.Follows, "with their boosts, notify and language settings")
	row(category.Lists, "lists", im.Lists, fmt.Sprintf("with %s", plural(im.ListMembers, "member")))
	row(category.DomainBlocks, "domain blocks", im.DomainBlocks, "")
	row(category.Mutes, "mutes", im.Mutes, "")
	row(category.Blocks, "blocks", im.Blocks, "")
	row(category.Bookmarks, "bookmarks", im.Bookmarks, "found again by their address")
	p.extraRows(row) // extras.go
	if p.Includes("likes") {
		row(category.Likes, "likes", im.Likes, "each like notifies its author")
	} else {
		row(category.Likes, "likes", im.Likes, "only with --include likes (each like notifies its author)")
	}
	if p.Includes("profile") {
		row("profile", "profile", im.Profile, "display name, bio, fields, avatar and header")
	} else {
		row("profile", "profile", im.Profile, "only with --include profile: display name, bio, fields, avatar and header")
	}
	var noCSV []string
	for _, c := range []category.Category{category.Follows, category.Lists, category.Mutes, category.Blocks, category.DomainBlocks, category.Bookmarks} {
		if missing[c] {
			noCSV = append(noCSV, label(string(c)))
		}
	}
	if len(noCSV) > 0 {
		ew.printf("\n")
		para("", "", fmt.Sprintf("Your %s come only from the CSV exports, which the exports given do not include: "+
			"download them on your old instance under Preferences > Import and export > Data export, and name them too.",
			joinAnd(noCSV)))
	}

	if len(p.Warnings) > 0 {
		ew.printf("\nWorth a look\n")
		for _, wn := range p.Warnings {
			para("  ! ", "    ", wn.Message)
			if len(wn.Examples) > 0 {
				more := ""
				if wn.Count > len(wn.Examples) {
					more = fmt.Sprintf(" and %s more", thousands(wn.Count-len(wn.Examples)))
				}
				para("      ", "      ", strings.Join(wn.Examples, ", ")+more)
			}
		}
	}

	ew.printf("\nCannot be carried over\n")
	for _, n := range p.NotCarried {
		count := ""
		switch {
		case n.Count != nil:
			count = " (" + thousands(*n.Count) + p.detail(n.What) + ")"
		case (n.What == "toots" || n.What == "boosts") && missing["posts"], n.What == "media" && p.Media == nil:
			count = " (not in the exports given)"
		}
		if o.Explain {
			para("  ", "  ", label(n.What)+count)
			para("      why: ", "           ", n.Why)
			para("      instead: ", "               ", n.Instead)
		} else {
			para("  ", "      ", label(n.What)+count+": "+n.Why)
		}
	}
	if !o.Explain {
		ew.printf("\n")
		para("", "", "`mastomigrate plan --explain` says what to do instead of each.")
	}
	if p.Target != nil {
		p.Target.writeText(ew)
	}
	if p.PostCarry != nil {
		writePosts(ew, p.PostCarry)
	}
	return ew.err
}

// writePosts adds the posts section to the plan's text.
func writePosts(ew *errWriter, pp *posts.Plan) {
	ew.printf("\nPosts on %s\n", pp.Server)
	if !pp.Possible {
		ew.printf("  posts: cannot be carried over: %s\n", pp.Why)
		return
	}
	media := ""
	if pp.Media > 0 {
		media = fmt.Sprintf(", with %s", plural(pp.Media, "media file"))
	}
	ew.printf("  posts: %s can be carried (backdated, not federated)%s; %s, with --include posts\n",
		thousands(pp.Carry), media, strings.Join(pp.Visibilities, ", "))
	for _, l := range pp.Left {
		stay := "stay"
		if l.Count == 1 {
			stay = "stays"
		}
		ew.printf("  ! %s %s %s in the archive: %s\n", thousands(l.Count), l.What, stay, l.Why)
	}
	if pp.Estimate != "" {
		ew.printf("  Time: %s.\n", pp.Estimate)
	}
}

// wrap breaks text into lines of at most width columns (a word longer
// than a line stays whole), the first line starting with first and the
// others with rest.
func wrap(text, first, rest string, width int) string {
	var b strings.Builder
	line := first
	n := utf8.RuneCountInString(first)
	empty := true
	for _, word := range strings.Fields(text) {
		wl := utf8.RuneCountInString(word)
		if !empty && n+1+wl > width {
			b.WriteString(line + "\n")
			line, n, empty = rest, utf8.RuneCountInString(rest), true
		}
		if !empty {
			line += " "
			n++
		}
		line += word
		n += wl
		empty = false
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

// joinAnd writes "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// writeText reports the online check: per category, what is to do and
// what is already there or stands in the way, then why, then how long.
func (ch *Changes) writeText(ew *errWriter) {
	ew.printf("\nOn %s\n", ch.Account)
	ew.printf("  %-14s %7s %8s %8s %10s %6s %10s %7s %9s\n", "", "to do", "already", "pending", "not found", "moved", "suspended", "locked", "over cap")
	for _, c := range ch.Categories {
		if c.ToDo+c.Already+c.Pending+c.Unresolved+c.Moved+c.Suspended+c.OverCap == 0 {
			continue
		}
		ew.printf("  %-14s %7s %8s %8s %10s %6s %10s %7s %9s\n", label(string(c.Name)), thousands(c.ToDo), thousands(c.Already), thousands(c.Pending),
			thousands(c.Unresolved), thousands(c.Moved), thousands(c.Suspended), thousands(c.Locked), thousands(c.OverCap))
	}
	if n := ch.category(category.Follows).Pending; n > 0 {
		ew.printf("  %s sent before and not yet accepted: not sent again; they count once accepted\n", plural(n, "follow request"))
	}
	shown := 0
	for _, pr := range ch.Problems {
		if shown == 20 {
			ew.printf("  … and %s more (see --json)\n", thousands(len(ch.Problems)-shown))
			break
		}
		ew.printf("  ! %s %s: %s\n", singular[pr.Category], pr.Item, pr.Reason)
		shown++
	}
	for _, n := range ch.Notes {
		ew.printf("  note: %s\n", n)
	}
	for _, cat := range slices.Sorted(maps.Keys(ch.Unreadable)) {
		ew.printf("  ! this server has no %s API (%s): they will be skipped\n", label(cat), ch.Unreadable[cat])
	}
	ew.printf("\nTime: %s.\n", ch.Estimate.Text)
}

// singular names one item of a category.
var singular = map[category.Category]string{
	category.Follows: "follow", category.Lists: "list", category.ListMembers: "list member", category.Bookmarks: "bookmark",
	category.Likes: "like", category.Mutes: "mute", category.Blocks: "block", category.DomainBlocks: "domain block",
	category.Notes: "note on", category.Filters: "filter",
}

// label is how a NotCarried.What reads in a sentence.
func label(what string) string {
	if what == "other_peoples_media" {
		return "other people's media"
	}
	return strings.ReplaceAll(what, "_", " ")
}

// detail adds the breakdown people ask about after a count.
func (p *Plan) detail(what string) string {
	switch {
	case what == "toots" && p.Posts != nil:
		return fmt.Sprintf(": %s public, %s unlisted, %s followers-only, %s direct",
			thousands(p.Posts.Public), thousands(p.Posts.Unlisted), thousands(p.Posts.FollowersOnly), thousands(p.Posts.Direct))
	case what == "media" && p.Media != nil:
		return " files, " + HumanBytes(p.Media.Bytes)
	}
	return ""
}

// errWriter keeps the first write error so a report can be written
// without checking every line.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, a ...any) {
	fmt.Fprintf(e, format, a...)
}
