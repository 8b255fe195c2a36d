package migrate

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/category"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
	"github.com/mastomigrate/mastomigrate/migrate/outcome"
)

// Read-backs: a write the server answers 200 is compared, field by field,
// with what was sent, since a server may take a request and keep less of
// it (a parameter it does not bind). A field that did not stick makes the
// step a retry (Record.NotStuck), which the next run sends again
// (Options.Redo) without making a second item. Cheapest first:
//   - the write's own answer, where the server reads it from its database
//     after the write: follow, mute, block, endorsement, note (the
//     relationship), hashtag follow (the tag's following), bookmark and
//     like (the post's bookmarked, favourited), a list's settings (the
//     list as saved); a post (posts/readback.go), which is failed, not
//     retried, when a field did not stick: a second request would post
//     it twice;
//   - else one read for many items: a list's members after each batch,
//     the featured tags once after the category, the mutes' ends once
//     after the category (the newest mutes come first);
//   - a filter is read once after it is made (filters.go): its answer is
//     built from the request, not read again.
//
// Estimate counts the reads (readBackRequests). Not read back:
//   - domain blocks: the domain is the whole record, and Mastodon answers
//     200 only after the block is saved (app/controllers/api/v1/
//     domain_blocks_controller.rb#create, block_domain!, a
//     find_or_create_by!); GoToSocial has none;
//   - the fast lane's imports (bulk.go): GoToSocial applies a row whole,
//     its boosts, notify and hide-notifications settings with it, or skips
//     it whole (internal/processing/account/import.go); a row skipped is
//     missing in the diff that follows, and sent by API, read back there;
//   - overwrite mode's removals (unfollow, unblock, unmute, unblock
//     domain, remove from a list): they send no field to keep; not read
//     back yet, though the first three answer a relationship that would
//     show it at no cost.

// notStuck is the outcome of a write the server took without keeping
// what fields name.
func notStuck(done string, fields []string) journal.Record {
	return journal.Record{Status: journal.StatusRetry, NotStuck: fields,
		Reason: done + ", but did not stick: " + strings.Join(fields, "; ") + " (the next run sends it again)"}
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// followDrift lists the settings of f that rel does not show: languages
// only where the server keeps them, and a request's settings only where
// its relationship shows them (caps); a setting f does not carry never
// drifts.
func followDrift(f *archive.Follow, rel *api.Relationship, caps api.Capabilities) []string {
	if f == nil || rel.Requested && !caps.RequestSettings {
		return nil
	}
	var out []string
	if f.Reblogs != nil && *f.Reblogs != rel.ShowingReblogs {
		out = append(out, "boosts "+onOff(*f.Reblogs))
	}
	if f.Notify != nil && *f.Notify != rel.Notifying {
		out = append(out, "notify "+onOff(*f.Notify))
	}
	if caps.FollowLanguages && len(f.Languages) > 0 && !sameSet(f.Languages, rel.Languages) {
		out = append(out, "languages "+strings.Join(f.Languages, ","))
	}
	return out
}

// muteDrift lists what of m the mute's relationship does not show; the
// end is read apart (checkMuteEnds).
func muteDrift(m *archive.Mute, rel *api.Relationship) []string {
	if !rel.Muting {
		return []string{"the mute"}
	}
	if m != nil && m.Notifications != nil && *m.Notifications != rel.MutingNotifications {
		return []string{"hide notifications " + onOff(*m.Notifications)}
	}
	return nil
}

// listDrift lists the settings of ls that l, the list as the server
// keeps it, does not have.
func listDrift(ls *journal.ListSettings, l *api.List) []string {
	if ls == nil {
		return nil
	}
	var out []string
	if ls.RepliesPolicy != "" && ls.RepliesPolicy != l.RepliesPolicy {
		out = append(out, "replies policy "+ls.RepliesPolicy)
	}
	if ls.Exclusive != nil && *ls.Exclusive != l.Exclusive {
		out = append(out, "exclusive "+onOff(*ls.Exclusive))
	}
	return out
}

// verifyLater keeps a step whose write answered without what would show
// it stuck, for the category's one read (readBack).
func (r *Runner) verifyLater(s journal.Step) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.unverified == nil {
		r.unverified = map[category.Category][]journal.Step{}
	}
	r.unverified[s.Category] = append(r.unverified[s.Category], s)
}

// readBack reads once, after a category, what its writes' answers could
// not show, and retries what did not stick.
func (r *Runner) readBack(ctx context.Context, cat category.Category) error {
	r.mu.Lock()
	steps := r.unverified[cat]
	delete(r.unverified, cat)
	r.mu.Unlock()
	if len(steps) == 0 {
		return nil
	}
	var drift map[string][]string
	var done string
	var err error
	switch cat {
	case category.Mutes:
		done = "muted"
		drift, err = r.muteEnds(ctx, steps)
	case category.FeaturedTags:
		done = "featured"
		drift, err = r.featured(ctx, steps)
	}
	if abort := outcome.Fatal(err); abort != nil {
		return abort
	}
	for _, s := range steps {
		d := drift[s.ID]
		if err != nil {
			// Taken, but not seen: the next run's diff decides.
			d = []string{"not read back: " + err.Error()}
		}
		if len(d) > 0 {
			if err := r.outcome(s, notStuck(done, d)); err != nil {
				return err
			}
		}
	}
	return nil
}

// muteEnds reads the mutes, newest first, until it has seen every step's,
// and compares their ends: a server's clock may differ from ours by a
// little, so an end counts as kept within a few minutes.
func (r *Runner) muteEnds(ctx context.Context, steps []journal.Step) (map[string][]string, error) {
	want := map[string]journal.Step{}
	for _, s := range steps {
		want[s.AccountID] = s
	}
	drift := map[string][]string{}
	for a, err := range r.Client.Mutes(ctx) {
		if err != nil {
			return nil, err
		}
		s, ok := want[a.ID]
		if !ok {
			continue
		}
		delete(want, a.ID)
		if end := *s.Mute.ExpiresAt; a.MuteExpiresAt == nil || a.MuteExpiresAt.Sub(end).Abs() > 5*time.Minute {
			drift[s.ID] = []string{"the end " + end.Format(time.RFC3339)}
		}
		if len(want) == 0 {
			break
		}
	}
	for _, s := range want {
		drift[s.ID] = []string{"the mute"}
	}
	return drift, nil
}

// featured reads the featured hashtags once and names the steps' missing.
func (r *Runner) featured(ctx context.Context, steps []journal.Step) (map[string][]string, error) {
	tags, err := r.Client.FeaturedTags(ctx)
	if err != nil {
		return nil, err
	}
	drift := map[string][]string{}
	for _, s := range steps {
		name := strings.TrimPrefix(s.Item, "#")
		if !slices.ContainsFunc(tags, func(t *api.FeaturedTag) bool { return strings.EqualFold(t.Name, name) }) {
			drift[s.ID] = []string{"the hashtag is not on the profile"}
		}
	}
	return drift, nil
}

// readBackRequests is how many requests the read-backs of steps take
// besides the writes: a filter's read, a read of a list's members per
// batch, one read of the featured tags, and the pages of mutes that hold
// the mutes with an end.
func readBackRequests(steps []journal.Step) int {
	n, featured, ends := 0, false, 0
	members := map[string]int{}
	for _, s := range steps {
		switch s.Op {
		case journal.OpCreateFilter:
			n++
		case journal.OpAddToList:
			members[s.List]++
		case journal.OpFeatureTag:
			featured = true
		case journal.OpMute:
			if s.Mute != nil && s.Mute.ExpiresAt != nil {
				ends++
			}
		}
	}
	for _, m := range members {
		n += (m + listBatch - 1) / listBatch
	}
	if featured {
		n++
	}
	return n + (ends+api.MutesPage-1)/api.MutesPage
}
