package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// inputs are what a plan or migration carries: the exports, the old
// account read live (--from), or both.
type inputs struct {
	export *archive.Export // the two combined: the live account wins
	source *migrate.Source // nil without --from
	files  *archive.Export // the exports alone, nil without any
	digest string          // names the journal; stable for the same inputs
	old    *api.Client     // the old account's client: GET requests only
}

// extras is what only the live account gives, or nil.
func (in *inputs) extras() *migrate.Extras {
	if in.source == nil {
		return nil
	}
	return in.source.Extras
}

// readInputs reads the exports, and with from the old account, through
// its stored login or MASTOMIGRATE_FROM_TOKEN (as move does). The old
// account is only read: its client sends GET requests alone, and its
// token goes to its own host only (api's transport).
func readInputs(ctx context.Context, f *factory, from string, exports []string, includeLikes bool, progress func(string, int64)) (*inputs, error) {
	in := &inputs{}
	if len(exports) > 0 {
		e, err := archive.ReadWithProgress(ctx, progress, exports...)
		if err != nil {
			return nil, err
		}
		in.files = e
	}
	if from != "" {
		old, _, err := f.clientEnv(fromTokenEnv, from)
		if err != nil {
			return nil, fmt.Errorf("the old account (--from): %w", err)
		}
		bar := newProgress(f.IO, "reading the old account")
		src, err := migrate.ReadSource(ctx, old, includeLikes)
		bar.finish()
		if err != nil {
			return nil, err
		}
		in.source, in.old = src, old
		in.export = migrate.Combine(src.Export, in.files)
		in.digest = migrate.SourceDigest(src.Account, in.files)
		return in, nil
	}
	in.export = in.files
	in.digest = migrate.Digest(in.files)
	return in, nil
}

// newPlanFrom is NewPlan with what the old account adds.
func (in *inputs) plan(include []string) *migrate.Plan {
	p := migrate.NewPlan(in.export, include...)
	if in.source != nil {
		p.AddSource(in.source)
	}
	return p
}

// check is migrate.Check, with the extras when the old account was read.
func (in *inputs) check(ctx context.Context, c *api.Client, me *api.Account, r *migrate.Resolver, o migrate.Options) (*migrate.Changes, *migrate.Target, error) {
	return migrate.CheckSource(ctx, c, me, in.export, in.extras(), r, o)
}

// profile is what --include profile sends: the live old account's when
// read (texts, pictures and settings), else actor.json's and the
// archive's pictures, else nil.
func (in *inputs) profile(ctx context.Context, f *factory, exports []string) (*migrate.ProfileUpdate, error) {
	if in.old != nil {
		return migrate.ReadProfile(ctx, in.old, f.httpClient())
	}
	if in.export.Profile == nil {
		return nil, nil
	}
	u, err := migrate.NewProfileUpdate(ctx, in.export.Profile, func(name string) ([]byte, error) {
		return archive.ReadEntry(ctx, exports, name, 16<<20)
	})
	if err != nil {
		return nil, fmt.Errorf("reading the profile pictures: %w", err)
	}
	return u, nil
}

// sourceNames names a journal's inputs for people: the exports' file
// names, and the old account when read live.
func sourceNames(h migrate.Header) []string {
	names := baseNames(h.Inputs)
	if h.Options.From != "" {
		names = append([]string{h.Options.From}, names...)
	}
	return names
}

// distinct refuses a migration onto the old account itself: --from and
// --to naming one account would write to the account that is only read.
func (in *inputs) distinct(to string) error {
	if in.source != nil && strings.EqualFold(in.source.Account, to) {
		return &flagError{fmt.Errorf("`--from` and `--to` are the same account (%s): nothing is ever written to the old account", to)}
	}
	return nil
}
