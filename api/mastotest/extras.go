package mastotest

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// What the exports leave behind: followed and featured hashtags,
// endorsements, private notes and v2 filters, with the read and write
// endpoints mastomigrate uses on the old and the new account.

func init() {
	handle("GET", "/api/v1/followed_tags", (*Server).followedTags)
	handle("POST", "/api/v1/tags/:name/follow", (*Server).followTag)
	handle("GET", "/api/v1/featured_tags", (*Server).featuredTags)
	handle("POST", "/api/v1/featured_tags", (*Server).featureTag)
	handle("GET", "/api/v1/endorsements", (*Server).endorsements)
	handle("POST", "/api/v1/accounts/:id/endorse", (*Server).endorse)
	handle("POST", "/api/v1/accounts/:id/pin", (*Server).endorse)
	handle("POST", "/api/v1/accounts/:id/note", (*Server).note)
	handle("GET", "/api/v2/filters", (*Server).filters)
	handle("POST", "/api/v2/filters", (*Server).createFilter)
	handle("GET", "/api/v2/filters/:id", (*Server).filter)
	handle("POST", "/api/v2/filters/:id/keywords", (*Server).addFilterKeyword)
}

type extraState struct {
	followedTags map[string]tag // by lower-cased name
	featuredTags map[string]tag
	endorsed     map[string]int64 // account id -> seq
	notes        map[string]string
	filters      []*FilterState
	// avatarURL and headerURL are the pictures verify_credentials names.
	avatarURL, headerURL string
}

// tag is a followed or featured hashtag. Mastodon keeps the case it was
// first written in: the API shows Tag#display_name and
// FeaturedTag#display_name, the name as given (app/models/tag.rb,
// app/models/featured_tag.rb, app/serializers/rest/tag_serializer.rb);
// GoToSocial shows it lower-cased (internal/typeutils/
// internaltofrontend.go TagToAPITag).
type tag struct {
	seq  int64
	name string
}

// tagName is how the flavour shows a tag's name.
func (f Flavour) tagName(t tag) string {
	if f.GoToSocial() {
		return strings.ToLower(t.name)
	}
	return t.name
}

// addTag adds a hashtag to a set unless there, keeping its first case.
func (s *Server) addTag(set map[string]tag, name string) tag {
	k := strings.ToLower(name)
	if _, ok := set[k]; !ok {
		set[k] = tag{s.nextSeq(), name}
	}
	return set[k]
}

// ext is the extras' state, made on first use; s.mu is held.
func (s *Server) ext() *extraState {
	if s.extras == nil {
		s.extras = &extraState{followedTags: map[string]tag{}, featuredTags: map[string]tag{},
			endorsed: map[string]int64{}, notes: map[string]string{}}
	}
	return s.extras
}

// extraRoute says which of these routes a flavour has:
//   - Mastodon before 4.4 endorses with POST /api/v1/accounts/:id/pin; 4.4
//     added endorse and keeps pin beside it, both routed to
//     accounts/endorsements#create (config/routes/api.rb:
//     `post :pin, to: 'endorsements#create'`, `post :endorse, to: …`).
//   - GoToSocial 0.20 has followed tags (internal/api/client/followedtags),
//     v2 filters (internal/api/client/filters/v2) and notes
//     (internal/api/client/accounts/note.go); its featured tags answer an
//     empty list and cannot be written (internal/api/client/featuredtags
//     has only GET), and it has no endorsements at all: no module serves
//     /api/v1/endorsements or an endorse or pin route (internal/api/
//     client.go), so they answer as unknown routes, 404.
func (f Flavour) extraRoute(name string) bool {
	switch {
	case f.GoToSocial():
		switch name {
		case "POST /api/v1/featured_tags", "GET /api/v1/endorsements", "POST /api/v1/accounts/:id/endorse", "POST /api/v1/accounts/:id/pin":
			return false
		}
	case !f.mastodonAtLeast(4, 4):
		return name != "POST /api/v1/accounts/:id/endorse"
	}
	return true
}

// followedTags pages by the follow's id, 100 a page, at most 200
// (app/controllers/api/v1/followed_tags_controller.rb).
func (s *Server) followedTags(c *call) (int, any) {
	var items []seqItem[any]
	for _, t := range s.ext().followedTags {
		name := s.flavour.tagName(t)
		items = append(items, seqItem[any]{t.seq, map[string]any{"name": name, "url": "https://" + s.Domain + "/tags/" + name,
			"history": []any{}, "following": true}})
	}
	return http.StatusOK, page(s, c, items, 100)
}

// followTag is idempotent (app/controllers/api/v1/tags_controller.rb#follow
// uses TagFollow.create_with(rate_limit: true).find_or_create_by!): only a
// new tag follow spends the daily follow allowance, the same one account
// follows spend (followAllowance).
func (s *Server) followTag(c *call) (int, any) {
	name := strings.TrimPrefix(c.ids[0], "#")
	if name == "" {
		return s.flavour.recordNotFound("")
	}
	x := s.ext()
	_, repeat := x.followedTags[strings.ToLower(name)]
	if code, body, over := s.followAllowance(c, !repeat); over {
		return code, body
	}
	if c.lost {
		return http.StatusOK, map[string]any{"name": name, "following": repeat}
	}
	t := s.addTag(x.followedTags, name)
	return http.StatusOK, map[string]any{"name": s.flavour.tagName(t), "following": true}
}

// featuredTags is not paginated (app/controllers/api/v1/featured_tags_controller.rb).
func (s *Server) featuredTags(c *call) (int, any) {
	out := []any{}
	if s.flavour.GoToSocial() {
		return http.StatusOK, out // internal/api/client/featuredtags/get.go: always empty
	}
	tags := slices.SortedFunc(maps.Values(s.ext().featuredTags), func(a, b tag) int { return int(a.seq - b.seq) })
	for _, t := range tags {
		out = append(out, featuredTagJSON(t))
	}
	return http.StatusOK, out
}

func featuredTagJSON(t tag) map[string]any {
	return map[string]any{"id": strconv.FormatInt(t.seq, 10), "name": t.name, "statuses_count": 0}
}

// FeaturedTagLimit is how many hashtags an account may feature
// (app/models/featured_tag.rb, LIMIT).
const FeaturedTagLimit = 10

// hashtagName is roughly Tag::HASHTAG_NAME_RE (app/models/tag.rb): word
// characters, with at least one letter.
var hashtagName = regexp.MustCompile(`^[\p{L}\p{N}_·\x{200c}]*[\p{L}_][\p{L}\p{N}_·\x{200c}]*$`)

// featureTag validates as app/models/featured_tag.rb does: a name of
// hashtag form, not featured yet (validate_tag_uniqueness, by the
// normalised name), at most FeaturedTagLimit (validate_featured_tags_limit,
// "You have already featured the maximum number of hashtags",
// featured_tags.errors.limit in config/locales/en.yml). What a refusal
// answers depends on the version:
//   - 4.2–4.3: app/services/create_featured_tag_service.rb rescues the
//     RecordInvalid (and RecordNotUnique) and then calls e.is_a(…), a
//     method that does not exist: the NoMethodError is a 500 for every
//     refusal, a repeat included.
//   - 4.4+: the service finds or initialises the tag by its name
//     column (account.featured_tags.find_or_initialize_by(name:), the
//     name normalised only by strip and delete_prefix('#'), `normalizes
//     :name` in featured_tag.rb) and saves a new one with save!: a repeat
//     in the same case answers 200 with the existing tag; one in another
//     case is a new record that validate_tag_uniqueness refuses, like
//     any refusal the RecordInvalid's 422 (app/controllers/concerns/api/
//     error_handling.rb).
func (s *Server) featureTag(c *call) (int, any) {
	name := strings.TrimPrefix(strings.TrimSpace(c.get("name")), "#")
	x := s.ext()
	existing, repeat := x.featuredTags[strings.ToLower(name)]
	var refusal string
	switch {
	case repeat && existing.name == name && s.flavour.mastodonAtLeast(4, 4):
		return http.StatusOK, featuredTagJSON(existing)
	case name == "":
		refusal = "Name can't be blank"
	case !hashtagName.MatchString(name):
		refusal = "Name is invalid"
	case repeat:
		refusal = "Name has already been taken"
	case len(x.featuredTags) >= FeaturedTagLimit:
		refusal = "You have already featured the maximum number of hashtags"
	}
	if refusal != "" {
		if !s.flavour.mastodonAtLeast(4, 4) {
			return http.StatusInternalServerError, apiError(http.StatusText(http.StatusInternalServerError))
		}
		return invalid(refusal)
	}
	if c.lost {
		return http.StatusOK, featuredTagJSON(tag{s.nextSeq(), name}) // named, never stored
	}
	return http.StatusOK, featuredTagJSON(s.addTag(x.featuredTags, name))
}

// endorsements pages by the pin's id, 40 a page
// (app/controllers/api/v1/endorsements_controller.rb).
func (s *Server) endorsements(c *call) (int, any) {
	var items []seqItem[any]
	for id, seq := range s.ext().endorsed {
		items = append(items, seqItem[any]{seq, s.accountJSON(s.accounts[id])})
	}
	return http.StatusOK, page(s, c, items, 40)
}

// endorse needs an accepted follow: app/models/account_pin.rb validates
// the follow ("You must be already following the person you want to
// endorse", config/locales/en.yml accounts.pin_errors.following).
// Endorsing again is harmless (find_or_create_by).
func (s *Server) endorse(c *call) (int, any) {
	id := c.ids[0]
	if _, ok := s.target(id); !ok {
		return s.flavour.recordNotFound("")
	}
	if f, ok := s.follows[id]; !ok || f.requested {
		return invalid("You must be already following the person you want to endorse")
	}
	x := s.ext()
	if _, ok := x.endorsed[id]; !ok && !c.lost {
		x.endorsed[id] = s.nextSeq()
	}
	return http.StatusOK, s.relationshipJSON(id)
}

// note sets the private note, comment "" removing it
// (app/controllers/api/v1/accounts/notes_controller.rb); at most 2,000
// characters (app/models/account_note.rb).
func (s *Server) note(c *call) (int, any) {
	id := c.ids[0]
	if _, ok := s.target(id); !ok {
		return s.flavour.recordNotFound("")
	}
	text := c.get("comment")
	if len([]rune(text)) > 2000 {
		return invalid("Comment is too long (maximum is 2000 characters)")
	}
	if text == "" {
		delete(s.ext().notes, id)
	} else {
		s.ext().notes[id] = text
	}
	return http.StatusOK, s.relationshipJSON(id)
}

// extraRelationship adds endorsed and note to a relationship.
func (s *Server) extraRelationship(r map[string]any, id string) {
	x := s.ext()
	_, r["endorsed"] = x.endorsed[id]
	r["note"] = x.notes[id]
}

// FilterState is one v2 filter.
type FilterState struct {
	Title     string
	Context   []string
	Action    string
	ExpiresAt *time.Time
	Keywords  []FilterKeyword
}

// FilterKeyword is one keyword of a filter.
type FilterKeyword struct {
	Keyword   string
	WholeWord bool
}

func (f *FilterState) json(id int) map[string]any {
	kws := []any{}
	for i, k := range f.Keywords {
		kws = append(kws, map[string]any{"id": strconv.Itoa(id*100 + i), "keyword": k.Keyword, "whole_word": k.WholeWord})
	}
	return map[string]any{"id": strconv.Itoa(id), "title": f.Title, "context": f.Context, "filter_action": f.Action,
		"expires_at": f.ExpiresAt, "keywords": kws, "statuses": []any{}}
}

// filters is not paginated (app/controllers/api/v2/filters_controller.rb).
func (s *Server) filters(c *call) (int, any) {
	out := []any{}
	for i, f := range s.ext().filters {
		out = append(out, f.json(i+1))
	}
	return http.StatusOK, out
}

// filterByID finds a filter by the id its json gives (its place, from 1).
func (s *Server) filterByID(id string) (*FilterState, int, bool) {
	i, err := strconv.Atoi(id)
	x := s.ext()
	if err != nil || i < 1 || i > len(x.filters) {
		return nil, 0, false
	}
	return x.filters[i-1], i, true
}

// filter reads one filter (filters_controller.rb#show).
func (s *Server) filter(c *call) (int, any) {
	f, id, ok := s.filterByID(c.ids[0])
	if !ok {
		return s.flavour.recordNotFound("")
	}
	return http.StatusOK, f.json(id)
}

// addFilterKeyword adds one keyword from the form's keyword and
// whole_word (app/controllers/api/v2/filters/keywords_controller.rb,
// whole_word true by default; GoToSocial's filterkeywordpost.go, false
// by default, 409 for a keyword the filter has).
func (s *Server) addFilterKeyword(c *call) (int, any) {
	f, _, ok := s.filterByID(c.ids[0])
	if !ok {
		return s.flavour.recordNotFound("")
	}
	k := FilterKeyword{Keyword: c.get("keyword"), WholeWord: !s.flavour.GoToSocial()}
	if v, ok := formBool(c, "whole_word"); ok {
		k.WholeWord = v
	}
	if strings.TrimSpace(k.Keyword) == "" {
		return invalid("Keyword can't be blank")
	}
	if st, body, refused := s.flavour.filterTextRefused("keyword", k.Keyword); refused {
		return st, body
	}
	if s.flavour.GoToSocial() && slices.ContainsFunc(f.Keywords, func(h FilterKeyword) bool { return h.Keyword == k.Keyword }) {
		return gtsError(http.StatusConflict, "duplicate keyword")
	}
	f.Keywords = append(f.Keywords, k)
	return http.StatusOK, map[string]any{"id": strconv.Itoa(len(f.Keywords)), "keyword": k.Keyword, "whole_word": k.WholeWord}
}

// createFilter validates as app/models/custom_filter.rb: a title, at
// least one known context, an action the version knows
// (filterActionRefused). The request is a form, its keywords as the
// flavour binds them (filterKeywords), or JSON, which both servers bind
// alike: keywords_attributes an array of {keyword, whole_word} (Rails'
// JSON params; GoToSocial's json tags in internal/api/model/filterv2.go).
func (s *Server) createFilter(c *call) (int, any) {
	var req struct {
		Title     string   `json:"title"`
		Context   []string `json:"context"`
		Action    string   `json:"filter_action"`
		ExpiresIn int      `json:"expires_in"`
		Keywords  []struct {
			Keyword   string `json:"keyword"`
			WholeWord *bool  `json:"whole_word"`
		} `json:"keywords_attributes"`
	}
	f := &FilterState{}
	if strings.HasPrefix(c.r.Header.Get("Content-Type"), "application/json") {
		data, _ := io.ReadAll(io.LimitReader(c.r.Body, 1<<20))
		if err := json.Unmarshal(data, &req); err != nil {
			return http.StatusBadRequest, apiError("Bad Request: " + err.Error())
		}
		for _, k := range req.Keywords {
			// whole_word's default: true on Mastodon
			// (custom_filter_keyword.rb), false on GoToSocial (filterpost.go).
			ww := !s.flavour.GoToSocial()
			if k.WholeWord != nil {
				ww = *k.WholeWord
			}
			f.Keywords = append(f.Keywords, FilterKeyword{Keyword: k.Keyword, WholeWord: ww})
		}
	} else {
		req.Title, req.Action, req.Context = c.get("title"), c.get("filter_action"), c.form["context[]"]
		req.ExpiresIn, _ = strconv.Atoi(c.get("expires_in"))
		f.Keywords = s.flavour.filterKeywords(c.form)
	}
	f.Title, f.Action, f.Context = strings.TrimSpace(req.Title), req.Action, req.Context
	if f.Title == "" {
		return invalid("Title can't be blank")
	}
	if st, body, refused := s.flavour.filterTextRefused("title", f.Title); refused {
		return st, body
	}
	if len(f.Context) == 0 {
		return invalid("Context can't be blank")
	}
	for _, ctx := range f.Context {
		if !slices.Contains([]string{"home", "notifications", "public", "thread", "account"}, ctx) {
			return invalid("Context includes invalid values")
		}
	}
	if f.Action == "" {
		f.Action = "warn"
	}
	if st, body, ok := s.flavour.filterActionRefused(f.Action); !ok {
		return st, body
	}
	for _, k := range f.Keywords {
		if st, body, refused := s.flavour.filterTextRefused("keyword", k.Keyword); refused {
			return st, body
		}
	}
	if req.ExpiresIn > 0 {
		t := s.clock.Now().Add(time.Duration(req.ExpiresIn) * time.Second).UTC()
		f.ExpiresAt = &t
	}
	x := s.ext()
	x.filters = append(x.filters, f)
	return http.StatusOK, f.json(len(x.filters))
}

// Extras is the extras' state for assertions, accounts by full handle.
type Extras struct {
	FollowedTags []string
	FeaturedTags []string
	Endorsed     []string
	Notes        map[string]string
	Filters      map[string]FilterState // by title
}

// Extras returns a copy of the extras' state.
func (s *Server) Extras() Extras {
	s.mu.Lock()
	defer s.mu.Unlock()
	x := s.ext()
	out := Extras{FollowedTags: tagNames(x.followedTags), FeaturedTags: tagNames(x.featuredTags),
		Endorsed: []string{}, Notes: map[string]string{}, Filters: map[string]FilterState{}}
	for id := range x.endorsed {
		out.Endorsed = append(out.Endorsed, s.full(id))
	}
	sort.Strings(out.Endorsed)
	for id, n := range x.notes {
		out.Notes[s.full(id)] = n
	}
	for _, f := range x.filters {
		out.Filters[f.Title] = *f
	}
	return out
}

// tagNames are a set's names as given, sorted.
func tagNames(set map[string]tag) []string {
	out := []string{}
	for _, t := range set {
		out = append(out, t.name)
	}
	sort.Strings(out)
	return out
}

// SeedFollowedTag, SeedFeaturedTag, SeedEndorsement, SeedNote and
// SeedFilter set the extras directly, as the Seed methods in state.go do.
func (s *Server) SeedFollowedTag(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addTag(s.ext().followedTags, name)
}

func (s *Server) SeedFeaturedTag(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addTag(s.ext().featuredTags, name)
}

func (s *Server) SeedEndorsement(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ext().endorsed[id] = s.nextSeq()
}

func (s *Server) SeedNote(id, text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ext().notes[id] = text
}

func (s *Server) SeedFilter(f FilterState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ext().filters = append(s.ext().filters, &f)
}

// SeedBookmark and SeedFavourite mark a known post (AddStatus).
func (s *Server) SeedBookmark(statusID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.books[statusID] = s.nextSeq()
}

func (s *Server) SeedFavourite(statusID string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.favs[statusID] = s.nextSeq()
}

// ProfileSettings are the profile's switches and posting defaults, as
// update_credentials sets them and verify_credentials shows them.
type ProfileSettings struct {
	Locked, Bot, Discoverable, Sensitive bool
	Privacy, Language                    string
}

// SeedProfile sets "me"'s profile; avatar and header are the URLs
// verify_credentials gives for the pictures (a test serves them, as a
// media host apart from the instance would).
func (s *Server) SeedProfile(p Profile, avatarURL, headerURL string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.profile = p
	x := s.ext()
	x.avatarURL, x.headerURL = avatarURL, headerURL
}

// credentials adds to verify_credentials what its owner sees
// (app/serializers/rest/credential_account_serializer.rb): the profile,
// the pictures' URLs (Mastodon's missing.png when there is none), and
// source with the plain-text bio, fields and posting defaults.
func (s *Server) credentials(j map[string]any) {
	p, x := s.profile, s.ext()
	if p.DisplayName != "" {
		j["display_name"] = p.DisplayName
	}
	j["note"] = p.Note
	j["locked"], j["bot"], j["discoverable"] = p.Settings.Locked, p.Settings.Bot, p.Settings.Discoverable
	j["avatar"], j["header"] = "https://"+s.Domain+"/avatars/original/missing.png", "https://"+s.Domain+"/headers/original/missing.png"
	if x.avatarURL != "" {
		j["avatar"] = x.avatarURL
	}
	if x.headerURL != "" {
		j["header"] = x.headerURL
	}
	j["source"] = s.profileSource()
}

// profileSource is verify_credentials' source: the plain-text bio and
// fields, and the posting defaults (GoToSocial's language defaults to
// "en", internal/api/model/source.go; move.go adds its aliases).
func (s *Server) profileSource() map[string]any {
	p := s.profile
	fields := []any{}
	for _, f := range p.Fields {
		fields = append(fields, map[string]any{"name": f[0], "value": f[1]})
	}
	privacy, lang := p.Settings.Privacy, p.Settings.Language
	if privacy == "" {
		privacy = "public"
	}
	if lang == "" && s.flavour.GoToSocial() {
		lang = "en"
	}
	return map[string]any{"note": p.Note, "fields": fields, "privacy": privacy, "sensitive": p.Settings.Sensitive, "language": lang}
}

// updateSettings reads update_credentials' switches and source[…]
// defaults (app/controllers/api/v1/accounts/credentials_controller.rb).
func (s *Server) updateSettings(c *call) {
	st := &s.profile.Settings
	for k, into := range map[string]*bool{"locked": &st.Locked, "bot": &st.Bot, "discoverable": &st.Discoverable, "source[sensitive]": &st.Sensitive} {
		if v, ok := formBool(c, k); ok {
			*into = v
		}
	}
	if c.form.Has("source[privacy]") {
		st.Privacy = c.get("source[privacy]")
	}
	if c.form.Has("source[language]") {
		st.Language = c.get("source[language]")
	}
}
