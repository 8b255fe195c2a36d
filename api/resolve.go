package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// resolution is one account looked up once per run; concurrent callers
// for the same account wait for the first one's answer.
type resolution struct {
	done chan struct{}
	acc  *Account
	err  error
}

// Resolve finds an account on the instance by handle (user@host) or actor
// URI, once per run: later calls for the same account are answered from
// memory. An account of the instance's own domain is local: lookup finds
// it in one request whatever search makes of its host (GoToSocial's
// search cannot read a host with a port, ../shared/SERVERS.md), and sure,
// since local accounts need no fetching. Other accounts are searched with
// resolve=true, which also fetches unknown remote ones by WebFinger and
// accepts URIs (lookup knows only accounts the server has seen); a handle
// search does not find is looked up before it is called not found. A
// moved account is returned as it is, with Moved set; a suspended one
// with Suspended set, or ErrNotFound.
func (c *Client) Resolve(ctx context.Context, q string) (*Account, error) {
	key := normalise(q)
	c.mu.Lock()
	r, ok := c.cache[key]
	if !ok {
		r = &resolution{done: make(chan struct{})}
		c.cache[key] = r
	}
	c.mu.Unlock()
	if ok {
		select {
		case <-r.done:
			return r.acc, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	r.acc, r.err = c.resolve(ctx, key)
	if r.err != nil && !errors.Is(r.err, ErrNotFound) {
		// Only answers are cached: a timeout or a 429 may pass next time.
		c.mu.Lock()
		delete(c.cache, key)
		c.mu.Unlock()
	}
	close(r.done)
	return r.acc, r.err
}

// normalise writes a handle as user@host, host lower-cased, no leading @.
func normalise(q string) string {
	q = strings.TrimPrefix(strings.TrimSpace(q), "@")
	if strings.HasPrefix(q, "http://") || strings.HasPrefix(q, "https://") {
		return strings.TrimRight(q, "/")
	}
	if i := strings.LastIndexByte(q, '@'); i >= 0 {
		return strings.ToLower(q[:i]) + "@" + strings.ToLower(q[i+1:])
	}
	return strings.ToLower(q)
}

func (c *Client) resolve(ctx context.Context, q string) (*Account, error) {
	notFound := fmt.Errorf("%s: %w (no such account, or its server did not answer)", q, ErrNotFound)
	if strings.Contains(q, "://") {
		a, err := c.search(ctx, q)
		switch {
		case errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnsupported):
			return nil, fmt.Errorf("%s: %w (this server cannot search by address)", q, ErrNotFound)
		case err == nil && a == nil:
			return nil, notFound
		}
		return a, err
	}
	user, host, _ := strings.Cut(q, "@")
	local := host == "" || host == strings.ToLower(c.Domain(ctx))
	if local {
		if a, err := c.Lookup(ctx, user); !errors.Is(err, ErrNotFound) {
			return a, err
		}
	}
	a, err := c.search(ctx, q)
	switch {
	case a != nil || err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(err, ErrUnsupported):
		return a, err
	case local:
		return nil, notFound // looked up already
	}
	if a, err := c.Lookup(ctx, q); !errors.Is(err, ErrNotFound) {
		return a, err
	}
	return nil, notFound
}

// search asks /api/v2/search for q; no account and no error when it
// answers without it.
func (c *Client) search(ctx context.Context, q string) (*Account, error) {
	var res struct {
		Accounts []*Account `json:"accounts"`
	}
	params := url.Values{"q": {q}, "type": {"accounts"}, "resolve": {"true"}, "limit": {"5"}}
	if _, err := c.do(ctx, http.MethodGet, "/api/v2/search", params, &res); err != nil {
		return nil, err
	}
	for _, a := range res.Accounts {
		if c.matches(a, q) {
			return a, nil
		}
	}
	// GoToSocial's accounts carry no uri (internal/api/model/
	// account.go), and a remote account's url is its profile page,
	// not the actor id an export names. Its search by address
	// dereferences that address and answers with what it found, so
	// a lone answer is the account.
	if strings.Contains(q, "://") && len(res.Accounts) == 1 && res.Accounts[0].URI == "" {
		return res.Accounts[0], nil
	}
	return nil, nil
}

// matches reports whether a search result is the account asked for, and
// not just similar: accounts on the instance's own domain come back
// without @domain, and URIs match the actor id or the profile URL.
func (c *Client) matches(a *Account, q string) bool {
	if strings.Contains(q, "://") {
		return strings.TrimRight(a.URI, "/") == q || strings.TrimRight(a.URL, "/") == q
	}
	return normalise(c.FullAcct(a)) == q || (!strings.Contains(q, "@") && strings.EqualFold(a.Acct, q))
}

// Remember puts an answer known from an earlier run into the cache, so
// a resume does not look the account up again.
func (c *Client) Remember(q string, a *Account) {
	key := normalise(q)
	r := &resolution{done: make(chan struct{}), acc: a}
	close(r.done)
	c.mu.Lock()
	c.cache[key] = r
	c.mu.Unlock()
}
