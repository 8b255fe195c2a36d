package migrate

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// WriteText writes the plan as a short report for a person.
func (p *Plan) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("Plan for %s\n\n", strings.Join(p.Sources, ", "))

	ew.printf("Will be carried over\n")
	row := func(name string, n int, note string) {
		ew.printf("  %-14s %7s  %s\n", name, thousands(n), note)
	}
	im := p.Importable
	row("follows", im.Follows, "with their boosts, notify and language settings")
	row("lists", im.Lists, fmt.Sprintf("with %s members", thousands(im.ListMembers)))
	row("domain blocks", im.DomainBlocks, "")
	row("mutes", im.Mutes, "")
	row("blocks", im.Blocks, "")
	row("bookmarks", im.Bookmarks, "found again by their address")
	row("likes", im.Likes, "only with --include likes: each like notifies its author")

	ew.printf("\nCannot be carried over\n")
	for _, n := range p.NotCarried {
		count := ""
		if n.Count != nil && n.What != "profile" {
			count = " (" + thousands(*n.Count) + p.detail(n.What) + ")"
		}
		ew.printf("  %s%s\n      why: %s\n      instead: %s\n", label(n.What), count, n.Why, n.Instead)
	}

	if len(p.Warnings) > 0 {
		ew.printf("\nWorth a look\n")
		for _, wn := range p.Warnings {
			ew.printf("  ! %s\n", wn.Message)
			if len(wn.Examples) > 0 {
				more := ""
				if wn.Count > len(wn.Examples) {
					more = fmt.Sprintf(" and %s more", thousands(wn.Count-len(wn.Examples)))
				}
				ew.printf("      %s%s\n", strings.Join(wn.Examples, ", "), more)
			}
		}
	}
	if p.Target != nil {
		p.Target.writeText(ew)
	}
	if p.PostCarry != nil {
		p.PostCarry.writeText(ew)
	}
	return ew.err
}

// writeText reports the online check: per category, what is to do and
// what is already there or stands in the way, then why, then how long.
func (ch *Changes) writeText(ew *errWriter) {
	ew.printf("\nOn %s\n", ch.Account)
	ew.printf("  %-14s %7s %8s %10s %6s %10s %7s %9s\n", "", "to do", "already", "not found", "moved", "suspended", "locked", "over cap")
	for _, c := range ch.Categories {
		if c.ToDo+c.Already+c.Unresolved+c.Moved+c.Suspended+c.OverCap == 0 {
			continue
		}
		ew.printf("  %-14s %7s %8s %10s %6s %10s %7s %9s\n", label(c.Name), thousands(c.ToDo), thousands(c.Already),
			thousands(c.Unresolved), thousands(c.Moved), thousands(c.Suspended), thousands(c.Locked), thousands(c.OverCap))
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
	for _, cat := range slices.Sorted(maps.Keys(ch.Unreadable)) {
		ew.printf("  ! this server would not show its %s (%s): taken as empty\n", label(cat), ch.Unreadable[cat])
	}
	ew.printf("\nTime: %s.\n", ch.Estimate.Text)
}

// singular names one item of a category.
var singular = map[string]string{
	"follows": "follow", "lists": "list", "list_members": "list member", "bookmarks": "bookmark",
	"likes": "like", "mutes": "mute", "blocks": "block", "domain_blocks": "domain block",
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
	case what == "media":
		return " files, " + humanBytes(p.Media.Bytes)
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
