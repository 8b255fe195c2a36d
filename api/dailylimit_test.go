package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestDailyLimitAnswersOutOfOrder: a follow's answer arrives after a
// later one's, whose lower Remaining already counts it. While that
// follow is in flight the day is not spent: the next follow waits for
// its answer and goes out, instead of giving up with a day's wait.
func TestDailyLimitAnswersOutOfOrder(t *testing.T) {
	const limit = 4
	reset := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var mu sync.Mutex
	n := 0
	secondHeld := make(chan struct{})
	thirdAnswered := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.URL.Path, "/follow") {
			w.Write([]byte(`{}`))
			return
		}
		mu.Lock()
		n++
		k := n
		mu.Unlock()
		if k == 2 {
			close(secondHeld)
			<-thirdAnswered // answered after the third
		}
		w.Header().Set("X-RateLimit-Limit", strconv.Itoa(limit))
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(max(limit-k, 0)))
		w.Header().Set("X-RateLimit-Reset", reset.Format("2006-01-02T15:04:05.000000Z"))
		if k > limit {
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"error":"Too many requests"}`))
			return
		}
		fmt.Fprintf(w, `{"id":"%d","following":true}`, k)
	}))
	defer srv.Close()
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	c, err := api.New(srv.URL, api.Options{Token: "t", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	follow := func(id string) error { _, err := c.Follow(ctx, id, api.FollowOptions{}); return err }
	if err := follow("1"); err != nil { // learns the allowance: 3 left
		t.Fatal(err)
	}
	second := make(chan error, 1)
	go func() { second <- follow("2") }()
	<-secondHeld
	if err := follow("3"); err != nil { // answered first: 1 left, and 2 is in flight
		t.Fatal(err)
	}
	fourth := make(chan error, 1)
	go func() { fourth <- follow("4") }()
	time.Sleep(20 * time.Millisecond) // the fourth waits for the second's answer
	close(thirdAnswered)
	if err := <-second; err != nil {
		t.Fatal(err)
	}
	if err := <-fourth; err != nil {
		t.Errorf("the fourth follow of %d a day: %v", limit, err)
	}
	if n != limit {
		t.Errorf("%d follows sent, want %d", n, limit)
	}
}
