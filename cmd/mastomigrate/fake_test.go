package main

import (
	"context"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// testStart is when every end-to-end test on a pinned clock starts:
// before the sample's mutes expire (2027-01-01 and 2027-06-01, written by
// archive/archivetest), so the sample means the same whatever the date
// the tests run on.
var testStart = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testClock moves only when the code sleeps or the test advances it, so
// no assertion depends on how fast the machine is: a pacer's wait or a
// wait for a 429's reset takes no wall time. A sleeper yields a moment
// of real time (at most a millisecond), so that a poll for another
// goroutine's answer (the pacer waits 1 ms for the first one) does not
// spin.
type testClock struct{ *mastotest.ManualClock }

func (c testClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.Advance(d)
	time.Sleep(min(d, time.Millisecond))
	return ctx.Err()
}

// newFake starts a fake server of flavour fl on a testClock at testStart;
// migrateFactory gives the client the same clock.
func newFake(t testing.TB, fl mastotest.Flavour, opts ...mastotest.Option) (*mastotest.Server, testClock) {
	clock := testClock{mastotest.NewManualClock(testStart)}
	s := mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithFlavour(fl), mastotest.WithClock(clock)}, opts...)...)
	return s, clock
}

// eachFlavour runs fn as a subtest per server flavour the fake plays.
func eachFlavour(t *testing.T, fn func(t *testing.T, fl mastotest.Flavour)) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) { fn(t, fl) })
	}
}

// eachFlavourParallel is eachFlavour with the subtests in parallel, for
// tests that mostly wait on the network or on programs they started.
func eachFlavourParallel(t *testing.T, fn func(t *testing.T, fl mastotest.Flavour)) {
	for _, fl := range mastotest.Flavours() {
		t.Run(fl.String(), func(t *testing.T) {
			t.Parallel()
			fn(t, fl)
		})
	}
}
