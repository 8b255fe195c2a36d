package migrate

import (
	"fmt"
	"slices"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/outcome"
)

// The one estimator of request time: the replay's (changes.go estimate),
// the posts' (Session.postPlan) and the lanes' (EstimateLanes) read the
// allowance the capability table gives or the server reported.

// spendsDailyFollows says whether op counts against the daily follow
// allowance (outcome.DailyFollowOps says why those ops).
func spendsDailyFollows(op journal.Op) bool { return slices.Contains(outcome.DailyFollowOps, op) }

// followDays is how many days n follows take at perDay a day.
func followDays(n, perDay int) int { return (n + perDay - 1) / perDay }

// requestWindows is how many of the allowance's windows requests take.
func requestWindows(requests int, a api.Allowance) int {
	return (requests + a.Requests - 1) / a.Requests
}

// requestWait is how long requests wait for the allowance: every window
// after the first.
func requestWait(requests int, a api.Allowance) time.Duration {
	return time.Duration(max(requestWindows(requests, a)-1, 0)) * a.Period
}

// requestsText says it: "320 requests at 300 per 5 minutes: about 5
// minutes".
func requestsText(requests int, a api.Allowance) string {
	rate := fmt.Sprintf("%s at %d per %s", plural(requests, "request"), a.Requests, minutes(a.Period))
	switch mins := requestWait(requests, a).Minutes(); {
	case mins < 5:
		return rate + ": a few minutes"
	case mins < 120:
		return fmt.Sprintf("%s: about %.0f minutes", rate, mins)
	default:
		return fmt.Sprintf("%s: about %.1f hours", rate, mins/60)
	}
}

// minutes writes a window's length: "5 minutes", "1 hour".
func minutes(d time.Duration) string {
	if d%time.Hour == 0 {
		return plural(int(d/time.Hour), "hour")
	}
	return plural(int(d/time.Minute), "minute")
}
