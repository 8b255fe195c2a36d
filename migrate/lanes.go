package migrate

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// LaneEstimate is how long the follows, blocks and mutes take by each lane
// the server has: "API: 13 days; import: minutes". It is apart from
// Estimate (changes.go), which counts the per-item replay only.
type LaneEstimate struct {
	Follows int    `json:"follows"`
	APIDays int    `json:"api_days,omitempty"` // by the daily follow allowance; 0 when none
	Fastest string `json:"fastest"`            // api, import or web import
	Text    string `json:"text"`
	// OfferWebImport: the web importer (Mastodon) would save at least a
	// day, so plan and migrate offer export-csv.
	OfferWebImport bool `json:"offer_web_import,omitempty"`
}

// EstimateLanes compares the lanes for steps on a server with caps.
func EstimateLanes(steps []journal.Step, caps api.Capabilities) LaneEstimate {
	var e LaneEstimate
	for _, s := range steps {
		if s.Op == journal.OpFollow {
			e.Follows++ // what an import would take of the follows
		}
	}
	// The API's side is the replay's own estimate: its requests with the
	// read-backs, and every follow the daily allowance counts.
	replay := estimate(steps, caps.Allowance())
	e.Fastest = string(caps.Fastest(category.Follows))
	byAPI := ""
	if replay.FollowDays > 0 && e.Follows > 0 {
		e.APIDays = replay.FollowDays
		byAPI = fmt.Sprintf("API: %s at %d a day, about %s", plural(replay.Follows, "follow"), caps.FollowsPerDay, plural(e.APIDays, "day"))
	} else {
		mins := int(time.Duration(replay.RequestHours*float64(time.Hour)) / time.Minute)
		byAPI = fmt.Sprintf("API: about %s", plural(max(mins, 1), "minute"))
	}
	switch {
	case caps.Has(category.Follows, api.LaneImport) && e.Follows > 0:
		e.Text = byAPI + "; import: minutes"
	case caps.Has(category.Follows, api.LaneWebImport) && e.APIDays > 1:
		e.Text = byAPI + "; web import: minutes"
		e.OfferWebImport = true
	default:
		e.Text = byAPI
	}
	return e
}

// LanesText is the plan's line comparing the lanes, when the server has
// one faster than the API: "API: 5,000 follows at 400 a day, about 13
// days; web import: minutes". It is empty otherwise, and without a target.
func (p *Plan) LanesText() string {
	est := p.Lanes
	if est == nil || !est.OfferWebImport && !(p.laneImport && est.Follows > 0) {
		return ""
	}
	line := "\nTime by lane (" + p.laneServer + "): " + est.Text + "\n"
	if est.OfferWebImport {
		line += "  The web import is the fast lane: mastomigrate export-csv <export>... --to <account> --out <dir>\n"
	}
	return line
}

// bulk takes the server's fastest lane before the per-item replay: on
// GoToSocial, follows, blocks and mutes go as one import each (bulk.go);
// the replay that follows sends only what the imports missed. On servers
// without an import API it does nothing.
func (s *Session) bulk(ctx context.Context, p Person, c *api.Client, me *api.Account, e *archive.Export, j *journal.Journal) error {
	cfg := s.Config
	caps := c.Server(ctx).Capabilities()
	if cfg.NoBulk || !caps.Has(category.Follows, api.LaneImport) {
		return nil
	}
	if cfg.Mode == "overwrite" && !cfg.Yes {
		// An overwrite import removes what its file lacks, and cannot
		// say how much beforehand: only the per-item path, which counts
		// the removals and has the account name typed, goes without --yes.
		p.Notify(Event{Kind: EventNote, Phase: PhaseBulk, Level: LevelWarning,
			Message: "Overwrite mode without --yes: sending item by item, so the removals can be shown and confirmed."})
		return nil
	}
	p.Notify(Event{Kind: EventPhase, Phase: PhaseBulk})
	b := &Bulk{Client: c, Journal: j, Clock: s.env.clock(), Overwrite: cfg.Mode == "overwrite",
		Want: func(cat category.Category) bool {
			return (len(cfg.Only) == 0 || slices.Contains(cfg.Only, string(cat))) && !slices.Contains(cfg.Skip, string(cat))
		},
		Confirm: func(rows int) error {
			p.Notify(Event{Kind: EventNote, Phase: PhaseBulk,
				Message: fmt.Sprintf("%s has a bulk import: %s go in one upload each for follows, blocks and mutes.", caps.Name, plural(rows, "item"))})
			return s.confirm(ctx, p, Confirmation{Account: me.Acct + "@" + c.Domain(ctx), Changes: rows, Lane: caps.Name})
		},
		Notify: p.Notify}
	_, err := b.Run(ctx, me, e)
	return err
}

// offerFastLane says, on a server whose importer is on the web (Mastodon),
// when the follows would take more than a day by API, and remembers the
// offer in the journal for status.
func (s *Session) offerFastLane(ctx context.Context, p Person, c *api.Client, j *journal.Journal, steps []journal.Step) {
	caps := c.Server(ctx).Capabilities()
	est := EstimateLanes(steps, caps)
	if !est.OfferWebImport {
		return
	}
	p.Notify(Event{Kind: EventNote, Phase: PhaseCheck, Level: LevelWarning,
		Message: fmt.Sprintf("%s. Faster: mastomigrate export-csv %s --to %s --out DIR, then import the files on the web; the next migrate sends only what the import missed.",
			est.Text, ShellQuoteAll(s.Config.Exports), ShellQuote(s.Config.To))})
	if _, ok := j.Lane(journal.LaneOfferID); !ok {
		j.RecordLane(journal.LaneOfferID, journal.LaneInfo{Status: journal.LaneOffered, Rows: est.Follows,
			Reason: fmt.Sprintf("export-csv; by API about %s", plural(est.APIDays, "day"))})
	}
}

// ShellQuoteAll quotes each of ss for a shell (ShellQuote), joined by
// spaces: the paths in a command to copy (a Downloads folder with a
// space in its name).
func ShellQuoteAll(ss []string) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = ShellQuote(s)
	}
	return strings.Join(out, " ")
}
