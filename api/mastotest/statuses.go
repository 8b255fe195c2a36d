package mastotest

import (
	"fmt"
	"html"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Posts and media: what a migration's --include posts meets.
//
// GoToSocial 0.20 (superseriousbusiness/gotosocial):
//   - POST /api/v1/statuses with a scheduled_at in the past creates the
//     post with that date ("backfill"), not federated, no notifications;
//     it refuses replies to others, mentions of others and polls (403),
//     and answers 403 when the admin has switched backdating off
//     (instance-allow-backdating-statuses); a time 0-5 minutes ahead is a
//     422, later ones are scheduled (internal/processing/status/create.go,
//     docs/user_guide/importing_posts.md). Backdated ids are ULIDs of the
//     post's date, so they sort among the account's posts by date.
//   - POST /api/v2/media processes in the request and answers 200; focus
//     "x,y" comes back as meta.focus (internal/api/client/media/mediacreate.go).
//   - content types text/plain and text/markdown, listed in /api/v2/instance
//     configuration.statuses.supported_mime_types (internal/api/model/instance.go,
//     InstanceConfigurationStatuses).
//   - error bodies carry the status text first, "Forbidden: backdating
//     statuses has been disabled on this instance" (internal/gtserror).
//
// Mastodon (mastodon/mastodon): a scheduled_at in the past is dropped and
// the post is published at once, federated, notifying whom it mentions
// (app/services/post_status_service.rb); one less than 5 minutes ahead is
// a 422 (app/validators/scheduled_status_validator.rb); images are
// processed in the request (200), other media later (202), and
// GET /api/v1/media/:id answers 206 until done
// (app/controllers/api/v2/media_controller.rb, api/v1/media_controller.rb).

func init() {
	handle("POST", "/api/v2/media", (*Server).uploadMedia)
	handle("GET", "/api/v1/media/:id", (*Server).getMedia)
	handle("POST", "/api/v1/statuses", (*Server).createStatus)
	handle("GET", "/api/v1/accounts/:id/statuses", (*Server).accountStatuses)
}

// PostState is one post of "me" as the server holds it.
type PostState struct {
	ID          string
	CreatedAt   time.Time
	Text        string // as sent
	ContentType string
	Content     string // HTML, as rendered
	SpoilerText string
	Sensitive   bool
	Visibility  string
	Language    string
	InReplyToID string
	Media       []MediaState
	// Federated is set when the post went out to followers: a post made
	// now, or any post on Mastodon. Backdated posts are not federated.
	Federated bool
	// Mentioned are the handles the post notified.
	Mentioned []string
}

// MediaState is one uploaded file.
type MediaState struct {
	ID          string
	Size        int
	Data        []byte
	MediaType   string
	Description string
	Focus       *[2]float64
	StatusID    string // "" while unattached
	processed   bool
}

type postStore struct {
	noBackdating bool
	posts        map[string]*PostState
	order        map[string]int64 // id -> sort key
	media        map[string]*MediaState
	scheduled    int
	tie          int64
	afterPost    func(id string)
}

func (s *Server) postStore() *postStore {
	if s.posts == nil {
		s.posts = &postStore{posts: map[string]*PostState{}, order: map[string]int64{}, media: map[string]*MediaState{}}
	}
	return s.posts
}

// WithoutBackdating plays a GoToSocial whose admin switched off
// instance-allow-backdating-statuses.
func WithoutBackdating() Option {
	return func(s *Server) { s.postStore().noBackdating = true }
}

// Posts returns the account's posts, oldest first.
func (s *Server) Posts() []PostState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps := s.postStore()
	var out []PostState
	for _, p := range ps.posts {
		c := *p
		c.Media = slices.Clone(p.Media)
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return ps.order[out[i].ID] < ps.order[out[j].ID] })
	return out
}

// Scheduled is how many posts the server scheduled for later.
func (s *Server) Scheduled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.postStore().scheduled
}

// instanceConfiguration is /api/v2/instance's configuration: the
// content types GoToSocial takes for posts (internal/api/model/instance.go,
// InstanceConfigurationStatuses); Mastodon lists none
// (app/serializers/rest/instance_serializer.rb).
func (s *Server) instanceConfiguration() map[string]any {
	st := map[string]any{"max_characters": 500, "max_media_attachments": 4, "characters_reserved_per_url": 23}
	if s.flavour.GoToSocial() {
		st["max_characters"] = 5000
		st["max_media_attachments"] = 6
		st["supported_mime_types"] = []string{"text/plain", "text/markdown"}
	}
	return map[string]any{"statuses": st}
}

func (s *Server) uploadMedia(c *call) (int, any) {
	if err := c.r.ParseMultipartForm(64 << 20); err != nil {
		return http.StatusBadRequest, apiError("Bad request: " + err.Error())
	}
	f, fh, err := c.r.FormFile("file")
	if err != nil {
		return http.StatusUnprocessableEntity, apiError("Validation failed: File can't be blank")
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	m := &MediaState{ID: s.id(), Size: len(data), Data: data, MediaType: fh.Header.Get("Content-Type"),
		Description: c.r.FormValue("description"), processed: true}
	if v := c.r.FormValue("focus"); v != "" {
		x, y, ok := strings.Cut(v, ",")
		fx, err1 := strconv.ParseFloat(x, 64)
		fy, err2 := strconv.ParseFloat(y, 64)
		if !ok || err1 != nil || err2 != nil || fx < -1 || fx > 1 || fy < -1 || fy > 1 {
			return http.StatusBadRequest, apiError("Bad Request: invalid focus " + v)
		}
		m.Focus = &[2]float64{fx, fy}
	}
	s.postStore().media[m.ID] = m
	if !s.flavour.GoToSocial() && !strings.HasPrefix(m.MediaType, "image/") {
		m.processed = false
		return http.StatusAccepted, s.mediaJSON(m)
	}
	return http.StatusOK, s.mediaJSON(m)
}

func (s *Server) getMedia(c *call) (int, any) {
	m := s.postStore().media[c.ids[0]]
	if m == nil {
		return notFound()
	}
	if !m.processed {
		m.processed = true // done by the next look
		return http.StatusPartialContent, s.mediaJSON(m)
	}
	return http.StatusOK, s.mediaJSON(m)
}

func (s *Server) mediaJSON(m *MediaState) map[string]any {
	typ := "unknown"
	switch {
	case strings.HasPrefix(m.MediaType, "image/"):
		typ = "image"
	case strings.HasPrefix(m.MediaType, "video/"):
		typ = "video"
	}
	j := map[string]any{"id": m.ID, "type": typ, "description": m.Description, "meta": map[string]any{}}
	if m.processed {
		j["url"] = s.URL + "/media/" + m.ID
	}
	if m.Focus != nil {
		j["meta"] = map[string]any{"focus": map[string]float64{"x": m.Focus[0], "y": m.Focus[1]}}
	}
	return j
}

var mentionRe = regexp.MustCompile(`(?:^|[^\w/@])@([\w.]+(?:@[\w.:-]+)?)`)

func (s *Server) createStatus(c *call) (int, any) {
	ps := s.postStore()
	gts := s.flavour.GoToSocial()
	now := s.clock.Now()
	text := c.get("status")
	mediaIDs := c.form["media_ids[]"]
	if strings.TrimSpace(text) == "" && len(mediaIDs) == 0 {
		return invalid("Text can't be blank")
	}
	createdAt, backfill := now, false
	if v := c.get("scheduled_at"); v != "" {
		at, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return invalid("Scheduled at is invalid")
		}
		ahead := at.Sub(now)
		switch {
		case ahead > 0 && ahead < 5*time.Minute:
			if gts {
				return http.StatusUnprocessableEntity, apiError("Unprocessable Entity: scheduled_at must be at least 5 minutes in the future")
			}
			return invalid("Scheduled at The scheduled date must be in the future")
		case ahead >= 5*time.Minute:
			ps.scheduled++
			return http.StatusOK, map[string]any{"id": s.id(), "scheduled_at": at.UTC().Format(time.RFC3339), "params": map[string]any{"text": text}}
		case gts:
			if ps.noBackdating {
				return http.StatusForbidden, apiError("Forbidden: backdating statuses has been disabled on this instance")
			}
			createdAt, backfill = at.UTC(), true
		default:
			// Mastodon: a time in the past is dropped; published now.
		}
	}
	if gts && c.get("poll[options][]") != "" && backfill {
		return http.StatusForbidden, apiError("Forbidden: statuses with polls can't be backfilled")
	}
	var mentioned []string
	for _, m := range mentionRe.FindAllStringSubmatch(text, -1) {
		a := s.findAcct(m[1])
		if a == nil {
			continue // GoToSocial and Mastodon leave an unknown handle as text
		}
		if a.ID != c.me {
			if backfill {
				return http.StatusForbidden, apiError("Forbidden: statuses mentioning others can't be backfilled")
			}
			mentioned = append(mentioned, s.full(a.ID))
		}
	}
	replyTo := c.get("in_reply_to_id")
	if replyTo != "" {
		if ps.posts[replyTo] == nil {
			if _, ok := s.statuses[replyTo]; !ok {
				return http.StatusNotFound, apiError("Not Found: target status not found")
			}
			if backfill {
				return http.StatusForbidden, apiError("Forbidden: replies to others can't be backfilled")
			}
		}
	}
	ct := c.get("content_type")
	if gts && ct != "" && ct != "text/plain" && ct != "text/markdown" {
		return http.StatusUnprocessableEntity, apiError("Unprocessable Entity: invalid status format " + strconv.Quote(ct))
	}
	var media []*MediaState
	for _, id := range mediaIDs {
		m := ps.media[id]
		if m == nil {
			return http.StatusBadRequest, apiError(fmt.Sprintf("Bad Request: media %s not found", id))
		}
		if m.StatusID != "" {
			return http.StatusBadRequest, apiError(fmt.Sprintf("Bad Request: media %s already attached to status", id))
		}
		media = append(media, m)
	}
	p := &PostState{ID: s.id(), CreatedAt: createdAt, Text: text, ContentType: ct, Content: render(text, ct == "text/markdown"),
		SpoilerText: c.get("spoiler_text"), Sensitive: c.get("sensitive") == "true", Visibility: c.get("visibility"),
		Language: c.get("language"), InReplyToID: replyTo, Federated: !backfill, Mentioned: mentioned}
	if p.Visibility == "" {
		p.Visibility = "public"
	}
	if gts && p.SpoilerText != "" && len(media) > 0 {
		p.Sensitive = true // create.go: a CW on a post with media makes it sensitive
	}
	for _, m := range media {
		m.StatusID = p.ID
		p.Media = append(p.Media, *m)
	}
	ps.tie++
	ps.posts[p.ID] = p
	ps.order[p.ID] = createdAt.UnixMilli()*1000 + ps.tie%1000
	if ps.afterPost != nil {
		ps.afterPost(p.ID)
	}
	return http.StatusOK, s.postJSON(p)
}

func (s *Server) postJSON(p *PostState) map[string]any {
	var media []any
	for _, m := range p.Media {
		media = append(media, s.mediaJSON(&m))
	}
	if media == nil {
		media = []any{}
	}
	j := map[string]any{"id": p.ID, "uri": "https://" + s.Domain + "/users/me/statuses/" + p.ID,
		"created_at": p.CreatedAt.UTC().Format("2006-01-02T15:04:05.000Z"), "content": p.Content,
		"spoiler_text": p.SpoilerText, "sensitive": p.Sensitive, "visibility": p.Visibility,
		"language": p.Language, "in_reply_to_id": nil, "media_attachments": media, "reblog": nil}
	if p.InReplyToID != "" {
		j["in_reply_to_id"] = p.InReplyToID
	}
	return j
}

// accountStatuses pages the account's posts by id, newest first; on
// GoToSocial a backdated post's id sorts by its date.
func (s *Server) accountStatuses(c *call) (int, any) {
	if c.ids[0] != c.me {
		return http.StatusOK, []any{}
	}
	ps := s.postStore()
	var items []seqItem[map[string]any]
	for id, p := range ps.posts {
		items = append(items, seqItem[map[string]any]{seq: ps.order[id], v: s.postJSON(p)})
	}
	return http.StatusOK, page(s, c, items, 20)
}

var (
	urlRe = regexp.MustCompile(`https?://[^\s<>"]+`)
	tagRe = regexp.MustCompile(`(^|\s)#(\w+)`)
	mdRe  = regexp.MustCompile(`\[([^\]]*)\]\((https?://[^)\s]+)\)`)
)

// render turns a post's text into HTML roughly as GoToSocial's formatter
// does (internal/text): paragraphs, line breaks, links, hashtags, mentions.
func render(text string, markdown bool) string {
	var paras []string
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if strings.TrimSpace(para) == "" {
			continue
		}
		h := html.EscapeString(para)
		if markdown {
			h = mdRe.ReplaceAllString(h, `<a href="$2" rel="nofollow noreferrer noopener" target="_blank">$1</a>`)
			h = strings.NewReplacer(`\*`, "*", `\_`, "_", `\#`, "#", `\[`, "[", `\]`, "]", `\\`, `\`).Replace(h)
		} else {
			h = urlRe.ReplaceAllStringFunc(h, func(u string) string {
				return `<a href="` + u + `" rel="nofollow noreferrer noopener" target="_blank">` + u + `</a>`
			})
		}
		h = tagRe.ReplaceAllString(h, `$1<a href="https://new.example/tags/$2" class="mention hashtag" rel="tag">#<span>$2</span></a>`)
		h = strings.ReplaceAll(h, "\n", "<br>")
		paras = append(paras, "<p>"+h+"</p>")
	}
	return strings.Join(paras, "")
}

// SetBackdating switches backdating on or off, as GoToSocial's admin does
// with instance-allow-backdating-statuses (and a restart).
func (s *Server) SetBackdating(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postStore().noBackdating = !on
}

// AfterPost sets a function called with each new post's id right after the
// server made it and before it answers (with the server's lock held: it
// must not call the server). Tests kill a client there, to lose the answer
// to a post that exists.
func (s *Server) AfterPost(f func(id string)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.postStore().afterPost = f
}
