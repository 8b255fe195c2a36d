package mastotest

import (
	"maps"
	"slices"
	"sort"
	"strings"
	"time"
)

// FollowState is one follow as the server holds it.
type FollowState struct {
	Reblogs   bool
	Notify    bool
	Languages []string
	Requested bool // a request not yet accepted (locked, remote awaiting the Accept, or cut off on GoToSocial)
}

// MuteState is one mute.
type MuteState struct {
	Notifications bool
	ExpiresAt     *time.Time
}

// ListState is one list with its members' handles, sorted.
type ListState struct {
	RepliesPolicy string
	Exclusive     bool
	Members       []string
}

// State is everything "me" has, keyed by full handles (user@domain).
type State struct {
	Follows      map[string]FollowState
	Blocks       []string
	Mutes        map[string]MuteState
	DomainBlocks []string
	Lists        map[string]ListState // by title
	Bookmarks    []string             // status URIs
	Favourites   []string
}

func (s *Server) full(id string) string {
	a := s.accounts[id]
	d := a.Domain
	if d == "" {
		d = s.Domain
	}
	return a.Username + "@" + d
}

// State returns a copy of the account's state for assertions.
func (s *Server) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle()
	st := State{Follows: map[string]FollowState{}, Mutes: map[string]MuteState{}, Lists: map[string]ListState{},
		Blocks: []string{}, DomainBlocks: []string{}, Bookmarks: []string{}, Favourites: []string{}}
	for id, f := range s.follows {
		st.Follows[s.full(id)] = FollowState{Reblogs: f.reblogs, Notify: f.notify, Languages: f.languages, Requested: f.requested}
	}
	for _, id := range slices.Sorted(maps.Keys(s.blocks)) {
		st.Blocks = append(st.Blocks, s.full(id))
	}
	sort.Strings(st.Blocks)
	for id, m := range s.mutes {
		st.Mutes[s.full(id)] = MuteState{Notifications: m.notifications, ExpiresAt: m.expiresAt}
	}
	st.DomainBlocks = append(st.DomainBlocks, slices.Sorted(maps.Keys(s.domains))...)
	for _, l := range s.lists {
		ls := ListState{RepliesPolicy: l.RepliesPolicy, Exclusive: l.Exclusive, Members: []string{}}
		for id := range l.members {
			ls.Members = append(ls.Members, s.full(id))
		}
		sort.Strings(ls.Members)
		st.Lists[l.Title] = ls
	}
	for id := range s.books {
		st.Bookmarks = append(st.Bookmarks, s.statuses[id].URI)
	}
	for id := range s.favs {
		st.Favourites = append(st.Favourites, s.statuses[id].URI)
	}
	sort.Strings(st.Bookmarks)
	sort.Strings(st.Favourites)
	return st
}

// SeedFollow and the other Seed methods set state directly, without
// requests: what the target already has before a migration.
func (s *Server) SeedFollow(id string, f FollowState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.accounts[id]; a != nil {
		a.Unknown = false // an account followed from here is known here
	}
	s.follows[id] = &follow{seq: s.nextSeq(), reblogs: f.Reblogs, notify: f.Notify, languages: f.Languages, requested: f.Requested}
}

func (s *Server) SeedBlock(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blocks[id] = s.nextSeq()
}

func (s *Server) SeedMute(id string, m MuteState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mutes[id] = &mute{seq: s.nextSeq(), notifications: m.Notifications, expiresAt: m.ExpiresAt}
}

func (s *Server) SeedDomainBlock(d string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.domains[d] = s.nextSeq()
}

// SeedList makes a list with members (which need not be followed).
func (s *Server) SeedList(title, policy string, exclusive bool, members ...string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	l := &list{ID: s.id(), Title: title, RepliesPolicy: policy, Exclusive: exclusive, members: map[string]int64{}}
	for _, m := range members {
		l.members[m] = s.nextSeq()
	}
	s.lists[l.ID] = l
	return l.ID
}

// AddHandle adds an account by handle ("user@domain"; the server's own
// domain makes it local) and returns its id.
func (s *Server) AddHandle(handle string, a Account) string {
	user, domain, _ := strings.Cut(strings.TrimPrefix(handle, "@"), "@")
	if domain == s.Domain {
		domain = ""
	}
	a.Username, a.Domain = user, domain
	return s.AddAccount(a)
}

// ID returns the id of an account by handle, or "".
func (s *Server) ID(handle string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a := s.findAcct(handle); a != nil {
		return a.ID
	}
	return ""
}
