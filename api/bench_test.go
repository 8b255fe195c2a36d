package api_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// BenchmarkResolve resolves 1,000 distinct accounts (half unknown to the
// server until searched), then all of them again, and reports requests
// per distinct account (target: at most 1; the second pass is free).
func BenchmarkResolve(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := mastotest.NewServer(b, mastotest.WithLimits(mastotest.Limits{}))
		var handles []string
		for i := 0; i < 1000; i++ {
			h := fmt.Sprintf("user%d@server%d.example", i, i%37)
			s.AddHandle(h, mastotest.Account{Unknown: i%2 == 0})
			handles = append(handles, h)
		}
		c := newClient(b, s, api.Options{})
		c.Domain(context.Background())
		before := s.Count("")
		b.StartTimer()
		for pass := 0; pass < 2; pass++ {
			for _, h := range handles {
				if _, err := c.Resolve(context.Background(), h); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(s.Count("")-before)/float64(len(handles)), "requests/account")
	}
}

// BenchmarkReadState reads 1,000 follows, 1,000 blocks and 1,000 domain
// blocks and reports pages against the fewest Mastodon's pagination
// allows: pages of 80 accounts and 200 domains, and since it links a next
// page whenever a page is full, floor(N/size)+1 (1,000 domains in exactly
// five pages cost a sixth, empty one).
func BenchmarkReadState(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		s := mastotest.NewServer(b, mastotest.WithLimits(mastotest.Limits{}))
		for i := 0; i < 1000; i++ {
			s.SeedFollow(s.AddHandle(fmt.Sprintf("f%d@x.example", i), mastotest.Account{}), mastotest.FollowState{})
			s.SeedBlock(s.AddHandle(fmt.Sprintf("b%d@y.example", i), mastotest.Account{}))
			s.SeedDomainBlock(fmt.Sprintf("d%d.example", i))
		}
		c := newClient(b, s, api.Options{})
		ctx := context.Background()
		b.StartTimer()
		for _, err := range c.Following(ctx, s.MeID) {
			if err != nil {
				b.Fatal(err)
			}
		}
		for _, err := range c.Blocks(ctx) {
			if err != nil {
				b.Fatal(err)
			}
		}
		for _, err := range c.DomainBlocks(ctx) {
			if err != nil {
				b.Fatal(err)
			}
		}
		fewest := (1000/80+1)*2 + 1000/200 + 1
		b.ReportMetric(float64(s.Count(""))/float64(fewest), "pages/fewest")
	}
}

// BenchmarkPacing sends a burst of 1,000 GETs, 8 at a time, under
// Mastodon's 300 requests per 5 minutes, on a clock 3,000 times faster
// than the wall. It reports the 429s (target 0) and the time taken
// against what the allowance permits: starting at a window's start,
// ceil(1000/300)-1 = 3 windows of waiting, 15 minutes (target <= 1.05).
func BenchmarkPacing(b *testing.B) {
	const n, workers = 1000, 8
	for b.Loop() {
		start := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		clock := api.NewScaledClock(start, 3000)
		s := mastotest.NewServer(b, mastotest.WithClock(clock))
		c := newClient(b, s, api.Options{Clock: clock})
		jobs := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range jobs {
					if _, err := c.Me(context.Background()); err != nil {
						b.Error(err)
					}
				}
			}()
		}
		for i := 0; i < n; i++ {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		bound := time.Duration((n+299)/300-1) * 5 * time.Minute
		b.ReportMetric(float64(s.Throttled()), "429s")
		b.ReportMetric(float64(clock.Now().Sub(start))/float64(bound), "x-allowance")
	}
}
