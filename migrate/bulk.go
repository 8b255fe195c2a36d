package migrate

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/importcsv"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/outcome"
)

// The fast lane on GoToSocial: follows, blocks and mutes go as one bulk
// import each (POST /api/v1/import; internal/api/client/import/import.go,
// internal/processing/account/import.go), instead of a look-up and a
// write per item under the 300 requests per 5 minutes per IP. The server
// works through an import in the background on an in-memory queue, skips
// rows it cannot read or resolve without saying so, and ignores follow
// languages (../shared/SERVERS.md), so an import is never trusted: the
// lane waits until the target stops changing, and the normal diff and
// replay that follow send, one by one, only what it missed.
//
// Each import is journaled before it is sent and after it has settled, so
// a run killed at any point never uploads the same import twice: a
// later run finds the record, waits for the state to settle, and leaves
// the rest to the replay.

// Bulk runs the GoToSocial fast lane.
type Bulk struct {
	Client  *api.Client
	Journal *journal.Journal
	Clock   api.Clock
	// Overwrite sends the full lists in overwrite mode; otherwise only
	// what the target lacks goes, in merge mode.
	Overwrite bool
	// Want says whether a category is part of this run (--only, --skip).
	Want func(cat category.Category) bool
	// Notify, when set, hears how the imports go.
	Notify func(Event)
	// Confirm, when set, is asked before the first upload with the rows
	// about to go; an error stops the run.
	Confirm func(rows int) error
	// MaxWait bounds the wait for the server; 0 is chosen from the rows.
	MaxWait time.Duration
}

// BulkResult says what the lane did.
type BulkResult struct {
	Uploaded map[string]int // rows by import type, this run
	Settled  bool           // every import this migration made has settled
	Polls    int
}

var bulkKinds = []struct {
	typ api.ImportType
	cat category.Category
}{{api.ImportFollowing, category.Follows}, {api.ImportBlocks, category.Blocks}, {api.ImportMutes, category.Mutes}}

func laneID(typ api.ImportType) string { return "bulk " + string(typ) }

// Run imports what the export has and the target lacks, then waits for
// the server to finish. me is the new account.
func (b *Bulk) Run(ctx context.Context, me *api.Account, e *archive.Export) (*BulkResult, error) {
	res := &BulkResult{Uploaded: map[string]int{}}
	c := b.Client
	var toSend []api.ImportType
	var waitFor []journal.LaneInfo
	for _, k := range bulkKinds {
		if b.Want != nil && !b.Want(k.cat) {
			continue
		}
		info, ok := b.Journal.Lane(laneID(k.typ))
		switch {
		case !ok:
			toSend = append(toSend, k.typ)
		case info.Status == journal.LaneSending || info.Status == journal.LaneSent:
			waitFor = append(waitFor, info) // a run stopped before it settled
		}
	}
	if len(toSend) == 0 && len(waitFor) == 0 {
		res.Settled = true
		return res, nil
	}
	var have map[api.ImportType]map[string]bool
	var before int
	if len(toSend) > 0 {
		var err error
		if have, before, err = b.present(ctx, me, toSend); err != nil {
			return res, err
		}
	}
	total := 0
	for _, typ := range toSend {
		rows, _ := b.rows(typ, e, have[typ])
		total += len(rows)
	}
	if total > 0 && b.Confirm != nil {
		if err := b.Confirm(total); err != nil {
			return res, err
		}
	}
	for _, typ := range toSend {
		rows, last := b.rows(typ, e, have[typ])
		if len(rows) == 0 {
			continue
		}
		files := importcsv.Build(rows)
		if len(files) != 1 {
			// GoToSocial reads a whole file into memory; it has no row
			// limit of its own, so one file holds every row.
			files = []importcsv.File{{Data: joinCSV(files), Rows: len(rows)}}
		}
		info := journal.LaneInfo{Type: string(typ), Status: journal.LaneSending, Rows: files[0].Rows, Last: last, Before: before}
		if err := b.Journal.RecordLane(laneID(typ), info); err != nil {
			return res, err
		}
		mode := "merge"
		if b.Overwrite {
			mode = "overwrite"
		}
		b.say(LevelInfo, "importing %s (%s, %s mode)", plural(info.Rows, "row"), typ, mode)
		if err := c.Import(ctx, typ, mode, files[0].Data); err != nil {
			if out, _ := outcome.Of(outcome.Attempt{Op: journal.OpImport}, err); out == outcome.Failed {
				// Refused: nothing was queued; the replay does it all.
				info.Status, info.Reason = journal.LaneFailed, err.Error()
				b.say(LevelWarning, "the server refused the %s import (%v); sending them one by one instead", typ, err)
				if err := b.Journal.RecordLane(laneID(typ), info); err != nil {
					return res, err
				}
				continue
			}
			if ctx.Err() != nil {
				return res, err // the record stays "sending": the next run watches
			}
			// The answer was lost (a dropped connection, a timeout): the
			// import may be on the server's queue. Never send it again;
			// watch, and let the replay send what did not arrive.
			b.say(LevelWarning, "the answer to the %s import was lost (%v); watching whether it arrived", typ, err)
			waitFor = append(waitFor, info)
			continue
		}
		info.Status = journal.LaneSent
		if err := b.Journal.RecordLane(laneID(typ), info); err != nil {
			return res, err
		}
		res.Uploaded[string(typ)] = info.Rows
		waitFor = append(waitFor, info)
	}
	if len(waitFor) == 0 {
		res.Settled = true
		return res, nil
	}
	if err := b.wait(ctx, me.ID, waitFor, res); err != nil {
		return res, err
	}
	// Read what the imports made, so the diff that follows finds those
	// accounts without a look-up each.
	var kinds []api.ImportType
	for _, info := range waitFor {
		kinds = append(kinds, api.ImportType(info.Type))
	}
	if _, _, err := b.present(ctx, me, kinds); err != nil {
		return res, err
	}
	for _, info := range waitFor {
		info.Status = journal.LaneSettled
		if err := b.Journal.RecordLane(laneID(api.ImportType(info.Type)), info); err != nil {
			return res, err
		}
	}
	res.Settled = true
	return res, nil
}

func (b *Bulk) say(level Level, format string, args ...any) {
	b.notify(Event{Kind: EventNote, Level: level, Message: fmt.Sprintf(format, args...)})
}

func (b *Bulk) notify(e Event) {
	if b.Notify != nil {
		e.Phase = PhaseBulk
		b.Notify(e)
	}
}

func joinCSV(files []importcsv.File) []byte {
	var out []byte
	for i, f := range files {
		d := f.Data
		if i > 0 {
			_, d, _ = bytes.Cut(d, []byte("\n")) // the header, once
		}
		out = append(out, d...)
	}
	return out
}

// present reads what the target has of each kind, by full handle, and
// remembers every account for the resolver (so the diff after the import
// needs no look-up for them). It also returns the following count.
func (b *Bulk) present(ctx context.Context, me *api.Account, kinds []api.ImportType) (map[api.ImportType]map[string]bool, int, error) {
	c := b.Client
	out := map[api.ImportType]map[string]bool{}
	count := 0
	for _, typ := range kinds {
		set := map[string]bool{}
		var seq func(yield func(*api.Account, error) bool)
		switch typ {
		case api.ImportFollowing:
			seq = c.Following(ctx, me.ID)
		case api.ImportBlocks:
			seq = c.Blocks(ctx)
		case api.ImportMutes:
			seq = c.Mutes(ctx)
		}
		for a, err := range seq {
			if err != nil {
				return nil, 0, fmt.Errorf("reading the new account's %s: %w", typ, err)
			}
			h := strings.ToLower(c.FullAcct(a))
			set[h] = true
			c.Remember(h, a)
			if typ == api.ImportFollowing {
				count++
			}
		}
		out[typ] = set
	}
	return out, count, nil
}

// rows are the steps whose rows go in the import: the export's items the
// target lacks (all of them in overwrite mode), at the new address of an
// account the journal knows has moved, de-duplicated; follows of accounts
// the export also blocks, and mutes with an end date (a CSV cannot carry
// it) are left to the replay, as the diff would. last is the last row's
// handle.
func (b *Bulk) rows(typ api.ImportType, e *archive.Export, have map[string]bool) ([]journal.Step, string) {
	known := b.Journal.Accounts()
	addr := func(a archive.Account) string {
		if r, ok := known[a.Key()]; ok && r.Acct != "" {
			return strings.ToLower(b.Client.FullAcct(&api.Account{Acct: r.Acct}))
		}
		return strings.ToLower(strings.TrimPrefix(a.Acct, "@"))
	}
	seen := map[string]bool{}
	keep := func(h string) bool {
		if h == "" || seen[h] || (!b.Overwrite && have[h]) {
			return false
		}
		seen[h] = true
		return true
	}
	var steps []journal.Step
	switch typ {
	case api.ImportFollowing:
		blocked := &exportBlocks{accounts: map[string]bool{}, domains: map[string]bool{}}
		for _, a := range e.Blocks {
			blocked.accounts[addr(a)] = true
		}
		for _, d := range e.DomainBlocks {
			blocked.blockDomain(d)
		}
		for i := range e.Follows {
			f := e.Follows[i]
			h := addr(f.Account)
			if blocked.ends(h, h) != "" || !keep(h) {
				continue
			}
			steps = append(steps, journal.Step{Op: journal.OpFollow, Item: h, Follow: &f})
		}
	case api.ImportBlocks:
		for _, a := range e.Blocks {
			if h := addr(a); keep(h) {
				steps = append(steps, journal.Step{Op: journal.OpBlock, Item: h})
			}
		}
	case api.ImportMutes:
		for i := range e.Mutes {
			m := e.Mutes[i]
			if m.ExpiresAt != nil {
				continue
			}
			if h := addr(m.Account); keep(h) {
				steps = append(steps, journal.Step{Op: journal.OpMute, Item: h, Mute: &m})
			}
		}
	}
	if len(steps) == 0 {
		return nil, ""
	}
	return steps, steps[len(steps)-1].Item
}

// wait polls the target until each import is done or the state has
// stopped changing, within a bound. An import is done when the newest
// follow, block or mute is the file's last row (or the following count has
// grown by all the rows). Polls start a second apart and slow to 15 s.
func (b *Bulk) wait(ctx context.Context, meID string, infos []journal.LaneInfo, res *BulkResult) error {
	var follows *journal.LaneInfo
	var blocks, mutes string
	rows := 0
	for i := range infos {
		rows += infos[i].Rows
		switch api.ImportType(infos[i].Type) {
		case api.ImportFollowing:
			follows = &infos[i]
		case api.ImportBlocks:
			blocks = infos[i].Last
		case api.ImportMutes:
			mutes = infos[i].Last
		}
	}
	bound := b.MaxWait
	if bound == 0 {
		// A minute, and a second for every five rows: a server slower
		// than that is left to the replay.
		bound = time.Minute + time.Duration(rows/5)*time.Second
	}
	start := b.Clock.Now()
	interval := time.Second
	const quietPolls = 4
	var last api.ImportSignal
	quiet := -1
	for {
		if err := b.Clock.Sleep(ctx, interval); err != nil {
			return err
		}
		interval = min(interval*2, 15*time.Second)
		followID := ""
		if follows != nil {
			followID = meID
		}
		sig, err := b.Client.ImportSignal(ctx, followID, blocks != "", mutes != "")
		if err != nil {
			return fmt.Errorf("watching the import: %w", err)
		}
		res.Polls++
		norm := func(h string) string {
			if h == "" {
				return ""
			}
			return strings.ToLower(b.Client.FullAcct(&api.Account{Acct: h}))
		}
		done := (follows == nil || sig.Following >= follows.Before+follows.Rows || norm(sig.TopFollow) == follows.Last) &&
			(blocks == "" || norm(sig.TopBlock) == blocks) && (mutes == "" || norm(sig.TopMute) == mutes)
		if sig != last || quiet < 0 {
			quiet = 0
		} else {
			quiet++
		}
		last = sig
		elapsed := b.Clock.Now().Sub(start)
		if follows != nil {
			b.notify(Event{Kind: EventProgress, Category: category.Follows, Done: max(sig.Following-follows.Before, 0), Total: follows.Rows})
		}
		switch {
		case done:
			b.say(LevelDone, "the server has worked through the import (%s)", elapsed.Round(time.Second))
			return nil
		case quiet >= quietPolls:
			b.say(LevelInfo, "the server stopped changing after %s; what it skipped is sent one by one", elapsed.Round(time.Second))
			return nil
		case elapsed > bound:
			b.say(LevelWarning, "the import is not finished after %s; the rest is sent one by one", elapsed.Round(time.Second))
			return nil
		}
	}
}
