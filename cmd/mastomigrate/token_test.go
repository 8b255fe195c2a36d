package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// revokeAfter revokes the token on the server once n follows went out,
// as a user revoking the app in the server's settings mid-run would.
type revokeAfter struct {
	s     *mastotest.Server
	token string
	n     int
	mu    sync.Mutex
	sent  int
}

func (r *revokeAfter) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/follow") {
		r.mu.Lock()
		r.sent++
		if r.sent == r.n {
			r.s.RevokeToken(r.token)
		}
		r.mu.Unlock()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// storeLogin writes a token file with one login for the server's "me".
func storeLogin(t *testing.T, f *factory, s *mastotest.Server, path, token string) {
	t.Helper()
	f.TokensPath = func() (string, error) { return path, nil }
	tokens, err := api.LoadTokens(path)
	if err != nil {
		t.Fatal(err)
	}
	tokens.Put(&api.Login{Account: "me@" + s.Domain, App: api.App{Instance: s.URL}, Token: token})
	if err := tokens.Save(); err != nil {
		t.Fatal(err)
	}
}

// noToken fails if any token appears in the texts or in any file under
// the folders (journals, locks): tokens live only in the token file.
func noToken(t *testing.T, tokens []string, texts map[string]string, dirs ...string) {
	t.Helper()
	for _, dir := range dirs {
		filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := os.ReadFile(p)
				texts[p] = string(b)
			}
			return nil
		})
	}
	for name, text := range texts {
		for _, tok := range tokens {
			if strings.Contains(text, tok) {
				t.Errorf("the token appears in %s", name)
			}
		}
	}
}

// TestTokenRevokedMidRun: the token is revoked after 40 follows. The run
// stops with one message that says to log in again, records nothing as
// failed, leaves a journal that loads, and after a new login `resume`
// finishes with every item done. Neither token ever appears in the
// output or in the state folder.
func TestTokenRevokedMidRun(t *testing.T) {
	eachFlavour(t, func(t *testing.T, fl mastotest.Flavour) {
		s, _ := newFake(t, fl, generous(fl))
		export := writeExport(t, s, 200)
		f, out, errOut := migrateFactory(t, s)
		f.Getenv = func(string) string { return "" }
		config := t.TempDir()
		tokensPath := filepath.Join(config, "tokens.json")
		storeLogin(t, f, s, tokensPath, s.Token)
		f.Transport = &revokeAfter{s: s, token: s.Token, n: 40}
		account := "me@" + s.Domain

		code := run(context.Background(), []string{"migrate", export, "--to", account, "--yes", "--no-bulk"}, f)
		if code != exitError {
			t.Fatalf("exit %d, want %d\n%s", code, exitError, errOut)
		}
		if !strings.Contains(errOut.String(), "The instance refused the token: run `mastomigrate login <instance>` again.") {
			t.Errorf("stderr does not say to log in again:\n%s", errOut)
		}
		if n := strings.Count(errOut.String(), "mastomigrate: "); n != 1 {
			t.Errorf("%d error lines, want 1:\n%s", n, errOut)
		}
		// Follows sent before the 40th may reach the server after the
		// revocation, up to one per request in flight.
		followed := len(s.State().Follows)
		if followed < 39-8 || followed == 200 {
			t.Errorf("%d follows when the token was revoked as the 40th went out", followed)
		}
		dir, _ := f.StateDir()
		paths, _ := journal.List(dir)
		if len(paths) != 1 {
			t.Fatalf("journals %v", paths)
		}
		j, err := journal.Load(paths[0])
		if err != nil || j.Finished() {
			t.Fatalf("journal: %v, finished %v", err, j.Finished())
		}
		for _, it := range reportJSON(t, f, out) {
			if it.Status == "failed" || it.Status == "skipped" && !fl.GoToSocial() {
				t.Errorf("after the revocation %s %s is %s: %s", it.Category, it.Item, it.Status, it.Reason)
			}
		}
		firstOut, firstErr := out.String(), errOut.String()

		// A new login, and resume finishes.
		newToken := s.NewToken()
		storeLogin(t, f, s, tokensPath, newToken)
		f.Transport = nil
		out.Reset()
		errOut.Reset()
		if code := run(context.Background(), []string{"resume", "--yes"}, f); code != 0 {
			t.Fatalf("resume with a new token: exit %d\n%s", code, errOut)
		}
		st := s.State()
		wantDomains := 2
		if fl.GoToSocial() {
			wantDomains = 0
		}
		if len(st.Follows) != 200 || len(st.Blocks) != 3 || len(st.DomainBlocks) != wantDomains || len(st.Lists["Close friends"].Members) != 5 {
			t.Errorf("after resume: %d follows, %d blocks, %d domain blocks, lists %+v; want 200, 3, %d, a list of 5",
				len(st.Follows), len(st.Blocks), len(st.DomainBlocks), st.Lists, wantDomains)
		}
		noToken(t, []string{s.Token, newToken}, map[string]string{
			"the first run's stdout": firstOut, "the first run's stderr": firstErr,
			"resume's stdout": out.String(), "resume's stderr": errOut.String()}, dir)
	})
}
