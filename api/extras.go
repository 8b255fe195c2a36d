package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// What the exports leave behind and the API shows on the old account:
// followed and featured hashtags, endorsements, private notes (on
// relationships, see Relationship.Note), filters and mute expiry.

// Tag is a hashtag (app/serializers/rest/tag_serializer.rb).
type Tag struct {
	Name      string `json:"name"`
	Following bool   `json:"following"`
}

// FeaturedTag is a hashtag shown on the profile
// (app/serializers/rest/featured_tag_serializer.rb).
type FeaturedTag struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Filter is a v2 filter with its keywords (app/serializers/rest/
// filter_serializer.rb). Statuses filtered one by one are not carried:
// their ids belong to the old instance.
type Filter struct {
	ID        string          `json:"id"`
	Title     string          `json:"title"`
	Context   []string        `json:"context"`
	ExpiresAt *time.Time      `json:"expires_at"`
	Action    string          `json:"filter_action"`
	Keywords  []FilterKeyword `json:"keywords"`
}

// FilterKeyword is one word or phrase of a filter.
type FilterKeyword struct {
	Keyword   string `json:"keyword"`
	WholeWord bool   `json:"whole_word"`
}

// FollowedTags lists the hashtags the account follows
// (GET /api/v1/followed_tags, paginated by Link header).
func (c *Client) FollowedTags(ctx context.Context) iter.Seq2[*Tag, error] {
	return pages[*Tag](ctx, c, "/api/v1/followed_tags", limit(200))
}

// FollowTag follows a hashtag; following it again is harmless. It returns
// the tag as the server answers, whose following it reads after the
// follow (app/controllers/api/v1/tags_controller.rb#follow renders the
// tag with TagRelationshipsPresenter; GoToSocial's
// internal/processing/tags/follow.go).
func (c *Client) FollowTag(ctx context.Context, name string) (*Tag, error) {
	var t Tag
	_, err := c.do(ctx, http.MethodPost, "/api/v1/tags/"+url.PathEscape(name)+"/follow", nil, &t)
	return &t, err
}

// FeaturedTags lists the hashtags featured on the profile (not paginated).
func (c *Client) FeaturedTags(ctx context.Context) ([]*FeaturedTag, error) {
	var ts []*FeaturedTag
	_, err := c.do(ctx, http.MethodGet, "/api/v1/featured_tags", nil, &ts)
	return ts, err
}

// FeatureTag features a hashtag on the profile. Its answer is the record
// as built, not read again: FeaturedTags reads it back.
func (c *Client) FeatureTag(ctx context.Context, name string) error {
	_, err := c.do(ctx, http.MethodPost, "/api/v1/featured_tags", url.Values{"name": {name}}, nil)
	return err
}

// Endorsements lists the accounts featured on the profile.
func (c *Client) Endorsements(ctx context.Context) iter.Seq2[*Account, error] {
	return pages[*Account](ctx, c, "/api/v1/endorsements", limit(accountsPage))
}

// Endorse features an account on the profile. Mastodon 4.4 renamed
// POST /api/v1/accounts/:id/pin to /endorse (config/routes/api.rb keeps
// pin as an alias there; earlier versions have only pin). The version
// chooses which is tried first; a 404, 405 or 501 tries the other. A 404
// for the record rather than the route costs one request more and ends
// the same way; telling the two apart would take the server's words.
//
// It returns the relationship the server answers, read after the write
// (app/controllers/api/v1/accounts/endorsements_controller.rb#create).
func (c *Client) Endorse(ctx context.Context, id string) (*Relationship, error) {
	paths := []string{"endorse", "pin"}
	if s := c.Server(ctx); s.Software == "mastodon" && !versionAtLeast(s.Version, "4.4") {
		paths = []string{"pin", "endorse"}
	}
	var err error
	for _, p := range paths {
		var rel Relationship
		_, err = c.do(ctx, http.MethodPost, "/api/v1/accounts/"+url.PathEscape(id)+"/"+p, nil, &rel)
		var ae *Error
		if !errors.As(err, &ae) || ae.Status != http.StatusNotFound && ae.Status != http.StatusMethodNotAllowed && ae.Status != http.StatusNotImplemented {
			return &rel, err
		}
	}
	return nil, err
}

// SetNote sets the private note on an account ("" removes it) and
// returns the relationship the server answers, read after the write:
// Mastodon's accounts/notes_controller.rb#create renders it through
// AccountRelationshipsPresenter, GoToSocial's processing/account/note.go
// through RelationshipGet.
func (c *Client) SetNote(ctx context.Context, id, note string) (*Relationship, error) {
	var rel Relationship
	_, err := c.do(ctx, http.MethodPost, "/api/v1/accounts/"+url.PathEscape(id)+"/note", url.Values{"comment": {note}}, &rel)
	return &rel, err
}

// Filters lists the v2 filters with their keywords (not paginated).
func (c *Client) Filters(ctx context.Context) ([]*Filter, error) {
	var fs []*Filter
	_, err := c.do(ctx, http.MethodGet, "/api/v2/filters", nil, &fs)
	return fs, err
}

// CreateFilter makes a v2 filter with its keywords in one request and
// returns it as the server made it; expiresIn 0 is forever. The body is
// JSON, the one shape both servers bind alike: GoToSocial binds form
// keywords only as keywords_attributes[][keyword] (an indexed
// keywords_attributes[0][keyword] makes a filter without keywords,
// internal/api/model/filterv2.go), and Rack pairs that unindexed form's
// keyword and whole_word only in the body's order, which url.Values
// does not keep (app/controllers/api/v2/filters_controller.rb).
func (c *Client) CreateFilter(ctx context.Context, f *Filter, expiresIn time.Duration) (*Filter, error) {
	type keyword struct {
		Keyword   string `json:"keyword"`
		WholeWord bool   `json:"whole_word"`
	}
	req := struct {
		Title     string    `json:"title"`
		Context   []string  `json:"context"`
		Action    string    `json:"filter_action,omitempty"`
		ExpiresIn int64     `json:"expires_in,omitempty"`
		Keywords  []keyword `json:"keywords_attributes,omitempty"`
	}{Title: f.Title, Context: f.Context, Action: f.Action, ExpiresIn: int64(expiresIn / time.Second)}
	for _, k := range f.Keywords {
		req.Keywords = append(req.Keywords, keyword(k))
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	var out Filter
	_, err = c.send(ctx, http.MethodPost, "/api/v2/filters", "application/json", bytes.NewReader(body), &out)
	return &out, err
}

// Filter reads one v2 filter with its keywords.
func (c *Client) Filter(ctx context.Context, id string) (*Filter, error) {
	var f Filter
	_, err := c.do(ctx, http.MethodGet, "/api/v2/filters/"+url.PathEscape(id), nil, &f)
	return &f, err
}

// AddFilterKeyword adds a keyword to a filter (POST
// /api/v2/filters/:id/keywords: app/controllers/api/v2/filters/
// keywords_controller.rb; GoToSocial's filterkeywordpost.go binds the
// same keyword and whole_word).
func (c *Client) AddFilterKeyword(ctx context.Context, filterID string, k FilterKeyword) error {
	q := url.Values{"keyword": {k.Keyword}, "whole_word": {strconv.FormatBool(k.WholeWord)}}
	_, err := c.do(ctx, http.MethodPost, "/api/v2/filters/"+url.PathEscape(filterID)+"/keywords", q, nil)
	return err
}

// SourceProfile is the profile as verify_credentials shows it to its
// owner: the plain-text bio and fields are under source
// (app/serializers/rest/credential_account_serializer.rb).
type SourceProfile struct {
	DisplayName  string `json:"display_name"`
	Locked       bool   `json:"locked"`
	Bot          bool   `json:"bot"`
	Discoverable *bool  `json:"discoverable"`
	Avatar       string `json:"avatar"` // URLs of the pictures
	Header       string `json:"header"`
	Source       struct {
		Note      string  `json:"note"`
		Fields    []Field `json:"fields"`
		Privacy   string  `json:"privacy"`
		Sensitive bool    `json:"sensitive"`
		Language  string  `json:"language"`
	} `json:"source"`
}

// SourceProfile reads the account's own profile with its settings.
func (c *Client) SourceProfile(ctx context.Context) (*SourceProfile, error) {
	var p SourceProfile
	_, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/verify_credentials", nil, &p)
	return &p, err
}

// ProfileSettings are the profile's switches and posting defaults; nil
// and "" leave a setting alone.
type ProfileSettings struct {
	Locked, Bot, Discoverable, Sensitive *bool
	Privacy, Language                    string
}

// UpdateProfileSettings sets them in one update_credentials request
// (go-mastodon's profile has no bot or discoverable).
func (c *Client) UpdateProfileSettings(ctx context.Context, s *ProfileSettings) error {
	q := url.Values{}
	for k, v := range map[string]*bool{"locked": s.Locked, "bot": s.Bot, "discoverable": s.Discoverable, "source[sensitive]": s.Sensitive} {
		if v != nil {
			q.Set(k, strconv.FormatBool(*v))
		}
	}
	if s.Privacy != "" {
		q.Set("source[privacy]", s.Privacy)
	}
	if s.Language != "" {
		q.Set("source[language]", s.Language)
	}
	_, err := c.do(ctx, http.MethodPatch, "/api/v1/accounts/update_credentials", q, nil)
	return err
}

// FetchPicture downloads a public picture (an avatar, a header) with hc,
// never with a token: pictures are often on another host (a CDN). It
// reads at most max bytes.
func FetchPicture(ctx context.Context, hc *http.Client, rawURL string, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &Error{Status: resp.StatusCode, Method: http.MethodGet, Path: req.URL.Path}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("the picture at %s is over %d bytes", req.URL.Redacted(), max)
	}
	return b, nil
}
