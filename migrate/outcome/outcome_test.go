package outcome

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
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
		op      journal.Op
		err     error
		media   bool
		earlier int // the 5xx the item's record from an earlier run carries
		want    Outcome
	}{
		// The replay's items.
		{journal.OpFollow, status(404, ""), false, 0, Failed},
		{journal.OpFollow, status(403, "blocked"), false, 0, Failed},
		{journal.OpFollow, status(422, ""), false, 0, Failed},
		{journal.OpFollow, status(500, ""), false, 0, Retry},
		{journal.OpFollow, status(503, ""), false, 0, Retry},
		{journal.OpFollow, status(408, ""), false, 0, Retry},
		{journal.OpFollow, lost, false, 0, Retry},
		{journal.OpFollow, daily, false, 0, Defer},
		{journal.OpRefollow, daily, false, 0, Defer},
		{journal.OpBlock, daily, false, 0, Retry}, // only follows count against the daily limit
		{journal.OpMute, paced, false, 0, Retry},
		{journal.OpBookmark, unauthorized, false, 0, Abort},
		{journal.OpAddToList, scope, false, 0, Abort},
		{journal.OpFavourite, unreachable, false, 0, Abort},
		{journal.OpFavourite, status(403, "blocked"), false, 0, Failed},
		// Posts and their media.
		{journal.OpCreateStatus, status(403, "backdating is disabled"), false, 0, Stop},
		{journal.OpCreateStatus, scope, false, 0, Abort},
		{journal.OpCreateStatus, status(400, "media"), true, 0, Fresh},
		{journal.OpCreateStatus, status(400, "media"), false, 0, Failed},
		{journal.OpCreateStatus, status(422, ""), false, 0, Failed},
		{journal.OpCreateStatus, status(408, ""), false, 0, Retry},
		{journal.OpCreateStatus, status(502, ""), false, 0, Retry},
		{journal.OpCreateStatus, lost, false, 0, Retry},
		{journal.OpUploadMedia, status(422, "unsupported"), false, 0, Failed},
		{journal.OpUploadMedia, status(408, ""), false, 0, Failed},
		{journal.OpUploadMedia, status(500, ""), false, 0, Stop},
		{journal.OpUploadMedia, lost, false, 0, Stop},
		{journal.OpUploadMedia, unauthorized, false, 0, Abort},
		// The bulk import: refused or lost, never the end of the run.
		{journal.OpImport, status(400, ""), false, 0, Failed},
		{journal.OpImport, unauthorized, false, 0, Failed},
		{journal.OpImport, lost, false, 0, Retry},
		// The move.
		{journal.OpMove, status(400, "wrong password"), false, 0, Failed},
		{journal.OpMove, status(422, "alias not found"), false, 0, Failed},
		{journal.OpMove, unauthorized, false, 0, Abort},
		// A server error is retried in the next run; met again there, for
		// the same item, it fails the item, in every lane.
		{journal.OpFeatureTag, status(500, ""), false, 0, Retry},
		{journal.OpFeatureTag, status(500, ""), false, 500, Failed},
		{journal.OpFeatureTag, status(500, ""), false, 503, Retry}, // another answer: another chance
		{journal.OpFeatureTag, status(422, ""), false, 500, Failed},
		{journal.OpFeatureTag, lost, false, 500, Retry},
		{journal.OpBlock, status(503, ""), false, 503, Failed},
		{journal.OpFollow, status(502, ""), false, 502, Failed},
		{journal.OpFollow, daily, false, 500, Defer},
		{journal.OpAddToList, status(500, ""), false, 500, Failed},
		{journal.OpCreateStatus, status(500, ""), false, 500, Failed},
		{journal.OpCreateStatus, status(500, ""), true, 500, Failed},
		{journal.OpBookmark, unauthorized, false, 500, Abort},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v/%d", tt.op, tt.err, tt.earlier), func(t *testing.T) {
			if got, rule := Of(Attempt{Op: tt.op, Media: tt.media, Earlier: tt.earlier}, tt.err); got != tt.want {
				t.Errorf("Of(%s, %v, media %v, earlier %d) = %s (row %q), want %s", tt.op, tt.err, tt.media, tt.earlier, got, rule, tt.want)
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
		got := Fatal(tt.err)
		if tt.want == "" && got != nil || tt.want != "" && (got == nil || !strings.HasPrefix(got.Error(), tt.want) || !errors.Is(got, tt.err)) {
			t.Errorf("fatal(%v) = %v, want %q", tt.err, got, tt.want)
		}
	}
}

// TestSettleMember: after a refused batch, the target's state decides.
func TestSettleMember(t *testing.T) {
	for _, tt := range []struct {
		name string
		m    Member
		want Outcome
	}{
		{"on the list", Member{OnList: true, Known: true}, Done},
		{"on the list, unknown relationship", Member{OnList: true}, Done},
		{"requested, server needs accepted", Member{Known: true, Requested: true, NeedAccepted: true}, Waiting},
		{"requested, server takes requests", Member{Known: true, Requested: true}, Alone},
		{"not followed", Member{Known: true}, NotFollowed},
		{"not followed, account gone", Member{Known: true, Gone: true}, Alone},
		{"followed", Member{Known: true, Following: true, NeedAccepted: true}, Alone},
		{"relationship not read", Member{}, Alone},
	} {
		if got := SettleMember(tt.m); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
}

// TestClassifyServerError: what the journal keeps of a server error, run
// after run: a retry with its status first, then, for the same status
// again, a failure that names the status and the request.
func TestClassifyServerError(t *testing.T) {
	s := journal.Step{ID: "feature_tag mastoart", Op: journal.OpFeatureTag, Category: "featured_tags", Item: "#MastoArt"}
	answer := func(code int) error {
		return &api.Error{Status: code, Method: "POST", Path: "/api/v1/featured_tags", Message: http.StatusText(code)}
	}
	for _, tt := range []struct {
		name       string
		err        error
		earlier    journal.Record
		want       journal.Status
		wantStatus int
		wantReason string
	}{
		{"first 500", answer(500), journal.Record{}, journal.StatusRetry, 500, "temporary: POST /api/v1/featured_tags: 500"},
		{"500 after a retried 500", answer(500), journal.Record{Status: journal.StatusRetry, HTTPStatus: 500}, journal.StatusFailed, 500,
			"the server answered 500 to POST /api/v1/featured_tags in two runs"},
		{"500 after a retried 503", answer(500), journal.Record{Status: journal.StatusRetry, HTTPStatus: 503}, journal.StatusRetry, 500, "temporary:"},
		{"500 after a lost answer", answer(500), journal.Record{Status: journal.StatusRetry}, journal.StatusRetry, 500, "temporary:"},
		{"422 after a retried 500", answer(422), journal.Record{Status: journal.StatusRetry, HTTPStatus: 500}, journal.StatusFailed, 0, "refused by the new instance (422)"},
		{"lost after a retried 500", errors.New("connection reset"), journal.Record{Status: journal.StatusRetry, HTTPStatus: 500}, journal.StatusRetry, 0, "temporary: connection reset"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Classify(s, tt.err, tt.earlier)
			if got.Status != tt.want || got.HTTPStatus != tt.wantStatus || !strings.HasPrefix(got.Reason, tt.wantReason) {
				t.Errorf("Classify = %s %d %q, want %s %d %q…", got.Status, got.HTTPStatus, got.Reason, tt.want, tt.wantStatus, tt.wantReason)
			}
		})
	}
}
