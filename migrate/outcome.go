package migrate

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
)

// The ops that are not a diff's steps but go through the same policy.
const (
	OpCreateStatus Op = "create_status" // a post, backdated (posts.go)
	OpUploadMedia  Op = "upload_media"  // a post's media file (posts.go)
	OpImport       Op = "import"        // a bulk import upload (bulk.go)
	OpMove         Op = "move"          // the move on the old account (migrate/move)
)

// Outcome is what a refused request means for its item and its run. The
// outcome policy below is the one place that decides it, for every lane:
// the replay, the list batches, the posts and their media, the bulk
// imports and the move.
type Outcome string

const (
	OutcomeFailed Outcome = "failed" // the item's own refusal: final, with its reason
	OutcomeRetry  Outcome = "retry"  // may pass next time: a later run tries again
	OutcomeAbort  Outcome = "abort"  // the run ends: every later request would fail the same way
	OutcomeDefer  Outcome = "defer"  // the daily follow limit: deferred, or waited for with --wait
	OutcomeStop   Outcome = "stop"   // the lane stops here; what is left waits for a later run
	OutcomeFresh  Outcome = "fresh"  // upload the post's media again, then send once more
)

// attempt is what the caller knows of a refused request besides its
// error.
type attempt struct {
	op    Op
	media bool // a post's first attempt, with media uploaded
	// earlier is the server error (a 5xx status) the item's last record
	// from an earlier run carries, 0 when none (Journal.Earlier).
	earlier int
}

// refusal is what the policy looks at: the error, its status, and what
// the caller knows about the attempt.
type refusal struct {
	attempt
	err    error
	status int // 0 when the server gave no answer
	msg    string
	daily  bool // the daily follow limit
}

// rule is one row of the policy: for these ops (nil: every op), when
// the refusal matches, this outcome.
type rule struct {
	name string
	ops  []Op
	when func(r refusal) bool
	then Outcome
}

func status(codes ...int) func(refusal) bool {
	return func(r refusal) bool { return slices.Contains(codes, r.status) }
}

func clientError(r refusal) bool { return r.status >= 400 && r.status < 500 }
func answered(r refusal) bool    { return r.status != 0 }
func refused(r refusal) bool     { return answered(r) && r.status < 500 }
func always(refusal) bool        { return true }

// ruleServerTwice is the row that ends a server error's retries.
const ruleServerTwice = "same server error in two runs"

// serverTwice: the same 5xx for the same item in a run after one that
// already retried it is the server's own failure with this item (Mastodon
// 4.2–4.3 answer 500 for every refused featured tag,
// app/services/create_featured_tag_service.rb), not a passing one.
func serverTwice(r refusal) bool { return r.status >= 500 && r.status == r.earlier }

// policy is read top down; the first matching row decides.
var policy = []rule{
	// An import refused for any reason queued nothing: the replay that
	// follows sends every item and meets the refusal item by item. An
	// import whose answer was lost may be on the server's queue: watch it.
	{"import refused", []Op{OpImport}, answered, OutcomeFailed},
	{"import answer lost", []Op{OpImport}, always, OutcomeRetry},
	// GoToSocial answers a wrong password with 400 and a refused move
	// (alias not seen yet, a move within 7 days) with 422
	// (internal/api/client/accounts/move.go): the person may try again.
	{"move refused", []Op{OpMove}, status(400, 422), OutcomeFailed},

	{"token refused", nil, func(r refusal) bool { return errors.Is(r.err, api.ErrUnauthorized) }, OutcomeAbort},
	// Doorkeeper's words (config/locales/doorkeeper.en.yml): a status
	// alone cannot tell this from a refused item.
	{"token lacks a scope", nil, func(r refusal) bool {
		return r.status == 403 && strings.Contains(r.msg, "outside the authorized scopes")
	}, OutcomeAbort},
	{"instance unreachable", nil, func(r refusal) bool { return errors.Is(r.err, api.ErrUnreachable) }, OutcomeAbort},
	{"daily follow limit", dailyFollowOps, func(r refusal) bool { return r.daily }, OutcomeDefer},
	// No item stays "retry" for the same server error across runs: the
	// transport has retried within the run, a later run tried once more.
	{ruleServerTwice, nil, serverTwice, OutcomeFailed},

	// What GoToSocial refuses with 403 besides a disabled switch
	// (replies to others, mentions of others, polls) is never sent: the
	// plan leaves it out. So a 403 means backdating is off
	// (internal/processing/status/create.go), and stops the rest.
	{"backdating off", []Op{OpCreateStatus}, status(403), OutcomeStop},
	// The media an earlier run uploaded may be gone or attached elsewhere
	// meanwhile (unattached uploads are cleaned up): a 400 for a post
	// with media is worth one fresh upload; a second 400 is the post's.
	{"media gone", []Op{OpCreateStatus}, func(r refusal) bool { return r.status == 400 && r.media }, OutcomeFresh},
	{"media refused", []Op{OpUploadMedia}, clientError, OutcomeFailed},
	// A media file the server cannot take now stops the posts: the post
	// would go without it.
	{"media not taken now", []Op{OpUploadMedia}, always, OutcomeStop},

	{"timeout", nil, status(408), OutcomeRetry},
	{"refused", nil, refused, OutcomeFailed},
	// A post without an answer may have been made: it stays "sending",
	// and the next run looks for it before sending it again.
	{"no answer", nil, always, OutcomeRetry},
}

// decide is the policy's outcome for an attempt refused with err, and the
// name of the row that decided.
func decide(a attempt, err error) (Outcome, string) {
	r := refusal{attempt: a, err: err}
	var ae *api.Error
	if errors.As(err, &ae) {
		r.status, r.msg = ae.Status, ae.Message
	}
	var rl *api.RateLimitError
	r.daily = errors.As(err, &rl) && rl.Daily
	for _, row := range policy {
		if (row.ops == nil || slices.Contains(row.ops, a.op)) && row.when(r) {
			return row.then, row.name
		}
	}
	return OutcomeRetry, "" // not reached: the last row matches always
}

// Decide is the policy's outcome for a request of op refused with err,
// for the lanes outside this package (the move, migrate/move).
func Decide(op Op, err error) Outcome {
	out, _ := decide(attempt{op: op}, err)
	return out
}

// abort is the error that ends a run for an OutcomeAbort, in words.
func abort(rule string, err error) error {
	switch rule {
	case "token refused":
		return errAbort{fmt.Errorf("the instance no longer accepts the token: %w", err)}
	case "token lacks a scope":
		return errAbort{fmt.Errorf("the token lacks a permission this needs (run `mastomigrate login` again): %w", err)}
	}
	return errAbort{err}
}

// errAbort stops the run: the token no longer works, or the instance
// cannot be reached.
type errAbort struct{ err error }

func (e errAbort) Error() string { return e.err.Error() }
func (e errAbort) Unwrap() error { return e.err }

// fatal is the error that ends the run when err does for any op, or nil
// when err is the item's alone.
func fatal(err error) error {
	if out, rule := decide(attempt{}, err); out == OutcomeAbort {
		return abort(rule, err)
	}
	return nil
}

// classify turns a refusal of one item into that item's outcome; step
// has dealt with rate limits and errors that end the run. earlier is the
// item's last record from an earlier run. A server error is journaled
// with its status, for the next run's decision.
func classify(s Step, err error, earlier Record) Record {
	var ae *api.Error
	if !errors.As(err, &ae) {
		return Record{Status: StatusRetry, Reason: "temporary: " + err.Error()}
	}
	rec := Record{Status: StatusRetry, Reason: "temporary: " + err.Error()}
	if ae.Status >= 500 {
		rec.HTTPStatus = ae.Status
	}
	switch out, rule := decide(attempt{op: s.Op, earlier: earlier.HTTPStatus}, err); {
	case rule == ruleServerTwice:
		rec.Status, rec.Reason = StatusFailed, serverFailed(ae)
	case out == OutcomeFailed:
		rec.Status, rec.Reason = StatusFailed, reasonOf(s, ae)
	}
	return rec
}

// serverFailed says why an item failed for a server error met in two
// runs: the status and the request, which the server's admin can look up.
func serverFailed(ae *api.Error) string {
	return fmt.Sprintf("the server answered %d to %s %s in two runs (an error on its side; its admin can look the request up in its logs)",
		ae.Status, ae.Method, ae.Path)
}

// After a refused list batch, the target's state decides each member
// (servers add a batch whole or not at all, and name one reason in words
// that differ by server and version). These outcomes come from that
// re-read, not from an error.
const (
	OutcomeDone        Outcome = "done"         // already there
	OutcomeWaiting     Outcome = "waiting"      // for a follow request to be accepted
	OutcomeNotFollowed Outcome = "not_followed" // the follow comes first (or was refused)
	OutcomeAlone       Outcome = "alone"        // send it alone: its own answer tells what is wrong
)

// member is a list member as the re-read shows it.
type member struct {
	onList, known, following, requested bool
	needAccepted                        bool // the server lists only accepted follows
}

var memberPolicy = []struct {
	name string
	when func(m member) bool
	then Outcome
}{
	{"already on the list", func(m member) bool { return m.onList }, OutcomeDone},
	{"request not accepted", func(m member) bool { return m.known && m.requested && !m.following && m.needAccepted }, OutcomeWaiting},
	{"not followed", func(m member) bool { return m.known && !m.following && !m.requested }, OutcomeNotFollowed},
	// Followed (or, where that is enough, requested).
	{"followed", func(member) bool { return true }, OutcomeAlone},
}

// settleMember is the outcome of a member of a refused batch.
func settleMember(m member) Outcome {
	for _, row := range memberPolicy {
		if row.when(m) {
			return row.then
		}
	}
	return OutcomeAlone
}
