package migrate

import (
	"context"
	"errors"
)

// Ending is how a migration run ended: what Session.Run's summary and
// error come to. Every face decides by it and words it its own way.
type Ending string

const (
	EndComplete        Ending = "complete"         // finished: nothing left to carry
	EndWaitingApproval Ending = "waiting_approval" // finished but for what waits for follow requests
	EndPartial         Ending = "partial"          // --only or --skip left categories for another run
	EndStopped         Ending = "stopped"          // stopped (StoppedError): what was done is journaled
	EndCancelled       Ending = "cancelled"        // stopped before anything was sent
	EndDeferred        Ending = "deferred"         // the daily follow limit: continue at a time (DeferredError)
	EndRetry           Ending = "retry"            // items to try again in a later run (RetryError)
	EndDeclined        Ending = "declined"         // the person said no: nothing was changed
	EndFailed          Ending = "failed"
)

// EndingOf says how a run that returned sum and err ended.
func EndingOf(sum *Summary, err error) Ending {
	var (
		stopped  *StoppedError
		deferred *DeferredError
		retry    *RetryError
	)
	switch {
	case errors.As(err, &stopped):
		return EndStopped
	case errors.Is(err, context.Canceled):
		return EndCancelled
	case errors.As(err, &deferred):
		return EndDeferred
	case errors.As(err, &retry):
		return EndRetry
	case errors.Is(err, ErrNotConfirmed):
		return EndDeclined
	case err != nil:
		return EndFailed
	case sum == nil:
		return EndComplete
	case sum.Partial:
		return EndPartial
	case sum.WaitingApproval:
		return EndWaitingApproval
	}
	return EndComplete
}

// Finished says whether the run did all a run of ours can do now (of the
// categories chosen): the ones that end without an error.
func (e Ending) Finished() bool {
	return e == EndComplete || e == EndWaitingApproval || e == EndPartial
}
