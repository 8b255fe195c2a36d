package mastotest

import (
	"encoding/base64"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mastomigrate/mastomigrate/domainname"
)

func init() {
	handle("GET", "/api/v2/instance", (*Server).instance).public = true
	handle("GET", "/api/v1/accounts/verify_credentials", (*Server).verifyCredentials)
	handle("GET", "/api/v1/accounts/lookup", (*Server).lookup)
	handle("GET", "/api/v1/accounts/relationships", (*Server).relationships)
	handle("GET", "/api/v2/search", (*Server).search)
	handle("GET", "/api/v1/accounts/:id", (*Server).getAccount)
	handle("GET", "/api/v1/accounts/:id/following", (*Server).following)
	handle("GET", "/api/v1/follow_requests/outgoing", (*Server).outgoingRequests)
	handle("POST", "/api/v1/accounts/:id/follow", (*Server).follow)
	handle("POST", "/api/v1/accounts/:id/unfollow", (*Server).unfollow)
	handle("POST", "/api/v1/accounts/:id/block", (*Server).block)
	handle("POST", "/api/v1/accounts/:id/unblock", (*Server).unblock)
	handle("POST", "/api/v1/accounts/:id/mute", (*Server).mute)
	handle("POST", "/api/v1/accounts/:id/unmute", (*Server).unmute)
	handle("GET", "/api/v1/blocks", (*Server).listBlocks)
	handle("GET", "/api/v1/mutes", (*Server).listMutes)
	handle("GET", "/api/v1/domain_blocks", (*Server).listDomainBlocks)
	handle("POST", "/api/v1/domain_blocks", (*Server).blockDomain)
	handle("DELETE", "/api/v1/domain_blocks", (*Server).unblockDomain)
}

func (s *Server) instance(c *call) (int, any) {
	return http.StatusOK, map[string]any{"domain": s.Domain, "title": "Fake " + s.flavour.String(),
		"version": s.flavour.Version, "source_url": s.flavour.sourceURL(),
		"configuration": s.instanceConfiguration()}
}

// acct is an account's handle as Mastodon renders it: without @domain for
// local accounts (app/serializers/rest/account_serializer.rb).
func (s *Server) acct(a *Account) string {
	if a.Domain == "" {
		return a.Username
	}
	return a.Username + "@" + a.Domain
}

func (s *Server) uri(a *Account) string {
	d := a.Domain
	if d == "" {
		d = s.Domain
	}
	return "https://" + d + "/users/" + a.Username
}

func (s *Server) accountJSON(a *Account) map[string]any {
	d := a.Domain
	if d == "" {
		d = s.Domain
	}
	j := map[string]any{
		"id": a.ID, "username": a.Username, "acct": s.acct(a), "display_name": a.Username,
		"locked": a.Locked, "url": "https://" + d + "/@" + a.Username, "uri": s.uri(a),
		"followers_count": a.FollowersCount, "following_count": 0,
	}
	if s.flavour.GoToSocial() {
		// GoToSocial's account has no uri (internal/api/model/account.go).
		delete(j, "uri")
	}
	if a.ID == s.MeID {
		j["following_count"] = s.followingCount()
	}
	if a.Suspended {
		j["suspended"] = true
	}
	if m, ok := s.accounts[a.MovedTo]; ok {
		j["moved"] = s.accountJSON(m)
	}
	return j
}

func (s *Server) followingCount() int {
	n := 0
	for _, f := range s.follows {
		if !f.requested {
			n++
		}
	}
	return n
}

func (s *Server) verifyCredentials(c *call) (int, any) {
	j := s.accountJSON(s.accounts[c.me])
	s.credentials(j) // extras.go
	return http.StatusOK, j
}

// findAcct finds an account by handle; local ones match with or without
// the instance's domain.
func (s *Server) findAcct(q string) *Account {
	q = strings.ToLower(strings.TrimPrefix(q, "@"))
	user, domain, _ := strings.Cut(q, "@")
	if domain == s.Domain {
		domain = ""
	}
	for _, a := range s.accounts {
		if strings.ToLower(a.Username) == user && a.Domain == domain {
			return a
		}
	}
	return nil
}

// lookup finds only accounts the server knows (app/controllers/api/v1/
// accounts/lookup_controller.rb uses ResolveAccountService with
// skip_webfinger: unknown remote accounts are 404; GoToSocial's
// internal/processing/search/lookup.go puts an @ in front and never
// resolves), a bare username the local account on both.
func (s *Server) lookup(c *call) (int, any) {
	a := s.findAcct(c.get("acct"))
	if a == nil || a.Unknown {
		return s.flavour.recordNotFound("")
	}
	return http.StatusOK, s.accountJSON(a)
}

// search follows app/services/search_service.rb: with resolve=true an
// exact handle or a URI is fetched (WebFinger) when unknown; limit is at
// most 40.
func (s *Server) search(c *call) (int, any) {
	q := strings.TrimSpace(c.get("q"))
	resolve := c.get("resolve") == "true"
	res := map[string]any{"accounts": []any{}, "statuses": []any{}, "hashtags": []any{}}
	typ := c.get("type")
	if typ == "" || typ == "accounts" {
		var a *Account
		if strings.HasPrefix(q, "https://") {
			for _, cand := range s.accounts {
				if s.uri(cand) == q || "https://"+cand.Domain+"/@"+cand.Username == q {
					a = cand
				}
			}
		} else if s.flavour.searchReadsHandle(q) {
			a = s.findAcct(q)
		}
		if a != nil && a.Unknown && resolve {
			a.Unknown = false // now fetched and stored
		}
		if a != nil && !a.Unknown {
			res["accounts"] = []any{s.accountJSON(a)}
		}
	}
	if typ == "" || typ == "statuses" {
		for _, st := range s.statuses {
			if st.URI != q {
				continue
			}
			if resolve {
				// resolve=true fetches the URI from its server every time
				// (app/services/resolve_url_service.rb): a server that does not
				// answer, or a post deleted there, gives nothing, even for a
				// post already known.
				if st.Unreachable || st.Deleted {
					continue
				}
				st.Unknown = false
			}
			if !st.Unknown && !st.Deleted {
				res["statuses"] = []any{s.statusJSON(st)}
			}
		}
	}
	return http.StatusOK, res
}

// statusJSON carries favourited and bookmarked, as both servers show
// them to a signed-in account (app/serializers/rest/status_serializer.rb,
// from the database; GoToSocial's internal/typeutils/
// internaltofrontend.go StatusToAPIStatus).
func (s *Server) statusJSON(st *Status) map[string]any {
	_, fav := s.favs[st.ID]
	_, book := s.books[st.ID]
	return map[string]any{"id": st.ID, "uri": st.URI, "url": st.URI, "favourited": fav, "bookmarked": book}
}

// target finds the account a write is about. Suspended accounts are
// hidden: Account.find in the controllers scopes them out (404).
func (s *Server) target(id string) (*Account, bool) {
	a, ok := s.accounts[id]
	if !ok || a.Suspended || a.Unknown {
		return nil, false
	}
	return a, true
}

// undoTarget finds the account of an unfollow, unblock or unmute: a
// suspended one is still found, and the undo answers 200 (../shared/
// SERVERS.md: suspended accounts).
func (s *Server) undoTarget(id string) (*Account, bool) {
	a, ok := s.accounts[id]
	if !ok || a.Unknown {
		return nil, false
	}
	return a, true
}

func (s *Server) getAccount(c *call) (int, any) {
	a, ok := s.accounts[c.ids[0]]
	if !ok || a.Unknown {
		return s.flavour.recordNotFound("")
	}
	return http.StatusOK, s.accountJSON(a)
}

// noRelationship is a relationship with nothing set, GoToSocial's
// (internal/api/model/relationship.go: no languages).
func noRelationship(id string) map[string]any {
	return map[string]any{"id": id, "following": false, "showing_reblogs": false, "notifying": false,
		"followed_by": false, "blocking": false, "blocked_by": false, "muting": false,
		"muting_notifications": false, "requested": false, "requested_by": false, "domain_blocking": false,
		"endorsed": false, "note": ""}
}

// relationshipJSON is the real relationship. GoToSocial's has no
// languages (internal/api/model/relationship.go).
func (s *Server) relationshipJSON(id string) map[string]any {
	r := noRelationship(id)
	r["languages"] = nil
	if f, ok := s.follows[id]; ok {
		r["following"] = !f.requested
		r["requested"] = f.requested
		if !f.requested || s.flavour.requestSettingsShown() {
			r["showing_reblogs"] = f.reblogs
			r["notifying"] = f.notify
			r["languages"] = f.languages
		}
	}
	_, r["blocking"] = s.blocks[id]
	if m, ok := s.mutes[id]; ok {
		r["muting"], r["muting_notifications"] = true, m.notifications
	}
	if a, ok := s.accounts[id]; ok {
		_, r["domain_blocking"] = s.domains[a.Domain]
		r["blocked_by"] = a.BlocksMe
	}
	if !s.flavour.followTakesLanguages() {
		delete(r, "languages")
	}
	s.extraRelationship(r, id)
	return r
}

// relationships leaves unknown accounts out, and suspended ones unless
// with_suspended=true, on Mastodon (app/controllers/api/v1/accounts/
// relationships_controller.rb). GoToSocial answers every id given: its
// RelationshipGet (internal/processing/account/relationships.go) reads
// the relationship rows without looking the account up, so an unknown or
// suspended one (whose follows its suspension removed) comes back with
// nothing set (internal/api/client/accounts/relationships.go).
func (s *Server) relationships(c *call) (int, any) {
	out := []any{}
	withSuspended := c.get("with_suspended") == "true"
	for _, id := range c.form["id[]"] {
		a, ok := s.accounts[id]
		switch gone := !ok || a.Unknown || a.Suspended; {
		case gone && s.flavour.relationshipForEveryID():
			out = append(out, noRelationship(id))
		case ok && (!a.Suspended || withSuspended):
			out = append(out, s.relationshipJSON(id))
		}
	}
	return http.StatusOK, out
}

// following lists accepted follows only: a request, even to an unlocked
// remote account, is not there until accepted (on both servers). A
// suspended account is left out, after the limit on GoToSocial
// (GetVisibleAPIAccountsPaged, see pageHiding).
func (s *Server) following(c *call) (int, any) {
	var items []seqItem[any]
	hidden := map[int64]bool{}
	if c.ids[0] == c.me {
		for id, f := range s.follows {
			if !f.requested {
				items = append(items, seqItem[any]{f.seq, s.accountJSON(s.accounts[id])})
				hidden[f.seq] = s.accounts[id].Suspended
			}
		}
	}
	return http.StatusOK, pageHiding(s, c, items, hidden, 40)
}

// outgoingRequests lists the accounts "me" asked to follow that have not
// accepted yet, newest request first, paged by the request's id, 40 a
// page, at most 80: GoToSocial 0.20's OutgoingFollowRequestGETHandler
// (internal/api/client/followrequests/getoutgoing.go). Mastodon has no
// such route (Flavour.hasRoute).
func (s *Server) outgoingRequests(c *call) (int, any) {
	var items []seqItem[any]
	for id, f := range s.follows {
		if f.requested && !s.accounts[id].Suspended {
			items = append(items, seqItem[any]{f.seq, s.accountJSON(s.accounts[id])})
		}
	}
	return http.StatusOK, page(s, c, items, 40)
}

func formBool(c *call, k string) (bool, bool) {
	v := c.form.Get(k)
	if v == "" {
		return false, false
	}
	b, err := strconv.ParseBool(v)
	return b && err == nil, true
}

// follow follows app/controllers/api/v1/accounts_controller.rb#follow and
// app/services/follow_service.rb: options omitted leave an existing
// follow's settings alone; new follows default to reblogs on, notify off;
// re-following an existing follow or request only updates its settings
// and uses no quota; a locked account gets a request, and so does a remote
// one until its server's Accept arrives (WithAcceptDelay), though the
// answer says following: true for unlocked ones; moved, blocked and
// domain-blocked targets are refused; the daily limit
// (app/lib/rate_limiter.rb) and the cap (follow_limit_validator.rb) apply
// only to new follows. GoToSocial differences are on Flavour.
func (s *Server) follow(c *call) (int, any) {
	id := c.ids[0]
	a, ok := s.target(id)
	if !ok {
		return s.flavour.recordNotFound("")
	}
	if id == c.me {
		return s.flavour.selfFollow()
	}
	if _, ok := s.domains[a.Domain]; ok || a.MovedTo != "" || a.BlocksMe {
		return s.flavour.followRefusal()
	}
	if _, ok := s.blocks[id]; ok {
		return s.flavour.followRefusal()
	}
	f, exists := s.follows[id]
	if !exists && s.limits.FollowCap > 0 && s.followingCount() >= s.followCap() {
		return invalid("You cannot follow more than " + strconv.Itoa(s.followCap()) + " accounts")
	}
	if code, body, over := s.followAllowance(c, !exists); over {
		return code, body
	}
	if !exists {
		f = &follow{seq: s.nextSeq(), reblogs: true}
		s.follows[id] = f
		switch {
		case c.cut && s.flavour.stuckWhenCutOff():
			f.requested = true // never accepted
		case a.Locked:
			f.requested = true // until AcceptFollow
		case a.Domain != "" && s.acceptDelay != 0:
			f.requested = true
			if s.acceptDelay > 0 {
				f.acceptAt = s.clock.Now().Add(s.acceptDelay)
			}
		}
	}
	if v, ok := formBool(c, "reblogs"); ok {
		f.reblogs = v
	}
	if v, ok := formBool(c, "notify"); ok {
		f.notify = v
	}
	if langs, ok := c.form["languages[]"]; ok && s.flavour.followTakesLanguages() {
		f.languages = langs
	}
	r := s.relationshipJSON(id)
	// GoToSocial's optimism is only for the request it just created; a
	// repeat returns the stored state (updateFollow).
	fresh := !exists || !s.flavour.GoToSocial()
	if f.requested && fresh && s.flavour.optimisticFollow(a) && !(c.cut && s.flavour.stuckWhenCutOff()) {
		r["following"], r["requested"] = true, false
	}
	return http.StatusOK, r
}

// followAllowance counts a new follow (spend), of an account or of a
// hashtag, against the daily follow allowance: Follow and TagFollow both
// declare `rate_limit by: :account, family: :follows` (app/models/
// follow.rb, app/models/tag_follow.rb; app/models/concerns/
// rate_limitable.rb records it after create), one counter of 400 per
// account a day, aligned to the epoch (app/lib/rate_limiter.rb FAMILIES).
// Past it the create raises Mastodon::RateLimitExceededError, answered 429
// (app/controllers/api/base_controller.rb); over says so, with code and
// body. Either way, a repeat too, the answer carries the follow limiter's
// headers. GoToSocial has no such limit (its Limits leave FollowsPerDay 0).
func (s *Server) followAllowance(c *call, spend bool) (code int, body any, over bool) {
	limit := s.limits.FollowsPerDay
	if limit <= 0 {
		return 0, nil, false
	}
	k, reset := windowKey("follows:"+c.me, 24*time.Hour, s.clock.Now())
	if spend {
		s.windows[k]++
	}
	n := s.windows[k]
	if spend && n > limit {
		s.setRate(c.header, limit, 0, reset)
		return http.StatusTooManyRequests, apiError("Too many requests"), true
	}
	// The follow limiter's headers replace the API ones unless those show
	// fewer left: override_rate_limit_headers, an around_action on follow
	// in both accounts_controller.rb and tags_controller.rb
	// (app/controllers/concerns/api/rate_limit_headers.rb).
	if rem := limit - n; rem <= headerInt(c.header, "X-RateLimit-Remaining") {
		s.setRate(c.header, limit, rem, reset)
	}
	return 0, nil, false
}

func (s *Server) followCap() int {
	// Above the cap, Mastodon allows 1.1 x followers.
	me := s.accounts[s.MeID]
	return max(s.limits.FollowCap, me.FollowersCount*11/10)
}

func headerInt(h interface{ Get(string) string }, k string) int {
	n, err := strconv.Atoi(h.Get(k))
	if err != nil {
		return 1 << 30
	}
	return n
}

// unfollowLocked removes a follow and its list memberships (ListAccount
// rows belong to the follow: app/models/follow.rb, dependent: :destroy).
func (s *Server) unfollowLocked(id string) {
	delete(s.follows, id)
	for _, l := range s.lists {
		delete(l.members, id)
	}
}

func (s *Server) unfollow(c *call) (int, any) {
	if _, ok := s.undoTarget(c.ids[0]); !ok {
		return s.flavour.recordNotFound("")
	}
	s.unfollowLocked(c.ids[0])
	return http.StatusOK, s.relationshipJSON(c.ids[0])
}

// block also ends follows both ways (app/services/block_service.rb).
func (s *Server) block(c *call) (int, any) {
	id := c.ids[0]
	if _, ok := s.target(id); !ok {
		return s.flavour.recordNotFound("")
	}
	if id != c.me && !c.lost {
		s.unfollowLocked(id)
		if _, ok := s.blocks[id]; !ok {
			s.blocks[id] = s.nextSeq()
		}
	}
	return http.StatusOK, s.relationshipJSON(id)
}

func (s *Server) unblock(c *call) (int, any) {
	if _, ok := s.undoTarget(c.ids[0]); !ok {
		return s.flavour.recordNotFound("")
	}
	delete(s.blocks, c.ids[0])
	return http.StatusOK, s.relationshipJSON(c.ids[0])
}

// mute: notifications defaults to the flavour's (muteNotificationsDefault),
// duration in seconds, 0 forever (app/controllers/api/v1/
// accounts_controller.rb#mute, mute_service.rb).
func (s *Server) mute(c *call) (int, any) {
	id := c.ids[0]
	if status, body, refused := s.flavour.selfMuteRefused(c.me, id); refused {
		return status, body
	}
	if _, ok := s.target(id); !ok {
		return s.flavour.recordNotFound("")
	}
	if id == c.me {
		return http.StatusOK, s.relationshipJSON(id)
	}
	m, ok := s.mutes[id]
	if !ok {
		m = &mute{seq: s.nextSeq()}
		s.mutes[id] = m
	}
	m.notifications = s.flavour.muteNotificationsDefault()
	if v, ok := formBool(c, "notifications"); ok {
		m.notifications = v
	}
	m.expiresAt = nil
	if d, _ := strconv.Atoi(c.get("duration")); d > 0 {
		t := s.clock.Now().Add(time.Duration(d) * time.Second).UTC()
		m.expiresAt = &t
	}
	return http.StatusOK, s.relationshipJSON(id)
}

func (s *Server) unmute(c *call) (int, any) {
	if status, body, refused := s.flavour.selfMuteRefused(c.me, c.ids[0]); refused {
		return status, body
	}
	if _, ok := s.undoTarget(c.ids[0]); !ok {
		return s.flavour.recordNotFound("")
	}
	delete(s.mutes, c.ids[0])
	return http.StatusOK, s.relationshipJSON(c.ids[0])
}

// listBlocks leaves suspended accounts out
// (app/controllers/api/v1/blocks_controller.rb: without_suspended).
func (s *Server) listBlocks(c *call) (int, any) {
	var items []seqItem[any]
	hidden := map[int64]bool{}
	for id, seq := range s.blocks {
		items = append(items, seqItem[any]{seq, s.accountJSON(s.accounts[id])})
		hidden[seq] = s.accounts[id].Suspended
	}
	return http.StatusOK, pageHiding(s, c, items, hidden, 40)
}

// listMutes adds mute_expires_at (app/serializers/rest/muted_account_serializer.rb)
// and leaves suspended accounts out (app/controllers/api/v1/mutes_controller.rb:
// without_suspended). GoToSocial also skips expired mutes, after the limit
// (internal/processing/account/mute.go MutesGet, see pageHiding).
func (s *Server) listMutes(c *call) (int, any) {
	var items []seqItem[any]
	hidden := map[int64]bool{}
	now := s.clock.Now()
	for id, m := range s.mutes {
		j := s.accountJSON(s.accounts[id])
		j["mute_expires_at"] = m.expiresAt
		items = append(items, seqItem[any]{m.seq, j})
		expired := m.expiresAt != nil && !m.expiresAt.After(now)
		hidden[m.seq] = s.accounts[id].Suspended || (expired && s.flavour.GoToSocial())
	}
	return http.StatusOK, pageHiding(s, c, items, hidden, 40)
}

// Domain blocks are plain strings, 100 a page, at most 200
// (app/controllers/api/v1/domain_blocks_controller.rb).
func (s *Server) listDomainBlocks(c *call) (int, any) {
	var items []seqItem[string]
	for d, seq := range s.domains {
		items = append(items, seqItem[string]{seq, d})
	}
	return http.StatusOK, page(s, c, items, 100)
}

// blockDomain is Mastodon's Account#block_domain!, which looks the raw
// domain up (domain_blocks.find_or_create_by!, app/models/concerns/
// account_interactions.rb) and normalises only what it creates: strip,
// lower case, punycode (app/models/concerns/domain_normalizable.rb), then
// DomainValidator (app/validators/domain_validator.rb: labels of
// [a-z0-9-], 1 to 63 long). So a stored domain sent in another spelling
// ("Spam.Example", or Unicode for punycode) is 422 "has already been
// taken", and a port or an underscore is invalid. It also removes follows
// of that domain's accounts (app/services/after_block_domain_from_account_service.rb).
func (s *Server) blockDomain(c *call) (int, any) {
	d := c.get("domain")
	if _, ok := s.domains[d]; !ok {
		norm, err := domainname.Normalize(d)
		switch _, taken := s.domains[norm]; {
		case strings.TrimSpace(d) == "":
			return invalid("Domain can't be blank")
		case err != nil:
			return invalid("Domain is invalid")
		case taken:
			return invalid("Domain has already been taken")
		}
		d = norm
		s.domains[d] = s.nextSeq()
	}
	for id := range s.follows {
		if s.accounts[id].Domain == d {
			s.unfollowLocked(id)
		}
	}
	return http.StatusOK, map[string]any{}
}

// unblockDomain looks the raw domain up, as Account#unblock_domain! does
// (domain_blocks.find_by).
func (s *Server) unblockDomain(c *call) (int, any) {
	delete(s.domains, c.get("domain"))
	return http.StatusOK, map[string]any{}
}

func init() {
	handle("PATCH", "/api/v1/accounts/update_credentials", (*Server).updateCredentials)
}

// Profile is what update_credentials set on "me".
type Profile struct {
	DisplayName string
	Note        string
	Fields      [][2]string
	Avatar      string // the data URI's media type, e.g. "image/png"
	Header      string
	Settings    ProfileSettings // extras.go
}

// updateCredentials checks the whole update, then stores it
// (app/controllers/api/v1/accounts/credentials_controller.rb; GoToSocial's
// internal/api/client/accounts/accountupdate.go and
// internal/processing/account/update.go): one breach refuses it all.
func (s *Server) updateCredentials(c *call) (int, any) {
	var files map[string][]*multipart.FileHeader
	if strings.HasPrefix(c.r.Header.Get("Content-Type"), "multipart/form-data") {
		// ParseMultipartForm adds the parts' values to c.form (r.Form).
		if err := c.r.ParseMultipartForm(64 << 20); err != nil {
			return http.StatusBadRequest, apiError("Invalid form")
		}
		files = c.r.MultipartForm.File
	}
	var fields [][2]string
	setFields := c.form.Has("fields_attributes[0][name]")
	for i := 0; setFields; i++ {
		k := "fields_attributes[" + strconv.Itoa(i) + "]"
		if !c.form.Has(k + "[name]") {
			break
		}
		fields = append(fields, [2]string{c.get(k + "[name]"), c.get(k + "[value]")})
	}
	pics := map[string][]byte{}
	for _, key := range []string{"avatar", "header"} {
		if b, ok := s.flavour.picture(c, files, key); ok {
			pics[key] = b
		}
	}
	fields, status, body := s.flavour.checkProfile(c, fields, pics)
	if status != 0 {
		return status, body
	}

	p := &s.profile
	s.updateSettings(c) // extras.go
	if c.form.Has("display_name") {
		p.DisplayName = s.flavour.profileText(c.get("display_name"))
	}
	if c.form.Has("note") {
		p.Note = s.flavour.profileText(c.get("note"))
	}
	if setFields {
		p.Fields = fields
	}
	x := s.ext()
	for _, pic := range []struct {
		key  string
		into *string
		url  *string
	}{{"avatar", &p.Avatar, &x.avatarURL}, {"header", &p.Header, &x.headerURL}} {
		if b, ok := pics[pic.key]; ok {
			*pic.into = http.DetectContentType(b)
			// Each upload gets a new file name (Paperclip's random
			// :filename in Mastodon, a new media ULID in GoToSocial), so
			// the URL verify_credentials gives changes with every upload.
			*pic.url = fmt.Sprintf("https://%s/system/accounts/%ss/original/%d.png", s.Domain, pic.key, s.nextSeq())
		}
	}
	return http.StatusOK, s.accountJSON(s.accounts[c.me])
}

// picture is the avatar or header an update carries, if any.
//   - GoToSocial binds them only from multipart files
//     (internal/api/model/account.go: *multipart.FileHeader). From a
//     urlencoded form, gin's form binding allocates an empty FileHeader
//     for the key and sets nothing (gin's binding/form_mapping.go), and
//     internal/processing/account/update.go skips a picture of size 0:
//     a data URI there is lost, and the answer is still 200.
//   - Mastodon takes a file, or a data URI through Paperclip's data URI
//     adapter.
func (f Flavour) picture(c *call, files map[string][]*multipart.FileHeader, key string) ([]byte, bool) {
	if fh := files[key]; len(fh) > 0 && fh[0].Size > 0 {
		r, err := fh[0].Open()
		if err != nil {
			return nil, false
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		return b, err == nil
	}
	v := c.get(key)
	if f.GoToSocial() || !strings.HasPrefix(v, "data:") {
		return nil, false
	}
	_, data, _ := strings.Cut(v, ",")
	b, err := base64.StdEncoding.DecodeString(data)
	return b, err == nil
}

// checkProfile is the validation of an update as a whole; it returns the
// fields as they will be stored, or the refusal.
//   - Mastodon (app/models/account.rb): display_name ≤ 30 characters,
//     note ≤ 500 as NoteLengthValidator counts (URLs 23, mentions without
//     the domain), at most 4 fields after dropping blank ones
//     (fields_attributes=); avatar and header under 2 MB up to 4.3, 8 MB
//     from 4.4 (app/models/concerns/account/avatar.rb, header.rb:
//     validates_attachment_size less_than). update! raises, 422.
//   - GoToSocial 0.20 (internal/validate/formvalidation.go): no check of
//     display name or note; fields with an empty name or value dropped, at
//     most 6 (accounts-max-profile-fields), each name and value trimmed to
//     255 runes; pictures up to media-local-max-size, 40 MiB
//     (internal/config/defaults.go). Each breach is 400.
func (f Flavour) checkProfile(c *call, fields [][2]string, pics map[string][]byte) ([][2]string, int, any) {
	var kept [][2]string
	if f.GoToSocial() {
		for _, fl := range fields {
			if fl[0] != "" && fl[1] != "" {
				kept = append(kept, [2]string{trimRunes(fl[0], 255), trimRunes(fl[1], 255)})
			}
		}
		if len(kept) > 6 {
			st, body := gtsError(http.StatusBadRequest, "cannot have more than 6 profile fields")
			return nil, st, body
		}
		for key, b := range pics {
			if len(b) > 40<<20 {
				st, body := gtsError(http.StatusBadRequest, fmt.Sprintf("%s: size %d exceeded max media size of %d bytes", key, len(b), 40<<20))
				return nil, st, body
			}
		}
		return kept, 0, nil
	}
	for _, fl := range fields {
		if strings.TrimSpace(fl[0]) != "" || strings.TrimSpace(fl[1]) != "" {
			kept = append(kept, fl)
		}
	}
	limit, mb := 2<<20, "2 MB"
	if f.mastodonAtLeast(4, 4) {
		limit, mb = 8<<20, "8 MB"
	}
	var errs []string
	if n := utf8.RuneCountInString(f.profileText(c.get("display_name"))); n > 30 {
		errs = append(errs, "Display name is too long (maximum is 30 characters)")
	}
	if mastodonNoteLength(f.profileText(c.get("note"))) > 500 {
		errs = append(errs, "Note is too long (maximum is 500 characters)")
	}
	if len(kept) > 4 {
		errs = append(errs, "Fields is too long (maximum is 4 characters)")
	}
	for _, key := range []string{"avatar", "header"} {
		if b, ok := pics[key]; ok && len(b) >= limit {
			errs = append(errs, fmt.Sprintf("%s file size must be less than %s", strings.ToUpper(key[:1])+key[1:], mb))
		}
	}
	if len(errs) > 0 {
		st, body := invalid(strings.Join(errs, ", "))
		return nil, st, body
	}
	return kept, 0, nil
}

// profileText is a display name or bio as stored: Mastodon strips them
// (app/models/account.rb prepare_contents); GoToSocial keeps them.
func (f Flavour) profileText(s string) string {
	if f.GoToSocial() {
		return s
	}
	return strings.TrimSpace(s)
}

var (
	fakeURL     = regexp.MustCompile(`https?://\S+`)
	fakeMention = regexp.MustCompile(`@(\w+)@[\w.-]+`)
)

// mastodonNoteLength is app/validators/note_length_validator.rb's count,
// in runes (no fewer than Mastodon's grapheme clusters).
func mastodonNoteLength(s string) int {
	s = fakeURL.ReplaceAllLiteralString(s, "http://example.com/234x") // URL_PLACEHOLDER, 23
	return utf8.RuneCountInString(fakeMention.ReplaceAllString(s, "@$1"))
}

func trimRunes(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// Profile returns what update_credentials set.
func (s *Server) Profile() Profile {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.profile
}
