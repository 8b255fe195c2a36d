package mastotest

import (
	"fmt"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Flavour is the server software the fake plays: its name and version as
// /api/v2/instance reports them, and the ways its answers differ from
// Mastodon's latest (../shared/SERVERS.md lists them with their sources).
// Tests that must hold on real servers run once per flavour in Flavours.
//
// The differences live in the small methods below, each citing where the
// real server decides it, so that handlers ask a question ("does a list
// need an accepted follow?") instead of comparing names.
type Flavour struct {
	Software string // "mastodon" or "gotosocial", as nodeinfo names it
	Version  string // as /api/v2/instance reports it
}

var (
	Mastodon42    = Flavour{Software: "mastodon", Version: "4.2.13"}
	Mastodon43    = Flavour{Software: "mastodon", Version: "4.3.8"}
	Mastodon45    = Flavour{Software: "mastodon", Version: "4.5.0"}
	GoToSocial020 = Flavour{Software: "gotosocial", Version: "0.20.0"}
)

// Flavours are the servers every end-to-end test runs against.
func Flavours() []Flavour { return []Flavour{Mastodon42, Mastodon43, Mastodon45, GoToSocial020} }

// String names the flavour for subtest names: "mastodon-4.5.0".
func (f Flavour) String() string { return f.Software + "-" + f.Version }

// GoToSocial reports whether the flavour is GoToSocial.
func (f Flavour) GoToSocial() bool { return f.Software == "gotosocial" }

// WithFlavour makes the server play f; the default is Mastodon45. Unless
// WithLimits is also given, the server takes f's own limits (Limits).
func WithFlavour(f Flavour) Option { return func(s *Server) { s.flavour = f } }

// Flavour is the software the server plays.
func (s *Server) Flavour() Flavour { return s.flavour }

// sourceURL is the repository /api/v2/instance names.
func (f Flavour) sourceURL() string {
	if f.GoToSocial() {
		return "https://codeberg.org/superseriousbusiness/gotosocial"
	}
	return "https://github.com/mastodon/mastodon"
}

// mastodonAtLeast reports whether the flavour is Mastodon major.minor or
// later.
func (f Flavour) mastodonAtLeast(major, minor int) bool {
	if f.GoToSocial() {
		return false
	}
	parts := strings.SplitN(f.Version, ".", 3)
	if len(parts) < 2 {
		return true
	}
	ma, _ := strconv.Atoi(parts[0])
	mi, _ := strconv.Atoi(parts[1])
	return ma > major || (ma == major && mi >= minor)
}

// Limits are the flavour's default rate limits and caps.
func (f Flavour) Limits() Limits {
	if f.GoToSocial() {
		return GoToSocialLimits()
	}
	return MastodonLimits()
}

// hostDomain: GoToSocial names its accounts after its configured host,
// port included (observed on 0.20: alice@127.0.0.1:8080), so the fake
// uses its own listening address. Mastodon keeps LOCAL_DOMAIN.
func (f Flavour) hostDomain() bool { return f.GoToSocial() }

// hasRoute: GoToSocial has no user-level domain blocks (an admin feature
// only); its router answers those paths as any unknown route
// (internal/api/client.go registers no such module). Mastodon lists no
// outgoing follow requests: config/routes/api.rb gives follow_requests
// only index, authorize and reject, so /outgoing is an unknown route;
// GoToSocial 0.20 has it (internal/api/client/followrequests/
// getoutgoing.go).
func (f Flavour) hasRoute(name string) bool {
	if !f.extraRoute(name) {
		return false
	}
	switch {
	case f.GoToSocial() && strings.HasSuffix(name, " /api/v1/domain_blocks"):
		return false
	case name == "GET /api/v1/follow_requests/outgoing":
		return f.GoToSocial()
	}
	return true
}

// unknownRoute is the answer for a route the server lacks. Both say only
// "Not Found", the same words as some item-level 404s, so a client can
// tell a missing endpoint only by probing:
//   - Mastodon: the catch-all route raises RoutingError, answered by
//     app/controllers/application_controller.rb#respond_with_error as
//     {"error": "Not Found"} for JSON requests.
//   - GoToSocial: cmd/gotosocial/action/server/server.go attaches a
//     NoRoute handler calling apiutil.ErrorHandler with a bare
//     gtserror.NewErrorNotFound, written by internal/api/util/
//     errorhandling.go#NotFoundHandler as {"error": "Not Found"}.
func (f Flavour) unknownRoute() (int, any) { return http.StatusNotFound, apiError("Not Found") }

// recordNotFound is the 404 for an id that does not exist: Mastodon's
// rescue of ActiveRecord::RecordNotFound (app/controllers/concerns/api/
// error_handling.rb); GoToSocial's gtserror.NewErrorNotFound, whose safe
// text is "Not Found" plus the help text if any (internal/gtserror/
// withcode.go).
func (f Flavour) recordNotFound(help string) (int, any) {
	if f.GoToSocial() {
		return gtsError(http.StatusNotFound, help)
	}
	return notFound()
}

// gtsError is GoToSocial's error body: the status text, then ": " and the
// help text when there is one (internal/gtserror/withcode.go,
// internal/api/util/errorhandling.go).
func gtsError(status int, help string) (int, any) {
	msg := http.StatusText(status)
	if help != "" {
		msg += ": " + help
	}
	return status, apiError(msg)
}

// statusNotFound is the answer for a post that is missing, deleted or not
// visible. Mastodon answers {"error":"Not Found"} here, not "Record not
// found" (../shared/SERVERS.md); GoToSocial its bare not-found.
func (f Flavour) statusNotFound() (int, any) { return http.StatusNotFound, apiError("Not Found") }

// listNeedsAcceptedFollow: GoToSocial adds only accounts with an accepted
// follow (internal/processing/list/updateentries.go looks the follow up
// with GetFollow); Mastodon from 4.2 accepts a pending request too
// (app/models/list_account.rb, follow_request_id).
func (f Flavour) listNeedsAcceptedFollow() bool { return f.GoToSocial() }

// listNotFollowed is the answer for adding an account that is not
// followed:
//   - Mastodon 4.2–4.3: ListAccount#set_follow used find_by!, so the
//     RecordNotFound becomes 404 "Record not found".
//   - Mastodon 4.4+: validate_relationship adds :must_be_following on
//     account_id (app/models/list_account.rb; text in
//     config/locales/activerecord.en.yml): 422.
//   - GoToSocial: 404 "account <id> not currently followed"
//     (internal/processing/list/updateentries.go).
func (f Flavour) listNotFollowed(accountID string) (int, any) {
	switch {
	case f.GoToSocial():
		return gtsError(http.StatusNotFound, fmt.Sprintf("account %s not currently followed", accountID))
	case f.mastodonAtLeast(4, 4):
		return invalid("Account must be a followed account")
	default:
		return notFound()
	}
}

// listAlreadyMember is the answer for adding an account already on the
// list: Rails' uniqueness message "has already been taken" up to 4.3,
// then the list_account.attributes.account_id.taken override "is already
// on the list" (config/locales/activerecord.en.yml); GoToSocial 422
// "account <id> is already in list <id>"
// (internal/processing/list/updateentries.go).
func (f Flavour) listAlreadyMember(accountID, listID string) (int, any) {
	switch {
	case f.GoToSocial():
		return gtsError(http.StatusUnprocessableEntity, fmt.Sprintf("account %s is already in list %s", accountID, listID))
	case f.mastodonAtLeast(4, 4):
		return invalid("Account is already on the list")
	default:
		return invalid("Account has already been taken")
	}
}

// listTitleUnique: GoToSocial refuses a second list of the same title with
// 409 (internal/processing/list/create.go); Mastodon allows duplicates.
func (f Flavour) listTitleUnique() bool { return f.GoToSocial() }

// listFields reads a list's title and replies policy ("" when not sent)
// and validates them as the server does; on update (create false) an
// absent title is no change. Mastodon's app/models/list.rb wants a title
// of any length and a known policy, else 422. GoToSocial's
// internal/api/client/lists/listcreate.go and listupdate.go answer 400
// to what validate.ListTitle refuses, an empty title or one over 200
// characters (runes, internal/validate/formvalidation.go,
// maximumListTitleLength), and to a policy validate.ListRepliesPolicy
// refuses after lower-casing it.
func (f Flavour) listFields(c *call, create bool) (title, policy string, status int, body any) {
	title, policy = strings.TrimSpace(c.get("title")), c.get("replies_policy")
	if f.GoToSocial() {
		policy = strings.ToLower(policy)
	}
	refuse := func(mastodon, gts string) (string, string, int, any) {
		if f.GoToSocial() {
			status, body := gtsError(http.StatusBadRequest, gts)
			return "", "", status, body
		}
		status, body := invalid(mastodon)
		return "", "", status, body
	}
	const most = 200 // GoToSocial's maximumListTitleLength
	switch n := utf8.RuneCountInString(title); {
	case (create || c.form.Has("title")) && n == 0:
		return refuse("Title can't be blank", fmt.Sprintf("list title must be provided, and must be no more than %d chars", most))
	case f.GoToSocial() && n > most:
		return refuse("", fmt.Sprintf("list title length must be no more than %d chars, provided title was %d chars", most, n))
	}
	if policy != "" && policy != "list" && policy != "followed" && policy != "none" {
		return refuse("Replies policy is not included in the list", "list replies_policy must be either empty or one of 'followed', 'list', 'none'")
	}
	return title, policy, 0, nil
}

// muteNotificationsDefault is whether a mute sent without notifications
// hides the account's notifications too: Mastodon's accounts_controller.rb
// #mute defaults it to true; GoToSocial 0.20 to false (internal/api/
// client/accounts/mute.go, normalizeCreateUpdateMute: util.PtrOrValue(
// form.Notifications, false)).
func (f Flavour) muteNotificationsDefault() bool { return !f.GoToSocial() }

// selfMuteRefused is GoToSocial's answer to muting or unmuting oneself,
// checked before the target is looked up: 406 (internal/processing/
// account/mute.go getMuteTarget; the real help text also starts with
// the caller's name, from gtserror.Newf). The last result says whether
// it applies; Mastodon answers the relationship and mutes nothing.
func (f Flavour) selfMuteRefused(me, target string) (int, any, bool) {
	if !f.GoToSocial() || me != target {
		return 0, nil, false
	}
	status, body := gtsError(http.StatusNotAcceptable, "account "+me+" cannot mute or unmute itself")
	return status, body, true
}

// relationshipForEveryID: GoToSocial answers a relationship for every id
// asked, also for an account it does not have (accounts.go relationships).
func (f Flavour) relationshipForEveryID() bool { return f.GoToSocial() }

// followTakesLanguages: GoToSocial's follow form has only reblogs and
// notify (internal/api/model/account.go AccountFollowRequest), and its
// relationships carry no languages.
func (f Flavour) followTakesLanguages() bool { return !f.GoToSocial() }

// requestSettingsShown: Mastodon's relationship shows a follow request's
// reblogs, notify and languages as a follow's (app/serializers/rest/
// relationship_serializer.rb reads requested_map too); GoToSocial's only
// an accepted follow's, false for a request (internal/db/bundb/
// relationship.go GetRelationship).
func (f Flavour) requestSettingsShown() bool { return !f.GoToSocial() }

// optimisticFollow reports whether the follow response says following:
// true before the follow is accepted. Mastodon does for every unlocked
// target, remote ones included (app/controllers/api/v1/
// accounts_controller.rb#follow, following_map); GoToSocial only for
// unlocked local accounts (internal/processing/account/follow.go).
func (f Flavour) optimisticFollow(a *Account) bool {
	if a.Locked {
		return false
	}
	return !f.GoToSocial() || a.Domain == ""
}

// followRefusal is the answer for a follow the server will not make:
// Mastodon 403 "This action is not allowed" (app/services/
// follow_service.rb raises Mastodon::NotPermittedError, rendered by
// app/controllers/concerns/api/error_handling.rb); GoToSocial pretends
// the account does not exist (internal/processing/common/account.go
// GetVisibleTargetAccount: "target account not found").
func (f Flavour) followRefusal() (int, any) {
	if f.GoToSocial() {
		return gtsError(http.StatusNotFound, "target account not found")
	}
	return forbidden()
}

// selfFollow: Mastodon 403 "Following your own account is not allowed"
// (follow_service.rb); GoToSocial 406 with no help text
// (internal/processing/account/follow.go getFollowTarget).
func (f Flavour) selfFollow() (int, any) {
	if f.GoToSocial() {
		return gtsError(http.StatusNotAcceptable, "")
	}
	return http.StatusForbidden, apiError("Following your own account is not allowed")
}

// stuckWhenCutOff: on GoToSocial the follow request is stored inside the
// request, and the side effects that accept it (for a local unlocked
// account) or send it (for a remote one) are queued only after the
// relationship is read back; a client gone by then leaves a request that
// nothing ever accepts (internal/processing/account/follow.go
// FollowCreate; observed on 0.20). Re-sending the follow then only
// updates the request (updateFollow), so it stays stuck until unfollowed.
// Mastodon does the whole follow in the request.
func (f Flavour) stuckWhenCutOff() bool { return f.GoToSocial() }

// pkce is how the authorization endpoint treats code_challenge: Mastodon
// 4.2 ignores it, 4.3 accepts plain and S256, 4.4+ only S256
// (config/initializers/doorkeeper.rb pkce_code_challenge_methods).
// GoToSocial is assumed to take S256.
func (f Flavour) pkce() pkceMode {
	switch {
	case f.GoToSocial() || f.mastodonAtLeast(4, 4):
		return pkceS256
	case f.mastodonAtLeast(4, 3):
		return pkcePlainOrS256
	default:
		return pkceNone
	}
}

type pkceMode int

const (
	pkceNone pkceMode = iota
	pkcePlainOrS256
	pkceS256
)

// formatReset writes X-RateLimit-Reset: Mastodon uses Ruby's
// Time#iso8601(6), microseconds (app/controllers/concerns/api/
// rate_limit_headers.rb); GoToSocial util.FormatISO8601, milliseconds
// (internal/middleware/ratelimit.go).
func (f Flavour) formatReset(t time.Time) string {
	if f.GoToSocial() {
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000Z")
}

// filterKeywords reads a v2 filter's keywords from its create form, as
// each server binds them:
//   - GoToSocial binds only the unindexed array form
//     keywords_attributes[][keyword] and keywords_attributes[][whole_word],
//     paired by position, whole_word false when missing
//     (internal/api/model/filterv2.go FilterCreateRequestV2, form tags;
//     internal/api/client/filters/v2/filterpost.go
//     validateNormalizeCreateFilter). An indexed form
//     (keywords_attributes[0][keyword]) binds to nothing: the filter is
//     made without keywords, 200.
//   - Mastodon (Rack's nested parameters into accepts_nested_attributes_for,
//     app/controllers/api/v2/filters_controller.rb, app/models/
//     custom_filter.rb) takes both the indexed hash and the array form;
//     whole_word defaults to true (custom_filter_keyword.rb). The fake
//     pairs the array form by position. Rack does so only when each
//     keyword's whole_word follows it in the body, which url.Values'
//     sorted encoding never does: send JSON instead (createFilter).
func (f Flavour) filterKeywords(form url.Values) []FilterKeyword {
	var out []FilterKeyword
	words, wholes := form["keywords_attributes[][keyword]"], form["keywords_attributes[][whole_word]"]
	for i, w := range words {
		ww := !f.GoToSocial()
		if i < len(wholes) {
			ww, _ = strconv.ParseBool(wholes[i])
		}
		out = append(out, FilterKeyword{Keyword: w, WholeWord: ww})
	}
	if f.GoToSocial() {
		return out
	}
	for i := 0; ; i++ {
		p := "keywords_attributes[" + strconv.Itoa(i) + "]"
		if !form.Has(p + "[keyword]") {
			return out
		}
		ww := true
		if v := form.Get(p + "[whole_word]"); v != "" {
			ww, _ = strconv.ParseBool(v)
		}
		out = append(out, FilterKeyword{Keyword: form.Get(p + "[keyword]"), WholeWord: ww})
	}
}

// filterActionRefused is the answer for a filter_action the server does
// not know, or ok when it takes it. Mastodon 4.2–4.3 declare
// `enum :action, { warn: 0, hide: 1 }` without validate: (app/models/
// custom_filter.rb), so any other value raises ArgumentError on
// assignment, which no rescue in app/controllers/concerns/api/
// error_handling.rb catches: 500. 4.4 added blur with validate: true, so
// an unknown action is 422 there. GoToSocial's handler checks the action
// with validate.FilterAction, which takes warn and hide only, and answers
// 422 (internal/api/client/filters/v2/filterpost.go,
// internal/validate/formvalidation.go).
func (f Flavour) filterActionRefused(action string) (int, any, bool) {
	switch {
	case action == "warn" || action == "hide":
		return 0, nil, true
	case f.GoToSocial():
		st, body := gtsError(http.StatusUnprocessableEntity, "filter action '"+action+"' was not recognized, valid options are 'warn', 'hide'")
		return st, body, false
	case f.mastodonAtLeast(4, 4):
		if action == "blur" {
			return 0, nil, true
		}
		st, body := invalid("Filter action is not included in the list")
		return st, body, false
	}
	return http.StatusInternalServerError, apiError("Internal Server Error"), false
}

// searchReadsHandle reports whether /api/v2/search takes q as a handle.
// GoToSocial's search (internal/processing/search/get.go, Get) reads a
// query as user@host only when it starts with @, or when net/mail's
// ParseAddress takes it for an e-mail address; a host with a port
// ("carol@127.0.0.1:8080") is no address, so the query falls through: it
// is no URL either (url.Parse: a colon in the first path segment) and the
// text search finds nothing for it (observed on 0.20). With a leading @,
// the namestring pattern (internal/regexes/regexes.go, mentionName) takes
// the port. Mastodon's search strips a leading @ and splits at the @
// (app/services/account_search_service.rb, resolve_account_service.rb).
// Lookup is another matter: GoToSocial's puts the @ in front itself
// (internal/processing/search/lookup.go).
func (f Flavour) searchReadsHandle(q string) bool {
	if !f.GoToSocial() || strings.HasPrefix(q, "@") || !strings.Contains(q, "@") {
		return true
	}
	_, err := mail.ParseAddress(q)
	return err == nil
}

// filterTextRefused is GoToSocial's answer to a filter's keyword or title
// (field) over its length; the last result says whether it is over:
// validateNormalizeCreateFilter (internal/api/client/filters/v2/
// filterpost.go; filterkeywordpost.go for one keyword) checks the title
// with validate.FilterTitle, at most 200 characters, and every keyword
// with validate.FilterKeyword, at most 40, and answers 422 for the whole
// request (internal/validate/formvalidation.go, maximumFilterTitleLength,
// maximumFilterKeywordLength). Mastodon validates presence only
// (app/models/custom_filter.rb, custom_filter_keyword.rb).
func (f Flavour) filterTextRefused(field, v string) (int, any, bool) {
	most := map[string]int{"title": 200, "keyword": 40}[field]
	if n := utf8.RuneCountInString(v); f.GoToSocial() && n > most {
		st, body := gtsError(http.StatusUnprocessableEntity, fmt.Sprintf("filter %s length must be no more than %d chars, provided %s was %d chars", field, most, field, n))
		return st, body, true
	}
	return 0, nil, false
}
