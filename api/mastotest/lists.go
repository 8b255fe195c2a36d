package mastotest

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

func init() {
	handle("GET", "/api/v1/lists", (*Server).getLists)
	handle("POST", "/api/v1/lists", (*Server).createList)
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
// replies policy, and at most 50 lists per account.
func (s *Server) createList(c *call) (int, any) {
	title := strings.TrimSpace(c.get("title"))
	if title == "" {
		return invalid("Title can't be blank")
	}
	policy := c.get("replies_policy")
	if policy == "" {
		policy = "list"
	}
	if policy != "list" && policy != "followed" && policy != "none" {
		return invalid("Replies policy is not included in the list")
	}
	if s.limits.MaxLists > 0 && len(s.lists) >= s.limits.MaxLists {
		return invalid("You have reached the maximum number of lists")
	}
	excl, _ := formBool(c, "exclusive")
	l := &list{ID: s.id(), Title: title, RepliesPolicy: policy, Exclusive: excl, members: map[string]int64{}}
	s.lists[l.ID] = l
	return http.StatusOK, l.json()
}

func (s *Server) deleteList(c *call) (int, any) {
	if _, ok := s.lists[c.ids[0]]; !ok {
		return notFound()
	}
	delete(s.lists, c.ids[0])
	return http.StatusOK, map[string]any{}
}

// listAccounts: limit=0 returns every member at once
// (app/controllers/api/v1/lists/accounts_controller.rb, unlimited?).
func (s *Server) listAccounts(c *call) (int, any) {
	l, ok := s.lists[c.ids[0]]
	if !ok {
		return notFound()
	}
	var items []seqItem[any]
	for id, seq := range l.members {
		items = append(items, seqItem[any]{seq, s.accountJSON(s.accounts[id])})
	}
	if c.get("limit") == "0" {
		out := []any{}
		for _, it := range items {
			out = append(out, it.v)
		}
		return http.StatusOK, out
	}
	return http.StatusOK, page(s, c, items, 40)
}

// addToList adds all the accounts or none, in one transaction: an unknown
// id is 404, an account neither followed nor requested or already on the
// list is 422 (app/models/list_account.rb validations).
func (s *Server) addToList(c *call) (int, any) {
	l, ok := s.lists[c.ids[0]]
	if !ok {
		return notFound()
	}
	ids := c.form["account_ids[]"]
	for _, id := range ids {
		if _, ok := s.target(id); !ok {
			return notFound()
		}
	}
	for _, id := range ids {
		if _, ok := s.follows[id]; !ok {
			return invalid("Account must be a followed account")
		}
		if _, ok := l.members[id]; ok {
			return invalid("Account has already been taken")
		}
	}
	for _, id := range ids {
		l.members[id] = s.nextSeq()
	}
	return http.StatusOK, map[string]any{}
}

func (s *Server) removeFromList(c *call) (int, any) {
	l, ok := s.lists[c.ids[0]]
	if !ok {
		return notFound()
	}
	for _, id := range c.form["account_ids[]"] {
		delete(l.members, id)
	}
	return http.StatusOK, map[string]any{}
}

func (s *Server) statusList(c *call, m map[string]int64) (int, any) {
	var items []seqItem[any]
	for id, seq := range m {
		items = append(items, seqItem[any]{seq, s.statusJSON(s.statuses[id])})
	}
	return http.StatusOK, page(s, c, items, 20)
}

func (s *Server) listBookmarks(c *call) (int, any)  { return s.statusList(c, s.books) }
func (s *Server) listFavourites(c *call) (int, any) { return s.statusList(c, s.favs) }

func (s *Server) markStatus(c *call, m map[string]int64) (int, any) {
	st, ok := s.statuses[c.ids[0]]
	if !ok || st.Unknown {
		return notFound()
	}
	if _, ok := m[st.ID]; !ok {
		m[st.ID] = s.nextSeq()
	}
	return http.StatusOK, s.statusJSON(st)
}

func (s *Server) bookmark(c *call) (int, any)  { return s.markStatus(c, s.books) }
func (s *Server) favourite(c *call) (int, any) { return s.markStatus(c, s.favs) }
