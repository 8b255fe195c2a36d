// Package outcome is the one outcome policy of every lane (the replay,
// the list batches, the posts and their media, the bulk imports, the
// move): what a refused request means for its item and its run, decided
// by op, status code and typed error, and for a refused list batch by a
// re-read of the target. It decides; the lanes act and journal.
package outcome

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// DailyFollowOps are the ops that spend the daily follow allowance of a
// server that has one (api.Capabilities.FollowsPerDay): on Mastodon an
// account follow and a hashtag follow count against the same 400 a day
// (app/models/follow.rb and app/models/tag_follow.rb both declare
// `rate_limit by: :account, family: :follows`; app/lib/rate_limiter.rb).
// The estimate counts them, and the runner defers them together.
var DailyFollowOps = []journal.Op{journal.OpFollow, journal.OpRefollow, journal.OpFollowTag}

// Outcome is what a refused request means for its item and its run. The
// outcome policy below is the one place that decides it, for every lane:
// the replay, the list batches, the posts and their media, the bulk
// imports and the move.
type Outcome string

const (
	Failed Outcome = "failed" // the item's own refusal: final, with its reason
	Retry  Outcome = "retry"  // may pass next time: a later run tries again
	Abort  Outcome = "abort"  // the run ends: every later request would fail the same way
	Defer  Outcome = "defer"  // the daily follow limit: deferred, or waited for with --wait
	Stop   Outcome = "stop"   // the lane stops here; what is left waits for a later run
	Fresh  Outcome = "fresh"  // upload the post's media again, then send once more
)

// Attempt is what the caller knows of a refused request besides its
// error.
type Attempt struct {
	Op    journal.Op
	Media bool // a post's first attempt, with media uploaded
	// Earlier is the server error (a 5xx status) the item's last record
	// from an earlier run carries, 0 when none (Journal.Earlier).
	Earlier int
}

// refusal is what the policy looks at: the error, its status, and what
// the caller knows about the attempt.
type refusal struct {
	Attempt
	err    error
	status int // 0 when the server gave no answer
	msg    string
	daily  bool // the daily follow limit
}

// rule is one row of the policy: for these ops (nil: every op), when
// the refusal matches, this outcome.
type rule struct {
	name string
	ops  []journal.Op
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

// RuleServerTwice is the row that ends a server error's retries.
const RuleServerTwice = "same server error in two runs"

// serverTwice: the same 5xx for the same item in a run after one that
// already retried it is the server's own failure with this item (Mastodon
// 4.2–4.3 answer 500 for every refused featured tag,
// app/services/create_featured_tag_service.rb), not a passing one.
func serverTwice(r refusal) bool { return r.status >= 500 && r.status == r.Earlier }

// policy is read top down; the first matching row decides.
var policy = []rule{
	// An import refused for any reason queued nothing: the replay that
	// follows sends every item and meets the refusal item by item. An
	// import whose answer was lost may be on the server's queue: watch it.
	{"import refused", []journal.Op{journal.OpImport}, answered, Failed},
	{"import answer lost", []journal.Op{journal.OpImport}, always, Retry},
	// GoToSocial answers a wrong password with 400 and a refused move
	// (alias not seen yet, a move within 7 days) with 422
	// (internal/api/client/accounts/move.go): the person may try again.
	{"move refused", []journal.Op{journal.OpMove}, status(400, 422), Failed},

	{"token refused", nil, func(r refusal) bool { return errors.Is(r.err, api.ErrUnauthorized) }, Abort},
	// Doorkeeper's words (config/locales/doorkeeper.en.yml): a status
	// alone cannot tell this from a refused item.
	{"token lacks a scope", nil, func(r refusal) bool {
		return r.status == 403 && strings.Contains(r.msg, "outside the authorized scopes")
	}, Abort},
	{"instance unreachable", nil, func(r refusal) bool { return errors.Is(r.err, api.ErrUnreachable) }, Abort},
	{"daily follow limit", DailyFollowOps, func(r refusal) bool { return r.daily }, Defer},
	// No item stays "retry" for the same server error across runs: the
	// transport has retried within the run, a later run tried once more.
	{RuleServerTwice, nil, serverTwice, Failed},

	// What GoToSocial refuses with 403 besides a disabled switch
	// (replies to others, mentions of others, polls) is never sent: the
	// plan leaves it out. So a 403 means backdating is off
	// (internal/processing/status/create.go), and stops the rest.
	{"backdating off", []journal.Op{journal.OpCreateStatus}, status(403), Stop},
	// The media an earlier run uploaded may be gone or attached elsewhere
	// meanwhile (unattached uploads are cleaned up): a 400 for a post
	// with media is worth one fresh upload; a second 400 is the post's.
	{"media gone", []journal.Op{journal.OpCreateStatus}, func(r refusal) bool { return r.status == 400 && r.Media }, Fresh},
	{"media refused", []journal.Op{journal.OpUploadMedia}, clientError, Failed},
	// A media file the server cannot take now stops the posts: the post
	// would go without it.
	{"media not taken now", []journal.Op{journal.OpUploadMedia}, always, Stop},

	{"timeout", nil, status(408), Retry},
	{"refused", nil, refused, Failed},
	// A post without an answer may have been made: it stays "sending",
	// and the next run looks for it before sending it again.
	{"no answer", nil, always, Retry},
}

// Of is the policy's outcome for an attempt refused with err, and the
// name of the row that decided.
func Of(a Attempt, err error) (Outcome, string) {
	r := refusal{Attempt: a, err: err}
	var ae *api.Error
	if errors.As(err, &ae) {
		r.status, r.msg = ae.Status, ae.Message
	}
	var rl *api.RateLimitError
	r.daily = errors.As(err, &rl) && rl.Daily
	for _, row := range policy {
		if (row.ops == nil || slices.Contains(row.ops, a.Op)) && row.when(r) {
			return row.then, row.name
		}
	}
	return Retry, "" // not reached: the last row matches always
}

// Decide is Of for a request of op refused with err when nothing else is
// known of the attempt (the move, migrate/move).
func Decide(op journal.Op, err error) Outcome {
	out, _ := Of(Attempt{Op: op}, err)
	return out
}

// Aborted is the error that ends a run for an Abort, in words.
func Aborted(rule string, err error) error {
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

// Fatal is the error that ends the run when err does for any op, or nil
// when err is the item's alone.
func Fatal(err error) error {
	if out, rule := Of(Attempt{}, err); out == Abort {
		return Aborted(rule, err)
	}
	return nil
}

// Classify turns a refusal of one item into that item's outcome; the
// caller (Runner.step in migrate/run.go) has dealt with rate limits and
// errors that end the run. earlier is the item's last record from an
// earlier run. A server error is journaled with its status, for the next
// run's decision.
func Classify(s journal.Step, err error, earlier journal.Record) journal.Record {
	var ae *api.Error
	if !errors.As(err, &ae) {
		return journal.Record{Status: journal.StatusRetry, Reason: "temporary: " + err.Error()}
	}
	rec := journal.Record{Status: journal.StatusRetry, Reason: "temporary: " + err.Error()}
	if ae.Status >= 500 {
		rec.HTTPStatus = ae.Status
	}
	switch out, rule := Of(Attempt{Op: s.Op, Earlier: earlier.HTTPStatus}, err); {
	case rule == RuleServerTwice:
		rec.Status, rec.Reason = journal.StatusFailed, ServerFailed(ae)
	case out == Failed:
		rec.Status, rec.Reason = journal.StatusFailed, ReasonOf(s, ae)
	}
	return rec
}

// ReasonOf says in words why the instance refused an item. The status
// decides; the server's text is added for what it may tell a person.
func ReasonOf(s journal.Step, ae *api.Error) string {
	status := func(what string) string {
		if ae.Message == "" || ae.Message == "Not Found" || ae.Message == "Record not found" {
			return what
		}
		return what + " (" + ae.Message + ")"
	}
	switch {
	case ae.Status == 404 && (s.Op == journal.OpBookmark || s.Op == journal.OpFavourite):
		return status("the post was not found (deleted, or its server did not answer)")
	case ae.Status == 404 || ae.Status == 410:
		return status("not found on the new instance (deleted, or suspended)")
	case ae.Status == 403 && (s.Op == journal.OpFollow || s.Op == journal.OpRefollow):
		return status("refused: the account moved, blocks you, or its domain is blocked")
	case ae.Status == 403 && s.Op == journal.OpFavourite:
		return status("refused: the author blocks you")
	case ae.Message != "":
		return fmt.Sprintf("refused by the new instance (%d): %s", ae.Status, ae.Message)
	}
	return fmt.Sprintf("refused by the new instance (%d)", ae.Status)
}

// ServerFailed says why an item failed for a server error met in two
// runs: the status and the request, which the server's admin can look up.
func ServerFailed(ae *api.Error) string {
	return fmt.Sprintf("the server answered %d to %s %s in two runs (an error on its side; its admin can look the request up in its logs)",
		ae.Status, ae.Method, ae.Path)
}

// After a refused list batch, the target's state decides each member
// (servers add a batch whole or not at all, and name one reason in words
// that differ by server and version). These outcomes come from that
// re-read, not from an error.
const (
	Done        Outcome = "done"         // already there
	Waiting     Outcome = "waiting"      // for a follow request to be accepted
	NotFollowed Outcome = "not_followed" // the follow comes first (or was refused)
	Alone       Outcome = "alone"        // send it alone: its own answer tells what is wrong
)

// Member is a list member as the re-read shows it.
type Member struct {
	OnList, Known, Following, Requested bool
	NeedAccepted                        bool // the server lists only accepted follows
	// Gone: the account itself reads as not found or suspended, whatever
	// its relationship says (GoToSocial answers one, all false, for an
	// account it does not have).
	Gone bool
}

var memberPolicy = []struct {
	name string
	when func(m Member) bool
	then Outcome
}{
	{"already on the list", func(m Member) bool { return m.OnList }, Done},
	// Not "not followed": no follow can come. Sent alone, its own answer
	// reports it as Mastodon's missing relationship does.
	{"account gone", func(m Member) bool { return m.Gone }, Alone},
	{"request not accepted", func(m Member) bool { return m.Known && m.Requested && !m.Following && m.NeedAccepted }, Waiting},
	{"not followed", func(m Member) bool { return m.Known && !m.Following && !m.Requested }, NotFollowed},
	// Followed (or, where that is enough, requested).
	{"followed", func(Member) bool { return true }, Alone},
}

// SettleMember is the outcome of a member of a refused batch.
func SettleMember(m Member) Outcome {
	for _, row := range memberPolicy {
		if row.when(m) {
			return row.then
		}
	}
	return Alone
}
