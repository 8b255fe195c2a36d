package api

import (
	"context"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Page sizes: Mastodon's maximums for each endpoint (app/controllers/api/
// v1/accounts/following_accounts_controller.rb and friends: 80 accounts,
// 200 domain blocks, 40 statuses), so reading state takes the fewest pages.
const (
	accountsPage = 80
	domainsPage  = 200
	statusesPage = 40
	relBatch     = 40
)

func limit(n int) url.Values { return url.Values{"limit": {strconv.Itoa(n)}} }

// Following lists the accounts the account id follows.
func (c *Client) Following(ctx context.Context, id string) iter.Seq2[*Account, error] {
	return pages[*Account](ctx, c, "/api/v1/accounts/"+url.PathEscape(id)+"/following", limit(accountsPage))
}

// OutgoingRequests lists the accounts the account asked to follow that
// have not accepted yet, where the server has the route (see
// Capabilities.OutgoingRequests; 80 a page at most, as GoToSocial's
// internal/api/client/followrequests/getoutgoing.go allows).
func (c *Client) OutgoingRequests(ctx context.Context) iter.Seq2[*Account, error] {
	return pages[*Account](ctx, c, "/api/v1/follow_requests/outgoing", limit(accountsPage))
}

// Blocks lists blocked accounts.
func (c *Client) Blocks(ctx context.Context) iter.Seq2[*Account, error] {
	return pages[*Account](ctx, c, "/api/v1/blocks", limit(accountsPage))
}

// MutesPage is how many mutes one page of Mutes brings, newest first.
const MutesPage = accountsPage

// Mutes lists muted accounts, with MuteExpiresAt.
func (c *Client) Mutes(ctx context.Context) iter.Seq2[*Account, error] {
	return pages[*Account](ctx, c, "/api/v1/mutes", limit(accountsPage))
}

// DomainBlocks lists blocked domains.
func (c *Client) DomainBlocks(ctx context.Context) iter.Seq2[string, error] {
	return pages[string](ctx, c, "/api/v1/domain_blocks", limit(domainsPage))
}

// Bookmarks lists bookmarked statuses.
func (c *Client) Bookmarks(ctx context.Context) iter.Seq2[*Status, error] {
	return pages[*Status](ctx, c, "/api/v1/bookmarks", limit(statusesPage))
}

// Favourites lists favourited statuses.
func (c *Client) Favourites(ctx context.Context) iter.Seq2[*Status, error] {
	return pages[*Status](ctx, c, "/api/v1/favourites", limit(statusesPage))
}

// Lists returns every list (the endpoint is not paginated).
func (c *Client) Lists(ctx context.Context) ([]*List, error) {
	var ls []*List
	_, err := c.do(ctx, http.MethodGet, "/api/v1/lists", nil, &ls)
	return ls, err
}

// ListAccounts lists a list's members; limit=0 asks Mastodon for all at once.
func (c *Client) ListAccounts(ctx context.Context, listID string) iter.Seq2[*Account, error] {
	return pages[*Account](ctx, c, "/api/v1/lists/"+url.PathEscape(listID)+"/accounts", limit(0))
}

// Relationships returns the relationships with the given accounts, in
// batches, keyed by account id.
func (c *Client) Relationships(ctx context.Context, ids []string) (map[string]*Relationship, error) {
	out := make(map[string]*Relationship, len(ids))
	for start := 0; start < len(ids); start += relBatch {
		q := url.Values{}
		for _, id := range ids[start:min(start+relBatch, len(ids))] {
			q.Add("id[]", id)
		}
		var rs []*Relationship
		if _, err := c.do(ctx, http.MethodGet, "/api/v1/accounts/relationships", q, &rs); err != nil {
			return nil, err
		}
		for _, r := range rs {
			out[r.ID] = r
		}
	}
	return out, nil
}
