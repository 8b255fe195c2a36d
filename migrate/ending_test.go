package migrate_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/mastomigrate/mastomigrate/migrate"
)

// TestEndingOf: one decision of how a run ended, for every face.
func TestEndingOf(t *testing.T) {
	stopped := &migrate.StoppedError{Phase: migrate.PhaseReplay, Err: context.Canceled}
	tests := []struct {
		name string
		sum  *migrate.Summary
		err  error
		want migrate.Ending
	}{
		{"complete", &migrate.Summary{Finished: true}, nil, migrate.EndComplete},
		{"nothing to send", &migrate.Summary{}, nil, migrate.EndComplete},
		{"waiting for approval", &migrate.Summary{Finished: true, WaitingApproval: true}, nil, migrate.EndWaitingApproval},
		{"--only", &migrate.Summary{Partial: true}, nil, migrate.EndPartial},
		// A stop wraps the context's error: it is a stop, journaled, not
		// a cancellation before anything was sent.
		{"stopped", &migrate.Summary{}, stopped, migrate.EndStopped},
		{"stopped, wrapped", nil, fmt.Errorf("run: %w", stopped), migrate.EndStopped},
		{"cancelled", nil, context.Canceled, migrate.EndCancelled},
		{"daily limit", &migrate.Summary{}, &migrate.DeferredError{Follows: 3}, migrate.EndDeferred},
		{"retry", &migrate.Summary{}, &migrate.RetryError{Items: 2}, migrate.EndRetry},
		{"declined", nil, migrate.ErrNotConfirmed, migrate.EndDeclined},
		{"failed", nil, errors.New("boom"), migrate.EndFailed},
		{"failed with a summary", &migrate.Summary{Finished: true}, &migrate.ServerFailedError{}, migrate.EndFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := migrate.EndingOf(tt.sum, tt.err); got != tt.want {
				t.Errorf("EndingOf = %q, want %q", got, tt.want)
			}
		})
	}
}
