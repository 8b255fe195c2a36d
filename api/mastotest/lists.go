package mastotest

import (
	"maps"
	"net/http"
	"slices"
)

func init() {
	handle("GET", "/api/v1/lists", (*Server).getLists)
	handle("POST", "/api/v1/lists", (*Server).createList)
	handle("PUT", "/api/v1/lists/:id", (*Server).updateList)
	handle("DELETE", "/api/v1/lists/:id", (*Server).deleteList)
	handle("GET", "/api/v1/lists/:id/accounts", (*Server).listAccounts)
	handle("POST", "/api/v1/lists/:id/accounts", (*Server).addToList)
	handle("DELETE", "/api/v1/lists/:id/accounts", (*Server).removeFromList)
	handle("GET", "/api/v1/bookmarks", (*Server).listBookmarks)
	handle("GET", "/api/v1/favourites", (*Server).listFavourites)
	handle("POST", "/api/v1/statuses/:id/bookmark", (*Server).bookmark)
	handle("POST", "/api/v1/statuses/:id/favourite", (*Server).favourite)
}

func (l *list) json() map[string]any {
	return map[string]any{"id": l.ID, "title": l.Title, "replies_policy": l.RepliesPolicy, "exclusive": l.Exclusive}
}

// getLists returns every list, unpaginated (app/controllers/api/v1/lists_controller.rb).
func (s *Server) getLists(c *call) (int, any) {
	out := []any{}
	for _, id := range slices.Sorted(maps.Keys(s.lists)) {
		out = append(out, s.lists[id].json())
	}
	return http.StatusOK, out
}

// createList validates as app/models/list.rb does: a title, a known
// replies policy (Flavour.listFields), and at most 50 lists per account.
// GoToSocial refuses a title already used with 409 (internal/processing/
// list/create.go).
func (s *Server) createList(c *call) (int, any) {
	title, policy, status, body := s.flavour.listFields(c, true)
	if status != 0 {
		return status, body
	}
	if policy == "" {
		policy = "list"
	}
	if s.limits.MaxLists > 0 && len(s.lists) >= s.limits.MaxLists {
		return invalid("You have reached the maximum number of lists")
	}
	if s.flavour.listTitleUnique() {
		for _, l := range s.lists {
			if l.Title == title {
				return gtsError(http.StatusConflict, "you already have a list with this title")
			}
		}
	}
	excl, _ := formBool(c, "exclusive")
	l := &list{ID: s.id(), Title: title, RepliesPolicy: policy, Exclusive: excl, members: map[string]int64{}}
	s.lists[l.ID] = l
	return http.StatusOK, l.json()
}

// findList finds a list: Mastodon's List.find (404 "Record not found"),
// GoToSocial's getList (404 "list not found",
// internal/processing/list/util.go).
func (s *Server) findList(id string) (*list, int, any) {
	l, ok := s.lists[id]
	if !ok {
		status, body := s.flavour.recordNotFound("list not found")
		return nil, status, body
	}
	return l, 0, nil
}

// updateList changes what is sent of title, replies_policy and exclusive
// (app/controllers/api/v1/lists_controller.rb#update, list_params;
// GoToSocial's internal/api/client/lists/listupdate.go), validated as
// on create (Flavour.listFields), and answers the list.
func (s *Server) updateList(c *call) (int, any) {
	l, status, body := s.findList(c.ids[0])
	if status != 0 {
		return status, body
	}
	title, policy, status, body := s.flavour.listFields(c, false)
	if status != 0 {
		return status, body
	}
	if title != "" {
		l.Title = title
	}
	if policy != "" {
		l.RepliesPolicy = policy
	}
	if excl, ok := formBool(c, "exclusive"); ok {
		l.Exclusive = excl
	}
	return http.StatusOK, l.json()
}

func (s *Server) deleteList(c *call) (int, any) {
	if _, status, body := s.findList(c.ids[0]); status != 0 {
		return status, body
	}
	delete(s.lists, c.ids[0])
	return http.StatusOK, map[string]any{}
}

// listAccounts: limit=0 returns every member at once
// (app/controllers/api/v1/lists/accounts_controller.rb, unlimited?).
func (s *Server) listAccounts(c *call) (int, any) {
	l, status, body := s.findList(c.ids[0])
	if status != 0 {
		return status, body
	}
	var items []seqItem[any]
	hidden := map[int64]bool{} // ListAccountsController scopes to without_suspended
	for id, seq := range l.members {
		items = append(items, seqItem[any]{seq, s.accountJSON(s.accounts[id])})
		hidden[seq] = s.accounts[id].Suspended
	}
	if c.get("limit") == "0" {
		out := []any{}
		for _, it := range items {
			if !hidden[it.seq] {
				out = append(out, it.v)
			}
		}
		return http.StatusOK, out
	}
	return http.StatusOK, pageHiding(s, c, items, hidden, 40)
}

// addToList adds all the accounts or none, in one transaction. An unknown
// id is 404; an account not followed (Flavour.listNeedsAcceptedFollow says
// whether a pending request will do) or already on the list gets the
// flavour's answer (Flavour.listNotFollowed, listAlreadyMember), checked
// account by account in the order given (app/models/list_account.rb;
// internal/processing/list/updateentries.go checks membership first).
func (s *Server) addToList(c *call) (int, any) {
	l, status, body := s.findList(c.ids[0])
	if status != 0 {
		return status, body
	}
	ids := c.form["account_ids[]"]
	if !s.flavour.GoToSocial() {
		for _, id := range ids {
			if _, ok := s.target(id); !ok {
				return notFound()
			}
		}
	}
	for _, id := range ids {
		if _, ok := l.members[id]; ok {
			return s.flavour.listAlreadyMember(id, l.ID)
		}
		f, ok := s.follows[id]
		if !ok || (f.requested && s.flavour.listNeedsAcceptedFollow()) || s.accounts[id].Suspended {
			return s.flavour.listNotFollowed(id)
		}
	}
	for _, id := range ids {
		l.members[id] = s.nextSeq()
	}
	return http.StatusOK, map[string]any{}
}

func (s *Server) removeFromList(c *call) (int, any) {
	l, status, body := s.findList(c.ids[0])
	if status != 0 {
		return status, body
	}
	for _, id := range c.form["account_ids[]"] {
		delete(l.members, id)
	}
	return http.StatusOK, map[string]any{}
}

// statusList leaves deleted posts out; GoToSocial after the limit
// (internal/processing/account/bookmarks.go BookmarksGet, see pageHiding),
// and it answers a page left empty by that without any Link, as
// internal/util/paging.go PackagePageableResponse does.
func (s *Server) statusList(c *call, m map[string]int64) (int, any) {
	var items []seqItem[any]
	hidden := map[int64]bool{}
	for id, seq := range m {
		items = append(items, seqItem[any]{seq, s.statusJSON(s.statuses[id])})
		hidden[seq] = s.statuses[id].Deleted
	}
	out := pageHiding(s, c, items, hidden, 20)
	if len(out) == 0 {
		c.header.Del("Link")
	}
	return http.StatusOK, out
}

func (s *Server) listBookmarks(c *call) (int, any)  { return s.statusList(c, s.books) }
func (s *Server) listFavourites(c *call) (int, any) { return s.statusList(c, s.favs) }

func (s *Server) markStatus(c *call, m map[string]int64) (int, any) {
	st, ok := s.statuses[c.ids[0]]
	if !ok || st.Unknown || st.Deleted {
		// A missing, unseen or deleted post is {"error":"Not Found"} on
		// Mastodon, not "Record not found" (../shared/SERVERS.md).
		return s.flavour.statusNotFound()
	}
	if _, ok := m[st.ID]; !ok && !c.lost {
		m[st.ID] = s.nextSeq()
	}
	return http.StatusOK, s.statusJSON(st)
}

func (s *Server) bookmark(c *call) (int, any)  { return s.markStatus(c, s.books) }
func (s *Server) favourite(c *call) (int, any) { return s.markStatus(c, s.favs) }
