package main

import (
	"context"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// benchMigrate migrates an export of n follows (plus a list of five, three
// blocks and two domain blocks) and returns the run's duration on clock
// and its start.
func benchMigrate(b *testing.B, s *mastotest.Server, clock api.Clock, n int, extra ...string) (time.Duration, time.Time) {
	b.Helper()
	export := writeExport(b, s, n)
	f, _, errOut := migrateFactory(b, s)
	f.Clock = clock
	start := clock.Now()
	if code := run(context.Background(), append([]string{"migrate", export, "--to", s.URL, "--yes"}, extra...), f); code != 0 {
		b.Fatalf("exit %d\n%s", code, errOut)
	}
	return clock.Now().Sub(start), start
}

// BenchmarkMigrateMastodonLimits migrates 390 follows (under the daily
// limit) and the rest with Mastodon's default limits, on a clock 25 times
// faster than the wall: slow enough that the run's own work (about half a
// millisecond a request) stays small beside the windows, so the wait is
// what is measured; it takes about 30 s. It reports writes per needed
// change (target 1.0: nothing sent twice or in vain; list members go 40 to
// a request, so they count one change per request), requests per migrated
// item, the 429s drawn, and the time taken against the bound the allowance
// sets from the run's start: 300 requests in the rest of the first 5-minute
// window, then 300 in each next one (target <= 1.05).
func BenchmarkMigrateMastodonLimits(b *testing.B) {
	const follows = 390
	for b.Loop() {
		clock := api.NewScaledClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), 25)
		s := mastotest.NewServer(b, mastotest.WithClock(clock))
		took, start := benchMigrate(b, s, clock, follows)
		items := follows + 1 + 5 + 3 + 2                          // follows, the list, its members, blocks, domain blocks
		needed := follows + 1 + (5+39)/40 + 3 + 2                 // one write each, members in batches of 40
		requests := s.Count("") - s.Count("GET /api/v2/instance") // the instance's domain is read once, without a token
		const period = 5 * time.Minute
		bound := start.Truncate(period).Add(period).Sub(start) + time.Duration((requests+299)/300-2)*period
		b.ReportMetric(float64(s.Writes())/float64(needed), "writes/change")
		b.ReportMetric(float64(requests)/float64(items), "requests/item")
		b.ReportMetric(float64(s.Throttled()), "429s")
		b.ReportMetric(float64(took)/float64(bound), "x-allowance")
	}
}

// BenchmarkConcurrency migrates 100 follows with 100 ms of latency on
// every request and an allowance never reached, once with one request in
// flight and once with eight, and reports the speed-up (target >= 6x).
func BenchmarkConcurrency(b *testing.B) {
	generous := mastotest.MastodonLimits()
	generous.Requests, generous.Paginated = 1_000_000, 1_000_000
	for b.Loop() {
		var took [2]time.Duration
		for i, c := range []string{"1", "8"} {
			s := mastotest.NewServer(b, mastotest.WithLimits(generous), mastotest.WithFaults(mastotest.Faults{Latency: 100 * time.Millisecond}, 1))
			took[i], _ = benchMigrate(b, s, api.SystemClock, 100, "--concurrency", c)
		}
		b.ReportMetric(took[0].Seconds(), "s-concurrency-1")
		b.ReportMetric(took[1].Seconds(), "s-concurrency-8")
		b.ReportMetric(float64(took[0])/float64(took[1]), "x-speedup")
	}
}
