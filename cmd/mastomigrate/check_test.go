package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

func TestPlanTo(t *testing.T) {
	s := mastotest.NewServer(t)
	s.AddHandle("ana@mastodon.example", mastotest.Account{})
	s.SeedFollow(s.ID("ana@mastodon.example"), mastotest.FollowState{Reblogs: true})
	s.AddHandle("bo@fosstodon.example", mastotest.Account{Unknown: true})

	tests := []struct {
		name string
		json bool
		want []string
	}{
		{"text", false, []string{"On me@new.example", "follows", "! follow chris@old.example: not found (no such account", "Time: "}},
		{"json", true, []string{`"target": {`, `"account": "me@new.example"`, `"already_there": 1`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, out, errOut := testStreams()
			f.Getenv = func(k string) string {
				if k == tokenEnv {
					return s.Token
				}
				return ""
			}
			args := []string{"plan", "../../testdata/sample/csv/following_accounts.csv", "--to", s.URL}
			if tt.json {
				args = append(args, "--json")
			}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			if tt.json && !json.Valid(out.Bytes()) {
				t.Error("invalid JSON")
			}
			if strings.Contains(out.String()+errOut.String(), s.Token) {
				t.Error("the token was printed")
			}
			if errOut.Len() > 0 {
				t.Errorf("stderr is not a terminal, yet got %q", errOut)
			}
		})
	}
	for route := range s.Counts() {
		if !strings.HasPrefix(route, "GET ") {
			t.Errorf("plan --to sent %s", route)
		}
	}
}

func TestPlanToNotLoggedIn(t *testing.T) {
	f, _, errOut, _ := loginFactory(t)
	code := run(context.Background(), []string{"plan", "../../testdata/sample/csv", "--to", "me@new.example"}, f)
	if code != exitError || !strings.Contains(errOut.String(), "not logged in as me@new.example: run `mastomigrate login <instance>` first") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
