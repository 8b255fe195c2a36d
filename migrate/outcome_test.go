package migrate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
)

// TestOutcomePolicy is the policy as a table: op × refusal → outcome, for
// every lane.
func TestOutcomePolicy(t *testing.T) {
	status := func(code int, msg string) error {
		return fmt.Errorf("wrapped: %w", &api.Error{Status: code, Method: "POST", Path: "/x", Message: msg})
	}
	daily := &api.RateLimitError{Daily: true}
	paced := &api.RateLimitError{}
	lost := errors.New("connection reset")
	unauthorized := fmt.Errorf("%w: %w", api.ErrUnauthorized, &api.Error{Status: 401})
	scope := status(403, "This action is outside the authorized scopes")
	unreachable := fmt.Errorf("new.example: %w", api.ErrUnreachable)
	tests := []struct {
		op      Op
		err     error
		media   bool
		earlier int // the 5xx the item's record from an earlier run carries
		want    Outcome
	}{
		// The replay's items.
		{OpFollow, status(404, ""), false, 0, OutcomeFailed},
		{OpFollow, status(403, "blocked"), false, 0, OutcomeFailed},
		{OpFollow, status(422, ""), false, 0, OutcomeFailed},
		{OpFollow, status(500, ""), false, 0, OutcomeRetry},
		{OpFollow, status(503, ""), false, 0, OutcomeRetry},
		{OpFollow, status(408, ""), false, 0, OutcomeRetry},
		{OpFollow, lost, false, 0, OutcomeRetry},
		{OpFollow, daily, false, 0, OutcomeDefer},
		{OpRefollow, daily, false, 0, OutcomeDefer},
		{OpBlock, daily, false, 0, OutcomeRetry}, // only follows count against the daily limit
		{OpMute, paced, false, 0, OutcomeRetry},
		{OpBookmark, unauthorized, false, 0, OutcomeAbort},
		{OpAddToList, scope, false, 0, OutcomeAbort},
		{OpFavourite, unreachable, false, 0, OutcomeAbort},
		{OpFavourite, status(403, "blocked"), false, 0, OutcomeFailed},
		// Posts and their media.
		{OpCreateStatus, status(403, "backdating is disabled"), false, 0, OutcomeStop},
		{OpCreateStatus, scope, false, 0, OutcomeAbort},
		{OpCreateStatus, status(400, "media"), true, 0, OutcomeFresh},
		{OpCreateStatus, status(400, "media"), false, 0, OutcomeFailed},
		{OpCreateStatus, status(422, ""), false, 0, OutcomeFailed},
		{OpCreateStatus, status(408, ""), false, 0, OutcomeRetry},
		{OpCreateStatus, status(502, ""), false, 0, OutcomeRetry},
		{OpCreateStatus, lost, false, 0, OutcomeRetry},
		{OpUploadMedia, status(422, "unsupported"), false, 0, OutcomeFailed},
		{OpUploadMedia, status(408, ""), false, 0, OutcomeFailed},
		{OpUploadMedia, status(500, ""), false, 0, OutcomeStop},
		{OpUploadMedia, lost, false, 0, OutcomeStop},
		{OpUploadMedia, unauthorized, false, 0, OutcomeAbort},
		// The bulk import: refused or lost, never the end of the run.
		{OpImport, status(400, ""), false, 0, OutcomeFailed},
		{OpImport, unauthorized, false, 0, OutcomeFailed},
		{OpImport, lost, false, 0, OutcomeRetry},
		// The move.
		{OpMove, status(400, "wrong password"), false, 0, OutcomeFailed},
		{OpMove, status(422, "alias not found"), false, 0, OutcomeFailed},
		{OpMove, unauthorized, false, 0, OutcomeAbort},
		// A server error is retried in the next run; met again there, for
		// the same item, it fails the item, in every lane.
		{OpFeatureTag, status(500, ""), false, 0, OutcomeRetry},
		{OpFeatureTag, status(500, ""), false, 500, OutcomeFailed},
		{OpFeatureTag, status(500, ""), false, 503, OutcomeRetry}, // another answer: another chance
		{OpFeatureTag, status(422, ""), false, 500, OutcomeFailed},
		{OpFeatureTag, lost, false, 500, OutcomeRetry},
		{OpBlock, status(503, ""), false, 503, OutcomeFailed},
		{OpFollow, status(502, ""), false, 502, OutcomeFailed},
		{OpFollow, daily, false, 500, OutcomeDefer},
		{OpAddToList, status(500, ""), false, 500, OutcomeFailed},
		{OpCreateStatus, status(500, ""), false, 500, OutcomeFailed},
		{OpCreateStatus, status(500, ""), true, 500, OutcomeFailed},
		{OpBookmark, unauthorized, false, 500, OutcomeAbort},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v/%d", tt.op, tt.err, tt.earlier), func(t *testing.T) {
			if got, rule := decide(attempt{op: tt.op, media: tt.media, earlier: tt.earlier}, tt.err); got != tt.want {
				t.Errorf("decide(%s, %v, media %v, earlier %d) = %s (row %q), want %s", tt.op, tt.err, tt.media, tt.earlier, got, rule, tt.want)
			}
		})
	}
}

// TestOutcomeWords: the errors that end a run say why in words.
func TestOutcomeWords(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{fmt.Errorf("%w", api.ErrUnauthorized), "the instance no longer accepts the token"},
		{&api.Error{Status: 403, Message: "This action is outside the authorized scopes"}, "the token lacks a permission"},
		{context.Canceled, ""},
		{&api.Error{Status: 404}, ""},
	} {
		got := fatal(tt.err)
		if tt.want == "" && got != nil || tt.want != "" && (got == nil || !strings.HasPrefix(got.Error(), tt.want) || !errors.Is(got, tt.err)) {
			t.Errorf("fatal(%v) = %v, want %q", tt.err, got, tt.want)
		}
	}
}

// TestSettleMember: after a refused batch, the target's state decides.
func TestSettleMember(t *testing.T) {
	for _, tt := range []struct {
		name string
		m    member
		want Outcome
	}{
		{"on the list", member{onList: true, known: true}, OutcomeDone},
		{"on the list, unknown relationship", member{onList: true}, OutcomeDone},
		{"requested, server needs accepted", member{known: true, requested: true, needAccepted: true}, OutcomeWaiting},
		{"requested, server takes requests", member{known: true, requested: true}, OutcomeAlone},
		{"not followed", member{known: true}, OutcomeNotFollowed},
		{"followed", member{known: true, following: true, needAccepted: true}, OutcomeAlone},
		{"relationship not read", member{}, OutcomeAlone},
	} {
		if got := settleMember(tt.m); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestClassifyServerError: what the journal keeps of a server error, run
// after run: a retry with its status first, then, for the same status
// again, a failure that names the status and the request.
func TestClassifyServerError(t *testing.T) {
	s := Step{ID: "feature_tag mastoart", Op: OpFeatureTag, Category: "featured_tags", Item: "#MastoArt"}
	answer := func(code int) error {
		return &api.Error{Status: code, Method: "POST", Path: "/api/v1/featured_tags", Message: http.StatusText(code)}
	}
	for _, tt := range []struct {
		name       string
		err        error
		earlier    Record
		want       Status
		wantStatus int
		wantReason string
	}{
		{"first 500", answer(500), Record{}, StatusRetry, 500, "temporary: POST /api/v1/featured_tags: 500"},
		{"500 after a retried 500", answer(500), Record{Status: StatusRetry, HTTPStatus: 500}, StatusFailed, 500,
			"the server answered 500 to POST /api/v1/featured_tags in two runs"},
		{"500 after a retried 503", answer(500), Record{Status: StatusRetry, HTTPStatus: 503}, StatusRetry, 500, "temporary:"},
		{"500 after a lost answer", answer(500), Record{Status: StatusRetry}, StatusRetry, 500, "temporary:"},
		{"422 after a retried 500", answer(422), Record{Status: StatusRetry, HTTPStatus: 500}, StatusFailed, 0, "refused by the new instance (422)"},
		{"lost after a retried 500", errors.New("connection reset"), Record{Status: StatusRetry, HTTPStatus: 500}, StatusRetry, 0, "temporary: connection reset"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := classify(s, tt.err, tt.earlier)
			if got.Status != tt.want || got.HTTPStatus != tt.wantStatus || !strings.HasPrefix(got.Reason, tt.wantReason) {
				t.Errorf("classify = %s %d %q, want %s %d %q…", got.Status, got.HTTPStatus, got.Reason, tt.want, tt.wantStatus, tt.wantReason)
			}
		})
	}
}
