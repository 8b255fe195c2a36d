package migrate

import (
	"context"
	"errors"
	"fmt"
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
		op    Op
		err   error
		media bool
		want  Outcome
	}{
		// The replay's items.
		{OpFollow, status(404, ""), false, OutcomeFailed},
		{OpFollow, status(403, "blocked"), false, OutcomeFailed},
		{OpFollow, status(422, ""), false, OutcomeFailed},
		{OpFollow, status(500, ""), false, OutcomeRetry},
		{OpFollow, status(503, ""), false, OutcomeRetry},
		{OpFollow, status(408, ""), false, OutcomeRetry},
		{OpFollow, lost, false, OutcomeRetry},
		{OpFollow, daily, false, OutcomeDefer},
		{OpRefollow, daily, false, OutcomeDefer},
		{OpBlock, daily, false, OutcomeRetry}, // only follows count against the daily limit
		{OpMute, paced, false, OutcomeRetry},
		{OpBookmark, unauthorized, false, OutcomeAbort},
		{OpAddToList, scope, false, OutcomeAbort},
		{OpFavourite, unreachable, false, OutcomeAbort},
		{OpFavourite, status(403, "blocked"), false, OutcomeFailed},
		// Posts and their media.
		{OpCreateStatus, status(403, "backdating is disabled"), false, OutcomeStop},
		{OpCreateStatus, scope, false, OutcomeAbort},
		{OpCreateStatus, status(400, "media"), true, OutcomeFresh},
		{OpCreateStatus, status(400, "media"), false, OutcomeFailed},
		{OpCreateStatus, status(422, ""), false, OutcomeFailed},
		{OpCreateStatus, status(408, ""), false, OutcomeRetry},
		{OpCreateStatus, status(502, ""), false, OutcomeRetry},
		{OpCreateStatus, lost, false, OutcomeRetry},
		{OpUploadMedia, status(422, "unsupported"), false, OutcomeFailed},
		{OpUploadMedia, status(408, ""), false, OutcomeFailed},
		{OpUploadMedia, status(500, ""), false, OutcomeStop},
		{OpUploadMedia, lost, false, OutcomeStop},
		{OpUploadMedia, unauthorized, false, OutcomeAbort},
		// The bulk import: refused or lost, never the end of the run.
		{OpImport, status(400, ""), false, OutcomeFailed},
		{OpImport, unauthorized, false, OutcomeFailed},
		{OpImport, lost, false, OutcomeRetry},
		// The move.
		{OpMove, status(400, "wrong password"), false, OutcomeFailed},
		{OpMove, status(422, "alias not found"), false, OutcomeFailed},
		{OpMove, unauthorized, false, OutcomeAbort},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%v", tt.op, tt.err), func(t *testing.T) {
			if got, rule := decide(tt.op, tt.err, tt.media); got != tt.want {
				t.Errorf("decide(%s, %v, media %v) = %s (row %q), want %s", tt.op, tt.err, tt.media, got, rule, tt.want)
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
