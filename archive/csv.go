package archive

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// csvRows reads a Mastodon CSV export the way Mastodon's importer does
// (app/models/form/import.rb): a first row whose first cell is a known header
// is skipped, spaces are trimmed, extra columns are ignored. each gets the
// 1-based line number and the cells; it must name what is wrong.
func csvRows(r io.Reader, want kind, each func(line int, cells []string) error) error {
	lim := &valueLimit{r: r}
	cr := csv.NewReader(lim)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	first := true
	for {
		lim.n = 0
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return fmt.Errorf("line %d: %v", pe.Line, pe.Err)
			}
			if errors.Is(err, errValueTooLarge) {
				return fmt.Errorf("line %d: a row is larger than %d MiB", line, maxValue>>20)
			}
			return err // the archive's own error, already in words
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if first {
			first = false
			if isCSVHeader(rec[0]) {
				if err := headerFits(want, rec); err != nil {
					return fmt.Errorf("line %d: %w", line, err)
				}
				continue
			}
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		if err := each(line, rec); err != nil {
			if line == 1 && looksLikeHeader(want, rec) {
				return fmt.Errorf("line 1: %w", wrongHeader(want, rec))
			}
			return fmt.Errorf("line %d: %w", line, err)
		}
	}
}

func isCSVHeader(cell string) bool {
	switch strings.ToLower(strings.TrimPrefix(cell, "\ufeff")) {
	case "account address", "#domain", "#uri", "list name":
		return true
	}
	return false
}

// csvHeader is the header row Mastodon writes, or accepts, for each kind;
// csvWhat names what the kind holds.
var (
	csvHeader = map[kind]string{
		kindFollowingCSV: "Account address,Show boosts,Notify on new posts,Languages",
		kindMutedCSV:     "Account address,Hide notifications",
		kindBlockedCSV:   "Account address",
		kindDomainsCSV:   "#domain",
		kindBookmarksCSV: "#uri",
		kindListsCSV:     "List name,Account address",
	}
	csvWhat = map[kind]string{
		kindFollowingCSV: "follows", kindMutedCSV: "mutes", kindBlockedCSV: "blocked accounts",
		kindDomainsCSV: "blocked domains", kindBookmarksCSV: "bookmarks", kindListsCSV: "lists",
	}
)

// headerFits checks a known header row against the file's kind: a mutes
// header in following_accounts.csv would otherwise read hide-notifications
// as show-boosts.
func headerFits(want kind, rec []string) error {
	exp := strings.Split(strings.ToLower(csvHeader[want]), ",")
	for i := 0; i < len(rec) && i < len(exp) && i < 2; i++ {
		if strings.ToLower(rec[i]) != exp[i] {
			return wrongHeader(want, rec)
		}
	}
	return nil
}

// looksLikeHeader tells a header row from data: no cell holds an address,
// a domain or a URI, and it has as many columns as the file's header
// ("Friends" alone in lists.csv is a row missing its account).
func looksLikeHeader(want kind, rec []string) bool {
	if strings.Contains(csvHeader[want], ",") && len(rec) < 2 {
		return false
	}
	for _, c := range rec {
		if strings.ContainsAny(c, "@.:/") {
			return false
		}
	}
	return len(rec) > 0 && rec[0] != ""
}

func wrongHeader(want kind, rec []string) error {
	got := strings.Join(rec, ",")
	if len(got) > 120 {
		got = got[:120] + "…"
	}
	return fmt.Errorf("the header row is %q, but a file of %s (by its name) has %q; is this the right file?", got, csvWhat[want], csvHeader[want])
}

// sniffCSV tells a renamed Mastodon CSV by its header row. Headerless kinds
// (blocks, domains, bookmarks, lists) can only be told by their names.
func sniffCSV(br *bufio.Reader) kind {
	head, _ := br.Peek(256)
	line := strings.ToLower(strings.SplitN(string(head), "\n", 2)[0])
	line = strings.TrimPrefix(line, "\ufeff")
	switch {
	case strings.HasPrefix(line, "account address,show boosts"):
		return kindFollowingCSV
	case strings.HasPrefix(line, "account address,hide notifications"):
		return kindMutedCSV
	case strings.HasPrefix(line, "#domain"):
		return kindDomainsCSV
	case strings.HasPrefix(line, "#uri"):
		return kindBookmarksCSV
	case strings.HasPrefix(line, "list name"):
		return kindListsCSV
	}
	return kindUnknown
}

func cellAccount(cells []string, i int) (Account, error) {
	if i >= len(cells) || cells[i] == "" {
		return Account{}, fmt.Errorf("column %d is empty, expected an account address", i+1)
	}
	a, ok := handle(cells[i])
	if !ok {
		a, ok = ParseAccount(cells[i])
	}
	if !ok {
		return Account{}, fmt.Errorf("%q is not an account address (user@domain)", cells[i])
	}
	return a, nil
}

// handle is ParseAccount's result for the common cell, a plain ASCII
// user@host.domain, without its regular expression (most of the time of a
// large CSV). It reports false for anything else, which ParseAccount reads.
func handle(s string) (Account, bool) {
	at, dot := -1, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80, c <= ' ', c == '/', c == ':':
			return Account{}, false
		case c == '@':
			if at >= 0 || i == 0 {
				return Account{}, false
			}
			at = i
		case c == '.' && at >= 0 && i > at+1 && i < len(s)-1:
			dot = i
		case c >= 'A' && c <= 'Z' && at >= 0:
			return Account{}, false // a domain to lower-case
		}
	}
	if at < 0 || dot < 0 {
		return Account{}, false
	}
	return Account{Acct: s}, true
}

// cellBool reads an optional true/false column; nil when absent or empty.
func cellBool(cells []string, i int, name string) (*bool, error) {
	if i >= len(cells) || cells[i] == "" {
		return nil, nil
	}
	var v bool
	switch strings.ToLower(cells[i]) {
	case "true", "t", "1", "yes", "on":
		v = true
	case "false", "f", "0", "no", "off":
	default:
		return nil, fmt.Errorf("%s is %q, expected true or false", name, cells[i])
	}
	return &v, nil
}

func (b *builder) readFollowingCSV(r io.Reader) error {
	return csvRows(r, kindFollowingCSV, func(_ int, c []string) error {
		a, err := cellAccount(c, 0)
		if err != nil {
			return err
		}
		f := Follow{Account: a}
		if f.Reblogs, err = cellBool(c, 1, "Show boosts"); err != nil {
			return err
		}
		if f.Notify, err = cellBool(c, 2, "Notify on new posts"); err != nil {
			return err
		}
		if len(c) > 3 && c[3] != "" {
			f.Languages = cleanLanguages(strings.Split(c[3], ","))
		}
		b.addFollow(f)
		return nil
	})
}

func (b *builder) readMutedCSV(r io.Reader) error {
	return csvRows(r, kindMutedCSV, func(_ int, c []string) error {
		a, err := cellAccount(c, 0)
		if err != nil {
			return err
		}
		m := Mute{Account: a}
		if m.Notifications, err = cellBool(c, 1, "Hide notifications"); err != nil {
			return err
		}
		b.addMute(m)
		return nil
	})
}

func (b *builder) readBlockedCSV(r io.Reader) error {
	return csvRows(r, kindBlockedCSV, func(_ int, c []string) error {
		a, err := cellAccount(c, 0)
		if err != nil {
			return err
		}
		b.addBlock(a)
		return nil
	})
}

func (b *builder) readDomainsCSV(r io.Reader) error {
	return csvRows(r, kindDomainsCSV, func(_ int, c []string) error {
		d, ok := ParseDomain(c[0])
		if !ok {
			return fmt.Errorf("%q is not a domain", c[0])
		}
		b.addDomainBlock(d)
		return nil
	})
}

func (b *builder) readBookmarksCSV(r io.Reader) error {
	return csvRows(r, kindBookmarksCSV, func(_ int, c []string) error {
		u := c[0]
		if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
			return fmt.Errorf("%q is not a status URI", u)
		}
		b.bookmarks.add(u)
		return nil
	})
}

func (b *builder) readListsCSV(r io.Reader) error {
	return csvRows(r, kindListsCSV, func(_ int, c []string) error {
		if len(c) < 2 {
			return fmt.Errorf("expected 2 columns (list title, account address), found %d", len(c))
		}
		if c[0] == "" {
			return errors.New("list title is empty")
		}
		a, err := cellAccount(c, 1)
		if err != nil {
			return err
		}
		b.list(c[0]).addMember(a)
		return nil
	})
}
