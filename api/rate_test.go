package api

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		headers map[string]string
		reset   time.Time
		ok      bool
	}{
		{"Mastodon: ISO 8601 with microseconds", map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "7",
			"X-RateLimit-Reset": "2026-03-01T12:05:00.000000Z"}, now.Add(5 * time.Minute), true},
		{"lower-case names, Unix seconds", map[string]string{"x-ratelimit-limit": "300", "x-ratelimit-remaining": "7",
			"x-ratelimit-reset": "1772366700"}, time.Unix(1772366700, 0), true},
		{"seconds to wait", map[string]string{"X-Ratelimit-Limit": "300", "X-Ratelimit-Remaining": "7",
			"X-Ratelimit-Reset": "90"}, now.Add(90 * time.Second), true},
		{"no headers", map[string]string{}, time.Time{}, false},
		{"garbage reset", map[string]string{"X-RateLimit-Limit": "1", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "soon"}, time.Time{}, false},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range tt.headers {
			h[k] = []string{v} // as sent: not canonicalised
		}
		// net/http canonicalises names when it reads a response; do the same.
		canon := http.Header{}
		for k, v := range h {
			canon[http.CanonicalHeaderKey(k)] = v
		}
		r, ok := parseRate(canon, now)
		if ok != tt.ok || (ok && (!r.Reset.Equal(tt.reset) || r.Limit != 300 || r.Remaining != 7)) {
			t.Errorf("%s: %+v %v", tt.name, r, ok)
		}
	}
}

// TestResetOnOurClock: a server whose clock is an hour ahead of ours says
// its window resets in five minutes; we wait five minutes, not an hour
// and five (nor hammer a window whose reset is already past for us).
func TestResetOnOurClock(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	server := now.Add(time.Hour)
	h := http.Header{}
	h.Set("Date", server.Format(http.TimeFormat))
	h.Set("X-RateLimit-Limit", "300")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", server.Add(5*time.Minute).Format(time.RFC3339Nano))
	r, ok := parseRate(h, now)
	if !ok || !r.Reset.Equal(now.Add(5*time.Minute)) {
		t.Errorf("reset %v (ok %v), want %v", r.Reset, ok, now.Add(5*time.Minute))
	}
}
