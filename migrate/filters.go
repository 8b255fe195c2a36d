package migrate

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// Filters: made whole in one request, then read back and compared field
// by field, since a server may take a filter and drop what it does not
// bind (GoToSocial made them without keywords from a form it does not
// read). A filter of the same title on the new account that lacks some
// keywords gets them added; one that differs otherwise is kept as it is.

// diffFilters adds the filters' steps, counts and problems to ch; notes
// say what is carried other than it was (an action the server lacks).
func diffFilters(ch *Changes, add func(journal.Step), x []api.Filter, have map[string]*api.Filter, caps api.Capabilities, now time.Time) {
	r := ch.category(category.Filters)
	for _, f := range x {
		want := f
		want.Keywords = nil
		for _, k := range f.Keywords {
			if n := utf8.RuneCountInString(k.Keyword); caps.FilterKeyword > 0 && n > caps.FilterKeyword {
				// The server would refuse the whole filter for it.
				ch.Problems = append(ch.Problems, Problem{Category: category.Filters, Item: f.Title + ": " + strconv.Quote(k.Keyword), Kind: "too_long",
					Reason: fmt.Sprintf("the keyword is over %d characters, the most the new server takes: the filter is carried without it", caps.FilterKeyword)})
				continue
			}
			want.Keywords = append(want.Keywords, k)
		}
		var notes []string
		if a, changed := caps.FilterAction(f.Action); changed {
			want.Action = a
			notes = append(notes, fmt.Sprintf("the filter action %s becomes %s: the new server has no %s (Mastodon has it from 4.4; GoToSocial 0.20 has none)", f.Action, a, f.Action))
		}
		if t, note := cutTitle(f.Title, caps.FilterTitle); note != "" {
			want.Title = t
			notes = append(notes, note)
		}
		note := strings.Join(notes, "; ")
		if h := have[want.Title]; h != nil {
			missing, differ := keywordGaps(want.Keywords, h.Keywords)
			if len(differ) > 0 || h.Action != want.Action || !sameSet(h.Context, want.Context) {
				ch.Problems = append(ch.Problems, Problem{Category: category.Filters, Item: f.Title, Kind: "conflict",
					Reason: "the new account has a filter of this title that differs (" + strings.Join(filterDiff(&want, h, differ), "; ") + "); it is kept"})
				continue
			}
			if len(missing) == 0 {
				r.Already++
				continue
			}
			r.ToDo++
			add(journal.Step{ID: journal.FilterID(f.Title), Op: journal.OpCreateFilter, Category: category.Filters, Item: f.Title,
				Note:  "add the keywords missing from the filter there",
				Extra: &journal.Extra{FilterID: h.ID, Filter: &api.Filter{Title: f.Title, Keywords: missing}}})
			continue
		}
		if f.ExpiresAt != nil && !f.ExpiresAt.After(now) {
			ch.Problems = append(ch.Problems, Problem{Category: category.Filters, Item: f.Title, Kind: "expired",
				Reason: "the filter expired on " + f.ExpiresAt.Format("2006-01-02")})
			continue
		}
		r.ToDo++
		if note != "" {
			ch.Notes = append(ch.Notes, "filter "+f.Title+": "+note)
		}
		add(journal.Step{ID: journal.FilterID(f.Title), Op: journal.OpCreateFilter, Category: category.Filters, Item: f.Title, Note: note, Extra: &journal.Extra{Filter: &want}})
	}
}

// sendFilter makes a filter, or adds the keywords a filter there lacks
// (Extra.FilterID), then reads it back: what did not stick is retried by
// a later run, which adds missing keywords to the filter made.
func (r *Runner) sendFilter(ctx context.Context, s journal.Step) (journal.Record, error) {
	c, f := r.Client, s.Extra.Filter
	id := s.Extra.FilterID
	var expires *time.Time
	if id == "" {
		var left time.Duration
		if f.ExpiresAt != nil {
			if left = f.ExpiresAt.Sub(r.Clock.Now()); left < time.Second {
				return journal.Record{Reason: "the filter expired while waiting"}, nil
			}
			t := r.Clock.Now().Add(left.Truncate(time.Second))
			expires = &t
		}
		made, err := c.CreateFilter(ctx, f, left)
		if err != nil {
			return journal.Record{}, err
		}
		id = made.ID
	} else {
		for _, k := range f.Keywords {
			err := c.AddFilterKeyword(ctx, id, k)
			var ae *api.Error
			if errors.As(err, &ae) && ae.Status == 409 {
				continue // GoToSocial: there already (an interrupted run); the read settles it
			}
			if err != nil {
				return journal.Record{}, err
			}
		}
	}
	got, err := c.Filter(ctx, id)
	if err != nil {
		return journal.Record{}, fmt.Errorf("reading the filter back: %w", err)
	}
	var drift []string
	if s.Extra.FilterID == "" {
		drift = filterDrift(f, got, expires)
	} else if missing, differ := keywordGaps(f.Keywords, got.Keywords); len(missing)+len(differ) > 0 {
		drift = keywordDrift(missing, differ)
	}
	if len(drift) > 0 {
		return journal.Record{Status: journal.StatusRetry, NotStuck: drift, Reason: "made, but did not stick: " + strings.Join(drift, "; ") + " (the next run adds what is missing)"}, nil
	}
	return journal.Record{Reason: s.Note}, nil
}

// filterDrift lists the fields of sent that got does not have; expires
// is when sent should end (nil: never). A server's clock may differ from
// ours by a little: the end counts as kept within a few minutes.
func filterDrift(sent, got *api.Filter, expires *time.Time) []string {
	var out []string
	if got.Title != sent.Title {
		out = append(out, fmt.Sprintf("title %q", sent.Title))
	}
	out = append(out, filterDiff(sent, got, nil)...)
	missing, differ := keywordGaps(sent.Keywords, got.Keywords)
	out = append(out, keywordDrift(missing, differ)...)
	switch {
	case expires == nil && got.ExpiresAt != nil:
		out = append(out, "no end (it ends "+got.ExpiresAt.Format(time.RFC3339)+")")
	case expires != nil && (got.ExpiresAt == nil || got.ExpiresAt.Sub(*expires).Abs() > 5*time.Minute):
		out = append(out, "the end "+expires.Format(time.RFC3339))
	}
	return out
}

// filterDiff says how have's action and contexts differ from want's, and
// which of want's keywords have another whole-word setting there.
func filterDiff(want, have *api.Filter, differ []api.FilterKeyword) []string {
	var out []string
	if have.Action != want.Action {
		out = append(out, fmt.Sprintf("action %s, not %s", have.Action, want.Action))
	}
	if !sameSet(have.Context, want.Context) {
		out = append(out, fmt.Sprintf("contexts %s, not %s", strings.Join(have.Context, ","), strings.Join(want.Context, ",")))
	}
	for _, k := range differ {
		out = append(out, fmt.Sprintf("keyword %q whole-word %t, not %t", k.Keyword, !k.WholeWord, k.WholeWord))
	}
	return out
}

// keywordDrift words the keywords that did not stick.
func keywordDrift(missing, differ []api.FilterKeyword) []string {
	var out []string
	if len(missing) > 0 {
		var ws []string
		for _, k := range missing {
			ws = append(ws, strconv.Quote(k.Keyword))
		}
		out = append(out, "keywords "+strings.Join(ws, ", "))
	}
	for _, k := range differ {
		out = append(out, fmt.Sprintf("whole-word %t for %q", k.WholeWord, k.Keyword))
	}
	return out
}

// keywordGaps returns want's keywords that have lacks, and those it has
// with another whole-word setting. Keywords match without regard to case,
// as the servers match them in posts.
func keywordGaps(want, have []api.FilterKeyword) (missing, differ []api.FilterKeyword) {
	for _, k := range want {
		i := slices.IndexFunc(have, func(h api.FilterKeyword) bool { return strings.EqualFold(h.Keyword, k.Keyword) })
		switch {
		case i < 0:
			missing = append(missing, k)
		case have[i].WholeWord != k.WholeWord:
			differ = append(differ, k)
		}
	}
	return missing, differ
}

func sameSet(a, b []string) bool {
	a, b = slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b))
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}
