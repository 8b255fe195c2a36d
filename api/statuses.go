package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Media is an uploaded media attachment.
type Media struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	URL         string `json:"url"` // empty while the server processes it
	Description string `json:"description"`
	Meta        struct {
		Focus *struct {
			X float64 `json:"x"`
			Y float64 `json:"y"`
		} `json:"focus"`
	} `json:"meta"`
}

// MediaUpload is one file to upload.
type MediaUpload struct {
	Data        []byte
	Filename    string
	MediaType   string // sent as the part's Content-Type; sniffed when empty
	Description string
	Focus       *[2]float64 // x, y in -1..1
}

// UploadMedia uploads a file (POST /api/v2/media, multipart) and waits
// until the server has processed it. GoToSocial processes in the request
// and answers 200 (internal/api/client/media/mediacreate.go); Mastodon
// answers 202 for what it processes later, and GET /api/v1/media/:id says
// 206 until done (app/controllers/api/v2/media_controller.rb,
// app/controllers/api/v1/media_controller.rb).
func (c *Client) UploadMedia(ctx context.Context, m MediaUpload) (*Media, error) {
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	if m.Description != "" {
		w.WriteField("description", m.Description)
	}
	if m.Focus != nil {
		w.WriteField("focus", strconv.FormatFloat(m.Focus[0], 'f', -1, 64)+","+strconv.FormatFloat(m.Focus[1], 'f', -1, 64))
	}
	ct := m.MediaType
	if ct == "" {
		ct = http.DetectContentType(m.Data)
	}
	h := textproto.MIMEHeader{}
	name := strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(m.Filename)
	h.Set("Content-Disposition", `form-data; name="file"; filename="`+name+`"`)
	h.Set("Content-Type", ct)
	part, err := w.CreatePart(h)
	if err != nil {
		return nil, err
	}
	part.Write(m.Data)
	if err := w.Close(); err != nil {
		return nil, err
	}
	var media Media
	r, err := c.send(ctx, http.MethodPost, "/api/v2/media", w.FormDataContentType(), &body, &media)
	if err != nil {
		return nil, err
	}
	for r.status == http.StatusAccepted || r.status == http.StatusPartialContent {
		if err := c.tr.clock.Sleep(ctx, time.Second); err != nil {
			return nil, err
		}
		if r, err = c.send(ctx, http.MethodGet, "/api/v1/media/"+url.PathEscape(media.ID), "", nil, &media); err != nil {
			return nil, err
		}
	}
	return &media, nil
}

// NewStatus is a post to create.
type NewStatus struct {
	Text        string
	MediaIDs    []string
	InReplyToID string
	SpoilerText string
	Sensitive   bool
	Language    string
	Visibility  string // public, unlisted, private, direct
	ContentType string // text/plain or text/markdown (GoToSocial); "" for the default
	// ScheduledAt in the past asks GoToSocial (0.18+) for a backdated
	// post. Mastodon drops a past time and publishes at once
	// (app/services/post_status_service.rb): never send one there.
	ScheduledAt *time.Time
}

// OwnStatus is a post of the account as the server shows it.
type OwnStatus struct {
	ID          string    `json:"id"`
	URI         string    `json:"uri"`
	CreatedAt   time.Time `json:"created_at"`
	Content     string    `json:"content"` // HTML
	SpoilerText string    `json:"spoiler_text"`
	Sensitive   bool      `json:"sensitive"`
	Visibility  string    `json:"visibility"`
	Language    string    `json:"language"`
	InReplyToID string    `json:"in_reply_to_id"`
	Media       []*Media  `json:"media_attachments"`
	Reblog      *struct {
		ID string `json:"id"`
	} `json:"reblog"`
	// ScheduledAt is set instead of CreatedAt when the server scheduled
	// the post for later rather than creating it.
	ScheduledAt *time.Time `json:"scheduled_at"`
}

// CreateStatus creates a post (POST /api/v1/statuses). The transport
// never repeats this request on its own: a second post is not harmless.
func (c *Client) CreateStatus(ctx context.Context, s NewStatus) (*OwnStatus, error) {
	q := url.Values{}
	q.Set("status", s.Text)
	for _, id := range s.MediaIDs {
		q.Add("media_ids[]", id)
	}
	if s.InReplyToID != "" {
		q.Set("in_reply_to_id", s.InReplyToID)
	}
	if s.SpoilerText != "" {
		q.Set("spoiler_text", s.SpoilerText)
	}
	if s.Sensitive {
		q.Set("sensitive", "true")
	}
	if s.Language != "" {
		q.Set("language", s.Language)
	}
	if s.Visibility != "" {
		q.Set("visibility", s.Visibility)
	}
	if s.ContentType != "" {
		q.Set("content_type", s.ContentType)
	}
	if s.ScheduledAt != nil {
		q.Set("scheduled_at", s.ScheduledAt.UTC().Format(time.RFC3339))
	}
	var st OwnStatus
	if _, err := c.do(ctx, http.MethodPost, "/api/v1/statuses", q, &st); err != nil {
		return nil, err
	}
	if st.CreatedAt.IsZero() && st.ScheduledAt != nil {
		return &st, fmt.Errorf("POST /api/v1/statuses: the server scheduled the post for %s instead of creating it", st.ScheduledAt.UTC().Format(time.RFC3339))
	}
	return &st, nil
}

// AccountStatuses lists an account's posts, newest first, 40 a page.
func (c *Client) AccountStatuses(ctx context.Context, accountID string) iter.Seq2[*OwnStatus, error] {
	return pages[*OwnStatus](ctx, c, "/api/v1/accounts/"+url.PathEscape(accountID)+"/statuses", limit(statusesPage))
}

// StatusContentTypes are the formats the instance takes for a post's
// text: GoToSocial lists "text/plain" and "text/markdown" in
// configuration.statuses.supported_mime_types of /api/v2/instance
// (internal/api/model/instance.go, InstanceConfigurationStatuses);
// Mastodon lists none and takes plain text. The answer is nil when the
// instance does not say.
func (c *Client) StatusContentTypes(ctx context.Context) ([]string, error) {
	var v2 struct {
		Configuration struct {
			Statuses struct {
				SupportedMimeTypes []string `json:"supported_mime_types"`
			} `json:"statuses"`
		} `json:"configuration"`
	}
	_, err := c.do(ctx, http.MethodGet, "/api/v2/instance", nil, &v2)
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnsupported) {
		// Before Mastodon 4.0 and GoToSocial 0.13: the same key in v1.
		_, err = c.do(ctx, http.MethodGet, "/api/v1/instance", nil, &v2)
	}
	if err != nil {
		return nil, err
	}
	return v2.Configuration.Statuses.SupportedMimeTypes, nil
}
