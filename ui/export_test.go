package ui

import "github.com/mastomigrate/mastomigrate/migrate"

// Plans is how many plans were made, each a read of every export.
func (s *Server) Plans() int {
	s.planMu.Lock()
	defer s.planMu.Unlock()
	return s.plans
}

// Tell tells the page's person what the engine tells it during a run.
func (s *Server) Tell(e migrate.Event) { s.live.Notify(e) }
