package ui

import (
	"context"
	"net/http"
	"strings"

	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/move"
)

// startMove runs `mastomigrate move` from the page: the same engine
// (move.Move), its questions asked on the page (the old account's
// handle and password in fields never kept), its checks shown as they
// come. "check" is --dry-run, "count" is --check once.
func (s *Server) startMove(w http.ResponseWriter, r *http.Request) {
	cfg := move.Config{From: strings.TrimSpace(r.PostFormValue("from")), To: strings.TrimSpace(r.PostFormValue("to"))}
	switch r.PostFormValue("mode") {
	case "check":
		cfg.DryRun = true
	case "count":
		cfg.Check = true
	}
	if cfg.From == "" || cfg.To == "" {
		field := "move-from"
		if cfg.From != "" {
			field = "move-to"
		}
		s.reportWith(w, r, pageError{"Name the old account and the new one (user@domain) to move.", field})
		return
	}
	env := s.env()
	err := s.launch(kindMove, func(ctx context.Context, p migrate.Person) (*migrate.Summary, error) {
		return nil, move.New(cfg, env).Run(ctx, p)
	})
	if err != nil {
		s.reportWith(w, r, failed(err.Error()))
		return
	}
	http.Redirect(w, r, "/run", http.StatusSeeOther)
}
