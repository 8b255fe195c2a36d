package migrate

import (
	"context"
	"fmt"
	"html"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// ProfileUpdate is the profile carried over with --include profile.
type ProfileUpdate struct {
	api.Profile
	// Settings, read from a live old account (source.go), go in a
	// second request; nil from exports, which do not hold them.
	Settings *api.ProfileSettings
}

// profileCategory is the journal's category of the profile's steps: not
// one of the registry's, as the posts' is not either.
const profileCategory = "profile"

var (
	breaks = regexp.MustCompile(`(?i)<br\s*/?>|</p>\s*<p[^>]*>`)
	tags   = regexp.MustCompile(`<[^>]*>`)
)

// plainText turns the HTML of actor.json into the plain text Mastodon's
// profile form takes (it links URLs and mentions itself).
func plainText(s string) string {
	s = breaks.ReplaceAllString(s, "\n")
	s = tags.ReplaceAllString(s, "")
	return strings.TrimSpace(html.UnescapeString(s))
}

// NewProfileUpdate reads the profile from the export: texts from
// actor.json, pictures from the archive (read returns a file's bytes).
func NewProfileUpdate(ctx context.Context, p *archive.Profile, read func(name string) ([]byte, error)) (*ProfileUpdate, error) {
	u := &ProfileUpdate{Profile: api.Profile{DisplayName: p.DisplayName, Note: plainText(p.Note)}}
	for _, f := range p.Fields {
		u.Fields = append(u.Fields, api.Field{Name: plainText(f.Name), Value: plainText(f.Value)})
	}
	for _, img := range []struct {
		name string
		into *[]byte
	}{{p.Avatar, &u.Avatar}, {p.Header, &u.Header}} {
		if img.name == "" || strings.Contains(img.name, "://") {
			continue
		}
		b, err := read(img.name)
		if err != nil {
			return nil, err
		}
		*img.into = b
	}
	return u, nil
}

// ProfileCut is a piece of the profile the new instance cannot take
// whole: cut short, or left out.
type ProfileCut struct {
	Item string // "bio", "display name", "field 5", "avatar"
	Why  string // for the report
	Left string // what did not go, word for word ("" for a picture)
	Plan string // the plan's few words: "the bio cut to 500 characters"
}

// Reason is the report's words: why, and exactly what stayed behind.
func (c ProfileCut) Reason() string {
	if c.Left == "" {
		return c.Why
	}
	return c.Why + "; left out: " + strconv.Quote(c.Left)
}

// FitProfile cuts p to what a server with limits l takes (a breach of
// any limit refuses the whole request, so nothing over is ever sent): the
// display name and field texts to their lengths, the bio to its length at
// a word with "…" at the end, the fields to their number; a picture over
// the size is left out. It returns what to send and what was cut.
func FitProfile(p *api.Profile, l api.ProfileLimits) (api.Profile, []ProfileCut) {
	fit := api.Profile{DisplayName: p.DisplayName, Note: p.Note, Avatar: p.Avatar, Header: p.Header}
	var cuts []ProfileCut
	if l.DisplayName > 0 {
		if kept, left := cutRunes(p.DisplayName, l.DisplayName); left != "" {
			fit.DisplayName = kept
			cuts = append(cuts, ProfileCut{Item: "display name", Why: fmt.Sprintf("cut to %d characters, the most the new instance takes", l.DisplayName), Left: left,
				Plan: fmt.Sprintf("the display name cut to %d characters", l.DisplayName)})
		}
	}
	if note := strings.TrimSpace(p.Note); l.Note > 0 && api.NoteLength(note) > l.Note {
		kept, left := cutNote(note, l.Note)
		fit.Note = kept
		cuts = append(cuts, ProfileCut{Item: "bio", Why: fmt.Sprintf("cut from %s to %s characters, the most the new instance takes",
			thousands(api.NoteLength(note)), thousands(l.Note)), Left: left, Plan: fmt.Sprintf("the bio cut to %d characters", l.Note)})
	}
	for i, f := range p.Fields {
		n := i + 1
		if l.Fields > 0 && i >= l.Fields {
			cuts = append(cuts, ProfileCut{Item: fmt.Sprintf("field %d", n), Why: fmt.Sprintf("the new instance takes at most %d fields", l.Fields), Left: f.Name + ": " + f.Value,
				Plan: fmt.Sprintf("field %d left out", n)})
			continue
		}
		if l.FieldText > 0 {
			name, leftName := cutRunes(f.Name, l.FieldText)
			value, leftValue := cutRunes(f.Value, l.FieldText)
			if leftName+leftValue != "" {
				cuts = append(cuts, ProfileCut{Item: fmt.Sprintf("field %d", n), Why: fmt.Sprintf("name and value cut to %d characters each, the most the new instance takes", l.FieldText),
					Left: strings.TrimPrefix(leftName+" / "+leftValue, " / "), Plan: fmt.Sprintf("field %d cut to %d characters", n, l.FieldText)})
			}
			f = api.Field{Name: name, Value: value}
		}
		fit.Fields = append(fit.Fields, f)
	}
	for _, pic := range []struct {
		name string
		b    *[]byte
	}{{"avatar", &fit.Avatar}, {"header", &fit.Header}} {
		if l.Picture > 0 && int64(len(*pic.b)) > l.Picture {
			cuts = append(cuts, ProfileCut{Item: pic.name, Why: fmt.Sprintf("not sent: %s, over the %s the new instance takes; upload a smaller one there by hand",
				HumanBytes(int64(len(*pic.b))), megabytes(l.Picture)),
				Plan: fmt.Sprintf("the %s (%s, over %s) left out", pic.name, HumanBytes(int64(len(*pic.b))), megabytes(l.Picture))})
			*pic.b = nil
		}
	}
	return fit, cuts
}

// megabytes writes a picture limit (api.ProfileLimits.Picture: at most
// n bytes, so one under a "less than" limit) as the servers set it, in
// binary megabytes (Rails' 2.megabytes, GoToSocial's 40 * bytesize.MiB).
func megabytes(n int64) string {
	for _, m := range []int64{n, n + 1} {
		if m%(1<<20) == 0 {
			return fmt.Sprintf("%d MB", m>>20)
		}
	}
	return HumanBytes(n)
}

// cutRunes splits s after n characters.
func cutRunes(s string, n int) (kept, left string) {
	r := []rune(s)
	if len(r) <= n {
		return s, ""
	}
	return string(r[:n]), string(r[n:])
}

// cutNote cuts a bio to max characters as api.NoteLength counts them,
// "…" included, at the last space when one is near.
func cutNote(s string, max int) (kept, left string) {
	r := []rune(s)
	// The longest prefix that fits: NoteLength only grows with the prefix.
	n := sort.Search(len(r)+1, func(k int) bool { return api.NoteLength(string(r[:k])+"…") > max }) - 1
	if n < 0 {
		n = 0
	}
	if sp := strings.LastIndexFunc(string(r[:n]), unicode.IsSpace); sp >= 0 {
		if k := utf8.RuneCountInString(string(r[:n])[:sp]); n-k <= 40 {
			n = k
		}
	}
	return strings.TrimRightFunc(string(r[:n]), unicode.IsSpace) + "…", strings.TrimLeftFunc(string(r[n:]), unicode.IsSpace)
}

// profilePart is one request of the profile, which can fail alone: the
// texts (with the settings), the avatar, the header.
type profilePart struct {
	step journal.Step
	send func(ctx context.Context) error
	// stuck names what the account read back after the part does not
	// show, given the account as read before it (nil unless needsBefore).
	stuck       func(before, after *api.SourceProfile) []string
	needsBefore bool
}

// profile sends what of the profile fits the new instance, in parts, and
// reads the account back after each to see that it stuck; what was cut
// or left out is journaled as skipped, with what stayed behind.
func (r *Runner) profile(ctx context.Context) error {
	caps := r.Client.Server(ctx).Capabilities()
	fit, cuts := FitProfile(&r.Profile.Profile, caps.Profile)
	for _, c := range cuts {
		s := journal.Step{ID: journal.ProfileCutID(c.Item), Op: journal.OpUpdateProfile, Category: profileCategory, Item: c.Item}
		if _, ok := r.Journal.Last(s.ID); ok {
			continue
		}
		if err := r.outcome(s, journal.Record{Status: journal.StatusSkipped, Reason: c.Reason()}); err != nil {
			return err
		}
	}
	var cur *api.SourceProfile // the account as last read
	for _, part := range r.profileParts(&fit, caps) {
		if rec, ok := r.Journal.Last(part.step.ID); ok && rec.Status == journal.StatusDone {
			continue
		}
		err := r.step(ctx, part.step, func(ctx context.Context) (journal.Record, error) {
			before := cur
			if before == nil && part.needsBefore {
				var err error
				if before, err = r.Client.SourceProfile(ctx); err != nil {
					return journal.Record{}, err
				}
			}
			if err := part.send(ctx); err != nil {
				return journal.Record{}, err
			}
			after, err := r.Client.SourceProfile(ctx)
			if err != nil {
				return journal.Record{}, err
			}
			cur = after
			if stuck := part.stuck(before, after); len(stuck) > 0 {
				return journal.Record{Status: journal.StatusRetry, Reason: "the new instance took the update but does not show " + joinAnd(stuck) + "; the next run sends it again"}, nil
			}
			return journal.Record{}, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// profileParts are the requests fit needs on a server with caps. The
// texts keep the journal id the whole profile had when it was one
// request.
func (r *Runner) profileParts(fit *api.Profile, caps api.Capabilities) []profilePart {
	c := r.Client
	parts := []profilePart{{
		step: journal.Step{ID: journal.ProfileID, Op: journal.OpUpdateProfile, Category: profileCategory, Item: "display name, bio and fields"},
		send: func(ctx context.Context) error {
			if err := c.UpdateProfileText(ctx, fit); err != nil || r.Profile.Settings == nil {
				return err
			}
			return c.UpdateProfileSettings(ctx, r.Profile.Settings)
		},
		stuck: func(_, after *api.SourceProfile) []string {
			return append(textsStuck(fit, after), settingsStuck(r.Profile.Settings, after, caps)...)
		},
	}}
	for _, pic := range []struct {
		name string
		b    []byte
		url  func(*api.SourceProfile) string
	}{
		{"avatar", fit.Avatar, func(p *api.SourceProfile) string { return p.Avatar }},
		{"header", fit.Header, func(p *api.SourceProfile) string { return p.Header }},
	} {
		if len(pic.b) == 0 {
			continue
		}
		parts = append(parts, profilePart{
			step:        journal.Step{ID: journal.ProfileImageID(pic.name), Op: journal.OpUpdateProfile, Category: profileCategory, Item: pic.name},
			send:        func(ctx context.Context) error { return c.UpdateProfilePicture(ctx, pic.name, pic.b) },
			needsBefore: true,
			stuck: func(before, after *api.SourceProfile) []string {
				if pictureLanded(pic.url(before), pic.url(after)) {
					return nil
				}
				return []string{"the new " + pic.name}
			},
		})
	}
	return parts
}

// pictureLanded tells an upload that stuck by the picture's URL: both
// servers name each uploaded file anew (Mastodon's Paperclip gives it a
// random file name, GoToSocial a new media id), so an upload that took
// changes the URL; one that was dropped leaves the previous picture, or
// the default one (defaultPicture), in place. The pixels cannot be
// compared: both servers resize and re-encode what they get.
func pictureLanded(before, after string) bool {
	return after != "" && after != before && !defaultPicture(after)
}

// textsStuck names what of the texts sent the account does not show.
// Mastodon trims the display name and bio's ends (prepare_contents);
// Mastodon drops fields left blank, GoToSocial those with an empty name
// or value. An empty display name is not checked: servers show the
// username in its place.
func textsStuck(sent *api.Profile, got *api.SourceProfile) []string {
	var stuck []string
	if name := strings.TrimSpace(sent.DisplayName); name != "" && strings.TrimSpace(got.DisplayName) != name {
		stuck = append(stuck, "the display name")
	}
	if strings.TrimSpace(got.Source.Note) != strings.TrimSpace(sent.Note) {
		stuck = append(stuck, "the bio")
	}
	// Compared without rows either server may drop as blank.
	filled := func(fs []api.Field) []api.Field {
		return slices.DeleteFunc(slices.Clone(fs), func(f api.Field) bool { return f.Name == "" || f.Value == "" })
	}
	if len(sent.Fields) > 0 && !slices.Equal(filled(sent.Fields), filled(got.Source.Fields)) {
		stuck = append(stuck, "the fields")
	}
	return stuck
}

// settingsStuck names the settings sent (nil and "" are not sent) that
// the account does not show, where the server is known to show them all
// (api.Capabilities.ProfileSettings). GoToSocial stores the language as
// its canonical tag (internal/validate/formvalidation.go Language:
// "en-us" comes back "en-US"), so languages compare without case.
func settingsStuck(sent *api.ProfileSettings, got *api.SourceProfile, caps api.Capabilities) []string {
	if sent == nil || !caps.ProfileSettings {
		return nil
	}
	var stuck []string
	for _, b := range []struct {
		name      string
		sent, got *bool
	}{
		{"locked", sent.Locked, &got.Locked},
		{"bot", sent.Bot, &got.Bot},
		{"discoverable", sent.Discoverable, got.Discoverable},
		{"sensitive by default", sent.Sensitive, &got.Source.Sensitive},
	} {
		if b.sent != nil && (b.got == nil || *b.got != *b.sent) {
			stuck = append(stuck, b.name+" "+onOff(*b.sent))
		}
	}
	if sent.Privacy != "" && got.Source.Privacy != sent.Privacy {
		stuck = append(stuck, "default privacy "+sent.Privacy)
	}
	if sent.Language != "" && !strings.EqualFold(got.Source.Language, sent.Language) {
		stuck = append(stuck, "default language "+sent.Language)
	}
	return stuck
}

// WarnProfile warns, before anything is sent, of what of u the target
// (caps) will not take whole.
func (p *Plan) WarnProfile(u *ProfileUpdate, caps api.Capabilities) {
	_, cuts := FitProfile(&u.Profile, caps.Profile)
	if len(cuts) == 0 {
		return
	}
	var what []string
	for _, c := range cuts {
		what = append(what, c.Plan)
	}
	p.Warnings = append(p.Warnings, Warning{Code: "profile_cut", Count: len(cuts),
		Message: fmt.Sprintf("The new instance (%s) takes only part of the profile: %s; the rest is sent, and the report then says word for word what stayed behind.",
			caps.Name, strings.Join(what, ", "))})
}
