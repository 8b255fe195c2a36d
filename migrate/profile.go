package migrate

import (
	"context"
	"html"
	"regexp"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
)

// ProfileUpdate is the profile carried over with --include profile.
type ProfileUpdate struct {
	api.Profile
	// Settings, read from a live old account (source.go), go in a
	// second request; nil from exports, which do not hold them.
	Settings *api.ProfileSettings
}

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

// profile sends the profile as one step.
func (r *Runner) profile(ctx context.Context) error {
	s := Step{ID: "profile", Op: "update_profile", Category: "profile", Item: r.Target.Account}
	if rec, ok := r.Journal.Last(s.ID); ok && rec.Status == StatusDone {
		return nil
	}
	return r.step(ctx, s, func(ctx context.Context) (Record, error) {
		if err := r.Client.UpdateProfile(ctx, &r.Profile.Profile); err != nil || r.Profile.Settings == nil {
			return Record{}, err
		}
		return Record{}, r.Client.UpdateProfileSettings(ctx, r.Profile.Settings)
	})
}
