package ui

// Plans is how many plans were made, each a read of every export.
func (s *Server) Plans() int {
	s.planMu.Lock()
	defer s.planMu.Unlock()
	return s.plans
}
