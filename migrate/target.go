package migrate

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
)

// Target is what the new account already has, read once before planning.
type Target struct {
	Me        *api.Account
	Account   string                  // user@domain
	Following map[string]*api.Account // by id
	Requested map[string]bool         // pending follow requests, by id
	// Stuck are pending requests to unlocked accounts of the instance
	// itself, which accepts those at once: a request cut off mid-way
	// (GoToSocial was seen to leave them), to be sent again once.
	Stuck        map[string]bool
	Blocks       map[string]bool
	Mutes        map[string]*api.Account
	DomainBlocks map[string]bool
	Lists        map[string]*TargetList // by title
	Bookmarks    map[string]bool        // status URIs
	Favourites   map[string]bool
	// Accounts are the accounts seen while reading, by id, for naming them.
	Accounts map[string]*api.Account
	// Settings are the existing follows' settings, read only when asked
	// to update them.
	Settings map[string]*api.Relationship
	// Unreadable says, by category, why the server would not show it
	// (servers with gaps in the Mastodon API); it is taken as empty.
	Unreadable map[string]string
}

// missing reports whether a read of a whole category (a collection route,
// with no id of a record in it) was answered as a route the server does
// not have: 404, 405 or 501. Only such a probe makes a category
// unsupported; a 404 on one item is that item's outcome. The text does not
// help: Mastodon and GoToSocial answer an unknown route with a bare "Not
// Found", as they answer a missing post.
func missing(err error) bool {
	var ae *api.Error
	return errors.As(err, &ae) && (ae.Status == 404 || ae.Status == 405 || ae.Status == 501)
}

// TargetList is one existing list and its members' ids.
type TargetList struct {
	List    *api.List
	Members map[string]bool
}

// ReadTarget reads the target's state for the categories e has, all with
// GET requests, page by page; the categories are read side by side, since
// each is a chain of pages that cannot be hurried otherwise.
// me is the account when the caller has read it already, or nil.
func ReadTarget(ctx context.Context, c *api.Client, me *api.Account, e *archive.Export, includeLikes bool) (*Target, error) {
	if me == nil {
		var err error
		if me, err = c.Me(ctx); err != nil {
			return nil, fmt.Errorf("reading the account: %w", err)
		}
	}
	t := &Target{Me: me, Account: me.Acct + "@" + c.Domain(ctx),
		Following: map[string]*api.Account{}, Requested: map[string]bool{}, Stuck: map[string]bool{}, Blocks: map[string]bool{},
		Mutes: map[string]*api.Account{}, DomainBlocks: map[string]bool{}, Lists: map[string]*TargetList{},
		Bookmarks: map[string]bool{}, Favourites: map[string]bool{}, Accounts: map[string]*api.Account{},
		Settings: map[string]*api.Relationship{}, Unreadable: map[string]string{}}
	var mu sync.Mutex // guards t's maps while readers run
	// fail ends a reader: a missing endpoint is noted and read as empty.
	fail := func(what string, err error) error {
		if missing(err) {
			mu.Lock()
			t.Unreadable[what] = err.Error()
			mu.Unlock()
			return nil
		}
		return fmt.Errorf("reading %s: %w", what, err)
	}
	accounts := func(what string, seq func(func(*api.Account, error) bool), into func(*api.Account)) func() error {
		return func() error {
			for a, err := range seq {
				if err != nil {
					return fail(what, err)
				}
				mu.Lock()
				t.Accounts[a.ID] = a
				into(a)
				mu.Unlock()
			}
			return nil
		}
	}
	statuses := func(what string, seq func(func(*api.Status, error) bool), into map[string]bool) func() error {
		return func() error {
			for s, err := range seq {
				if err != nil {
					return fail(what, err)
				}
				mu.Lock()
				into[s.URI] = true
				mu.Unlock()
			}
			return nil
		}
	}
	var readers []func() error
	if len(e.Follows) > 0 || len(e.Lists) > 0 {
		readers = append(readers, accounts("follows", c.Following(ctx, me.ID), func(a *api.Account) { t.Following[a.ID] = a }))
	}
	if len(e.Blocks) > 0 {
		readers = append(readers, accounts("blocks", c.Blocks(ctx), func(a *api.Account) { t.Blocks[a.ID] = true }))
	}
	if len(e.Mutes) > 0 {
		readers = append(readers, accounts("mutes", c.Mutes(ctx), func(a *api.Account) { t.Mutes[a.ID] = a }))
	}
	if len(e.DomainBlocks) > 0 {
		readers = append(readers, func() error {
			for d, err := range c.DomainBlocks(ctx) {
				if err != nil {
					return fail("domain_blocks", err)
				}
				mu.Lock()
				t.DomainBlocks[d] = true
				mu.Unlock()
			}
			return nil
		})
	}
	if len(e.Lists) > 0 {
		readers = append(readers, func() error {
			lists, err := c.Lists(ctx)
			if err != nil {
				return fail("lists", err)
			}
			for _, l := range lists {
				tl := &TargetList{List: l, Members: map[string]bool{}}
				if err := accounts("list "+l.Title, c.ListAccounts(ctx, l.ID), func(a *api.Account) { tl.Members[a.ID] = true })(); err != nil {
					return err
				}
				mu.Lock()
				t.Lists[l.Title] = tl
				mu.Unlock()
			}
			return nil
		})
	}
	if len(e.Bookmarks) > 0 {
		readers = append(readers, statuses("bookmarks", c.Bookmarks(ctx), t.Bookmarks))
	}
	if includeLikes && len(e.Likes) > 0 {
		readers = append(readers, statuses("favourites", c.Favourites(ctx), t.Favourites))
	}
	if err := all(readers); err != nil {
		return nil, err
	}
	return t, nil
}

// all runs fns side by side and returns the first error, once all have
// returned.
func all(fns []func() error) error {
	var g errgroup.Group
	for _, fn := range fns {
		g.Go(fn)
	}
	return g.Wait()
}

// Resolved is the target's answer for one account of the export.
type Resolved struct {
	Account *api.Account // nil when it could not be found
	Err     error
}

// Resolver finds the export's accounts on the target, each once.
type Resolver struct {
	Client  *api.Client
	Workers int
	// Progress, when set, is called after each account with the counts.
	Progress func(done, total int)
	// Found, when set, is told each account found, so a journal can keep
	// it for the next run.
	Found func(key string, a *api.Account)
}

// accountsOf lists every distinct account the export names.
func accountsOf(e *archive.Export) []archive.Account {
	seen := map[string]bool{}
	var out []archive.Account
	add := func(a archive.Account) {
		if !seen[a.Key()] {
			seen[a.Key()] = true
			out = append(out, a)
		}
	}
	for _, f := range e.Follows {
		add(f.Account)
	}
	for _, l := range e.Lists {
		for _, m := range l.Members {
			add(m)
		}
	}
	for _, m := range e.Mutes {
		add(m.Account)
	}
	for _, b := range e.Blocks {
		add(b)
	}
	return out
}

// Resolve looks up every account, Workers at a time; the client paces them
// to the server's allowance. The handle is tried first, then the URI. An
// answer that is not about the account (the server unreachable, the token
// refused) stops the lookups at once: the rest would only fail the same
// way, and slowly.
func (r *Resolver) Resolve(ctx context.Context, accounts []archive.Account) (map[string]Resolved, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	out := make(map[string]Resolved, len(accounts))
	var mu sync.Mutex
	jobs := make(chan archive.Account)
	var wg sync.WaitGroup
	done := 0
	workers := max(r.Workers, 1)
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for a := range jobs {
				res := r.one(ctx, a)
				if res.Err != nil && !errors.Is(res.Err, api.ErrNotFound) && !errors.Is(res.Err, api.ErrGone) {
					cancel(fmt.Errorf("resolving accounts: %w", res.Err))
					continue
				}
				mu.Lock()
				out[a.Key()] = res
				if r.Found != nil && res.Account != nil {
					r.Found(a.Key(), res.Account)
				}
				done++
				if r.Progress != nil {
					r.Progress(done, len(accounts))
				}
				mu.Unlock()
			}
		}()
	}
feed:
	for _, a := range accounts {
		select {
		case jobs <- a:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Resolver) one(ctx context.Context, a archive.Account) Resolved {
	var acc *api.Account
	err := api.ErrNotFound
	if a.Acct != "" {
		acc, err = r.Client.Resolve(ctx, a.Acct)
	}
	if errors.Is(err, api.ErrNotFound) && a.URI != "" {
		acc, err = r.Client.Resolve(ctx, a.URI)
	}
	if err != nil {
		return Resolved{Err: err}
	}
	return Resolved{Account: acc}
}
