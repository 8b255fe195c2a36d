package main

import (
	"slices"

	"github.com/mastomigrate/mastomigrate/migrate"
)

// countSkipped adds to a run's summary the items skipped before the replay
// (not found, suspended, the account itself), which the journal and
// `report` list as skipped: without them the summary said "0 skipped"
// above a report of two. Moved accounts are carried at their new address,
// and follows the export's own blocks end are not items to carry.
func countSkipped(sum *migrate.Summary, problems []migrate.Problem, only, skip []string) {
	if sum == nil {
		return
	}
	for _, p := range problems {
		if p.Kind == "moved" || p.Kind == "blocked" || p.Kind == "pending" ||
			len(only) > 0 && !slices.Contains(only, p.Category) || slices.Contains(skip, p.Category) {
			continue
		}
		i := slices.IndexFunc(sum.Rows, func(r *migrate.SummaryRow) bool { return r.Category == p.Category })
		if i < 0 {
			sum.Rows = append(sum.Rows, &migrate.SummaryRow{Category: p.Category})
			i = len(sum.Rows) - 1
		}
		sum.Rows[i].Skipped++
	}
	slices.SortStableFunc(sum.Rows, func(a, b *migrate.SummaryRow) int {
		return slices.Index(migrate.Categories, a.Category) - slices.Index(migrate.Categories, b.Category)
	})
}
