package migrate

import (
	"fmt"
	"io"
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
	return ew.err
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
