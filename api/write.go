package api

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"time"

	"github.com/mattn/go-mastodon"
)

// FollowOptions are a follow's settings; nil leaves the server's default
// for a new follow and the current value for an existing one.
type FollowOptions struct {
	Reblogs   *bool
	Notify    *bool
	Languages []string
}

// Follow follows the account (go-mastodon sends no options). A locked
// account answers with Requested set.
func (c *Client) Follow(ctx context.Context, id string, o FollowOptions) (*Relationship, error) {
	q := url.Values{}
	if o.Reblogs != nil {
		q.Set("reblogs", strconv.FormatBool(*o.Reblogs))
	}
	if o.Notify != nil {
		q.Set("notify", strconv.FormatBool(*o.Notify))
	}
	for _, l := range o.Languages {
		q.Add("languages[]", l)
	}
	var r Relationship
	_, err := c.do(ctx, http.MethodPost, "/api/v1/accounts/"+url.PathEscape(id)+"/follow", q, &r)
	return &r, err
}

// Mute mutes the account; notifications says whether to mute its
// notifications too, always sent: the servers' defaults differ (Mastodon's
// accounts_controller.rb#mute: yes; GoToSocial 0.20's internal/api/
// client/accounts/mute.go: no); duration 0 is forever.
func (c *Client) Mute(ctx context.Context, id string, notifications bool, duration time.Duration) (*Relationship, error) {
	q := url.Values{"notifications": {strconv.FormatBool(notifications)}}
	if duration > 0 {
		q.Set("duration", strconv.FormatInt(int64(duration/time.Second), 10))
	}
	var r Relationship
	_, err := c.do(ctx, http.MethodPost, "/api/v1/accounts/"+url.PathEscape(id)+"/mute", q, &r)
	return &r, err
}

// Block blocks the account (which also removes follows both ways) and
// returns the relationship the server answers, read after the block
// (app/controllers/api/v1/accounts_controller.rb#block).
func (c *Client) Block(ctx context.Context, id string) (*Relationship, error) {
	rel, err := c.mc.AccountBlock(ctx, mastodon.ID(id))
	if err != nil {
		return nil, fromMastodon(http.MethodPost, "/api/v1/accounts/"+id+"/block", err)
	}
	return &Relationship{ID: string(rel.ID), Following: rel.Following, Blocking: rel.Blocking, Muting: rel.Muting}, nil
}

// Unfollow undoes a follow; Unblock and Unmute undo the above likewise.
func (c *Client) Unfollow(ctx context.Context, id string) error {
	_, err := c.mc.AccountUnfollow(ctx, mastodon.ID(id))
	return fromMastodon(http.MethodPost, "/api/v1/accounts/"+id+"/unfollow", err)
}

func (c *Client) Unblock(ctx context.Context, id string) error {
	_, err := c.mc.AccountUnblock(ctx, mastodon.ID(id))
	return fromMastodon(http.MethodPost, "/api/v1/accounts/"+id+"/unblock", err)
}

func (c *Client) Unmute(ctx context.Context, id string) error {
	_, err := c.mc.AccountUnmute(ctx, mastodon.ID(id))
	return fromMastodon(http.MethodPost, "/api/v1/accounts/"+id+"/unmute", err)
}

// BlockDomain blocks a domain (lower-case, as Mastodon stores it).
func (c *Client) BlockDomain(ctx context.Context, domain string) error {
	_, err := c.do(ctx, http.MethodPost, "/api/v1/domain_blocks", url.Values{"domain": {domain}}, nil)
	return err
}

// UnblockDomain removes a domain block.
func (c *Client) UnblockDomain(ctx context.Context, domain string) error {
	_, err := c.do(ctx, http.MethodDelete, "/api/v1/domain_blocks", url.Values{"domain": {domain}}, nil)
	return err
}

// CreateList makes a list; policy and exclusive are sent only when known
// (exclusive needs Mastodon 4.2). It returns the list as the server made
// it.
func (c *Client) CreateList(ctx context.Context, title, policy string, exclusive *bool) (*List, error) {
	var l List
	_, err := c.do(ctx, http.MethodPost, "/api/v1/lists", listForm(title, policy, exclusive), &l)
	return &l, err
}

// UpdateList sets a list's title, replies policy and exclusive flag (PUT
// /api/v1/lists/:id: Mastodon's lists_controller.rb#update, GoToSocial's
// internal/api/client/lists/listupdate.go), and returns the list as the
// server keeps it.
func (c *Client) UpdateList(ctx context.Context, id, title, policy string, exclusive *bool) (*List, error) {
	var l List
	_, err := c.do(ctx, http.MethodPut, "/api/v1/lists/"+url.PathEscape(id), listForm(title, policy, exclusive), &l)
	return &l, err
}

func listForm(title, policy string, exclusive *bool) url.Values {
	q := url.Values{"title": {title}}
	if policy != "" {
		q.Set("replies_policy", policy)
	}
	if exclusive != nil {
		q.Set("exclusive", strconv.FormatBool(*exclusive))
	}
	return q
}

// AddToList adds accounts to a list in one request. Mastodon adds all or
// none: one unknown id (404) or unfollowed account (422) fails the batch.
func (c *Client) AddToList(ctx context.Context, listID string, ids ...string) error {
	err := c.mc.AddToList(ctx, mastodon.ID(listID), toIDs(ids)...)
	return fromMastodon(http.MethodPost, "/api/v1/lists/"+listID+"/accounts", err)
}

// RemoveFromList removes accounts from a list.
func (c *Client) RemoveFromList(ctx context.Context, listID string, ids ...string) error {
	err := c.mc.RemoveFromList(ctx, mastodon.ID(listID), toIDs(ids)...)
	return fromMastodon(http.MethodDelete, "/api/v1/lists/"+listID+"/accounts", err)
}

func toIDs(ids []string) []mastodon.ID {
	out := make([]mastodon.ID, len(ids))
	for i, id := range ids {
		out[i] = mastodon.ID(id)
	}
	return out
}

// FindStatus finds a status on the instance by its URI, fetching it from
// its server if needed.
func (c *Client) FindStatus(ctx context.Context, uri string) (*Status, error) {
	var res struct {
		Statuses []*Status `json:"statuses"`
	}
	q := url.Values{"q": {uri}, "type": {"statuses"}, "resolve": {"true"}, "limit": {"1"}}
	if _, err := c.do(ctx, http.MethodGet, "/api/v2/search", q, &res); err != nil {
		return nil, err
	}
	for _, s := range res.Statuses {
		if s.URI == uri || s.URL == uri {
			return s, nil
		}
	}
	return nil, &Error{Status: http.StatusNotFound, Method: http.MethodGet, Path: "/api/v2/search", Message: "status not found: " + uri}
}

// Bookmark and Favourite act on a status found with FindStatus. Each
// returns the status as the server answers it, whose bookmarked and
// favourited it reads from its database after the write
// (app/serializers/rest/status_serializer.rb; GoToSocial's
// internal/typeutils/internaltofrontend.go).
func (c *Client) Bookmark(ctx context.Context, statusID string) (*Status, error) {
	st, err := c.mc.Bookmark(ctx, mastodon.ID(statusID))
	return fromStatus(st, fromMastodon(http.MethodPost, "/api/v1/statuses/"+statusID+"/bookmark", err))
}

func (c *Client) Favourite(ctx context.Context, statusID string) (*Status, error) {
	st, err := c.mc.Favourite(ctx, mastodon.ID(statusID))
	return fromStatus(st, fromMastodon(http.MethodPost, "/api/v1/statuses/"+statusID+"/favourite", err))
}

func fromStatus(st *mastodon.Status, err error) (*Status, error) {
	if err != nil {
		return nil, err
	}
	out := &Status{ID: string(st.ID), URI: st.URI, URL: st.URL}
	out.Bookmarked, _ = st.Bookmarked.(bool)
	out.Favourited, _ = st.Favourited.(bool)
	return out, nil
}

// Profile is a profile to set; empty pictures are left alone.
type Profile struct {
	DisplayName string
	Note        string
	Fields      []Field
	Avatar      []byte
	Header      []byte
}

// Field is one profile metadata row.
type Field struct {
	Name  string
	Value string
}

// UpdateProfileText sets the display name, the bio and, when p has any,
// the fields, in one update_credentials request.
func (c *Client) UpdateProfileText(ctx context.Context, p *Profile) error {
	form := [][2]string{{"display_name", p.DisplayName}, {"note", p.Note}}
	for i, f := range p.Fields {
		k := "fields_attributes[" + strconv.Itoa(i) + "]"
		form = append(form, [2]string{k + "[name]", f.Name}, [2]string{k + "[value]", f.Value})
	}
	return c.updateCredentials(ctx, form, "", nil)
}

// UpdateProfilePicture sets the "avatar" or the "header" alone, as a
// multipart file: GoToSocial takes pictures only so
// (internal/api/model/account.go: *multipart.FileHeader; a data URI in a
// urlencoded form binds as an empty file, which
// internal/processing/account/update.go skips, answering 200), and
// Mastodon takes them so too.
func (c *Client) UpdateProfilePicture(ctx context.Context, which string, b []byte) error {
	return c.updateCredentials(ctx, nil, which, b)
}

// updateCredentials sends form, and the file when named, as multipart.
func (c *Client) updateCredentials(ctx context.Context, form [][2]string, file string, b []byte) error {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	for _, kv := range form {
		w.WriteField(kv[0], kv[1])
	}
	if file != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="`+file+`"; filename="`+file+`"`)
		h.Set("Content-Type", http.DetectContentType(b))
		part, err := w.CreatePart(h)
		if err != nil {
			return err
		}
		part.Write(b)
	}
	if err := w.Close(); err != nil {
		return err
	}
	_, err := c.send(ctx, http.MethodPatch, "/api/v1/accounts/update_credentials", w.FormDataContentType(), &body, nil)
	return err
}
