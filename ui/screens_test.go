package ui_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/archive"
	"github.com/mastomigrate/mastomigrate/migrate"
)

// TestExports: paths are read in place and uploads kept; a file that
// cannot be read is shown with the reader's own one-line reason (the
// CLI's) and left out; files that are not exports are named as ignored.
func TestExports(t *testing.T) {
	p := newPage(t)
	bad, _ := filepath.Abs("../testdata/broken/truncated.zip")
	_, wantErr := archive.Open(t.Context(), bad)
	if wantErr == nil {
		t.Fatal("the broken sample reads")
	}
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "following_accounts.csv"), []byte("Account address,Show boosts\nana@mastodon.example,true\n"), 0o600)
	os.WriteFile(filepath.Join(folder, "notes.txt"), []byte("not an export"), 0o600)
	tests := []struct {
		name   string
		path   string
		listed string // in the list of exports afterwards
		shown  string // on the page afterwards
	}{
		{"an archive read in place", "../testdata/sample/mastodon-archive.zip", "mastodon-archive.zip", ""},
		{"a folder, with a file that is not an export", folder, folder, "Ignored, not exports: " + filepath.ToSlash(folder) + "/notes.txt"},
		{"a broken archive", bad, "", html.EscapeString(wantErr.Error())},
		{"a path that does not exist", "/no/such/archive.zip", "", "/no/such/archive.zip: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			abs, _ := filepath.Abs(tt.path)
			_, body := p.Post("/exports/path", url.Values{"path": {abs}})
			list := regexp.MustCompile(`(?s)id="export-list".*?</ul>`).FindString(body)
			if tt.listed != "" && !strings.Contains(list, tt.listed) {
				t.Errorf("%s not listed:\n%s", tt.listed, list)
			}
			if tt.listed == "" && strings.Contains(list, ">"+abs+"</span>") {
				t.Errorf("%s listed:\n%s", abs, list)
			}
			if !strings.Contains(body, tt.shown) {
				t.Errorf("the page does not say %q:\n%s", tt.shown, body)
			}
		})
	}

	// Read in place: nothing typed by path was copied.
	if copied, _ := filepath.Glob(filepath.Join(p.stateDir, "uploads", "*")); len(copied) > 0 {
		t.Errorf("paths were copied: %v", copied)
	}

	t.Run("an upload", func(t *testing.T) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("files", "muted_accounts.csv")
		fw.Write([]byte("Account address,Hide notifications\nloud@mastodon.example,true\n"))
		fw, _ = mw.CreateFormFile("files", "../../evil.csv")
		fw.Write([]byte("nothing"))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, p.Base+"/exports/upload", &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", p.Base)
		_, body := p.Do(req)
		if !strings.Contains(body, "muted_accounts.csv</span> <span class=\"tag\">uploaded") {
			t.Errorf("the upload is not listed:\n%s", body)
		}
		if !strings.Contains(body, "evil.csv</span>: ") {
			t.Errorf("the file that is not an export is not shown as such:\n%s", body)
		}
		kept, _ := filepath.Glob(filepath.Join(p.stateDir, "uploads", "*", "muted_accounts.csv"))
		if len(kept) != 1 {
			t.Errorf("uploads kept: %v", kept)
		}
		if escaped, _ := filepath.Glob(filepath.Join(p.stateDir, "evil.csv")); len(escaped) > 0 {
			t.Error("an upload's name left its folder")
		}
	})
}

// TestPlan: the plan screen shows `plan --json`'s plan, the engine's,
// first from the exports alone, then checked against the new account.
func TestPlan(t *testing.T) {
	p := newPage(t)
	for _, in := range sample {
		abs, _ := filepath.Abs(in)
		p.Post("/exports/path", url.Values{"path": {abs}})
	}
	abs := make([]string, len(sample))
	for i, in := range sample {
		abs[i], _ = filepath.Abs(in)
	}
	env := migrate.Env{Accounts: storeAccounts{tokens: p.tokens, clock: p.clock}, Clock: p.clock}
	to := p.storeLogin()
	for _, tt := range []struct {
		to      string
		include []string
	}{{"", nil}, {to, nil}, {to, []string{"likes", "profile"}}} {
		t.Run(fmt.Sprintf("to %q include %v", tt.to, tt.include), func(t *testing.T) {
			to := tt.to
			p.Post("/plan/include", url.Values{"include": tt.include})
			if to != "" {
				p.Post("/accounts/use", url.Values{"role": {"to"}, "account": {to}})
			}
			want, err := migrate.NewSession(migrate.SessionConfig{Exports: abs, To: to, Include: tt.include}, env).Plan(t.Context(), quietPerson{})
			if err != nil {
				t.Fatal(err)
			}
			wantJSON, _ := json.Marshal(want)
			_, got := p.Get("/plan.json")
			var a, b any
			json.Unmarshal(wantJSON, &a)
			json.Unmarshal([]byte(got), &b)
			if ja, jb := mustJSON(a), mustJSON(b); ja != jb {
				t.Errorf("/plan.json is not the engine's plan:\n got %s\nwant %s", jb, ja)
			}
			_, page := p.Get("/plan")
			row := regexp.MustCompile(`(?s)<tr data-category="follows">.*?</tr>`).FindString(page)
			cells := regexp.MustCompile(`<td[^>]*>(\d*)</td>`).FindAllStringSubmatch(row, -1)
			if len(cells) == 0 || cells[0][1] != itoa(want.Importable.Follows) {
				t.Errorf("follows row %q, want %d in the exports", row, want.Importable.Follows)
			}
			if want.Target != nil {
				var f *migrate.CategoryReport
				for _, c := range want.Target.Categories {
					if c.Name == "follows" {
						f = c
					}
				}
				engineCounts(t, "follows", row, f)
				// The lanes compared only where the engine compares them
				// (as `plan` prints them): else one estimate, not two.
				if lanes := want.LanesText(); strings.Contains(page, `id="lanes"`) != (lanes != "") ||
					lanes == "" && want.Lanes != nil && strings.Contains(page, html.EscapeString(want.Lanes.Text)) {
					t.Errorf("lanes on the page, want %q", lanes)
				}
				if !strings.Contains(page, html.EscapeString(want.Target.Estimate.Text)) || !strings.Contains(page, `class="chart"`) {
					t.Errorf("no estimate %q or chart on the page", want.Target.Estimate.Text)
				}
			}
			for _, nc := range want.NotCarried {
				if !strings.Contains(page, html.EscapeString(nc.Instead)) {
					t.Errorf("the page does not say what to do instead for %s", nc.What)
				}
			}
			for _, w := range want.Warnings {
				if !strings.Contains(page, html.EscapeString(w.Message)) {
					t.Errorf("warning %q not shown", w.Message)
				}
			}
		})
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestLogin: the page logs in through the instance's OAuth pages with
// PKCE, the redirect coming back to it; the login is kept in the CLI's
// token store, shown by its handle, and its token never reaches the
// page.
func TestLogin(t *testing.T) {
	for _, role := range []string{"to", "from"} {
		t.Run(role, func(t *testing.T) {
			p := newPage(t)
			// The client follows: our page, the fake's approval (which
			// approves at once), its redirect to our callback.
			code, body := p.Post("/accounts/login", url.Values{"role": {role}, "instance": {p.fake.URL}})
			if code != http.StatusOK || !strings.Contains(body, "Logged in as <strong>me@new.example</strong>") {
				t.Fatalf("%d\n%s", code, body)
			}
			_, body = p.Get("/accounts")
			want := map[string]string{"to": `id="to">Migrating to <strong>me@new.example`, "from": `id="from">Reading from <strong>me@new.example`}[role]
			if !strings.Contains(body, want) || !strings.Contains(body, `<span class="file">me@new.example</span>`) {
				t.Errorf("accounts screen:\n%s", body)
			}
			tokens, _ := api.LoadTokens(p.tokensPath)
			l, ok := tokens.Find("me@new.example")
			if !ok || !p.fake.TokenValid(l.Token) {
				t.Fatalf("no working login in the token store: %+v", l)
			}
			if wantRO := role == "from"; (l.App.Scopes != nil) != wantRO {
				t.Errorf("scopes %v for the %s account", l.App.Scopes, role)
			}
			p.noTokens()
		})
	}
}

// TestBadInput: what the page cannot do is said with the CLI's reason
// where there is one: next to the field that caused it, tied to it for
// screen readers (aria-describedby, aria-invalid), else at the top of
// the screen it was asked from.
func TestBadInput(t *testing.T) {
	p := newPage(t)
	tests := []struct {
		name, path string
		form       url.Values
		field      string // the field that caused it; "": none
		want       string
	}{
		{"an instance the CLI refuses", "/accounts/login", url.Values{"role": {"to"}, "instance": {"http://new.example"}}, "to-instance", "refusing plain http for new.example"},
		{"the old instance refused", "/accounts/login", url.Values{"role": {"from"}, "instance": {"http://old.example"}}, "from-instance", "refusing plain http for old.example"},
		{"a run without an account", "/run/start", nil, "", "log in to the new account first"},
		{"an empty path", "/exports/path", url.Values{"path": {" "}}, "path", "Type the path of a file or folder."},
		{"a move without its accounts", "/move/start", url.Values{"mode": {"move"}}, "move-from", "Name the old account and the new one"},
		{"a move without the new account", "/move/start", url.Values{"mode": {"move"}, "from": {"me@old.example"}}, "move-to", "Name the old account and the new one"},
		{"nothing to continue", "/run/continue", nil, "", "no unfinished migration to resume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, body := p.Post(tt.path, tt.form)
			if code != http.StatusUnprocessableEntity {
				t.Errorf("status %d", code)
			}
			shown := `id="page-error">` + html.EscapeString(tt.want)
			if tt.field != "" {
				shown = `id="` + tt.field + `-error" role="alert">` + html.EscapeString(tt.want)
				field := regexp.MustCompile(`<input id="` + tt.field + `"[^>]*>`).FindString(body)
				if !strings.Contains(field, `aria-invalid="true" aria-describedby="`+tt.field+`-error"`) {
					t.Errorf("the field is not tied to its error: %s", field)
				}
				if strings.Contains(body, `id="page-error"`) {
					t.Error("the field's error is also at the top")
				}
			}
			if !strings.Contains(body, shown) {
				t.Errorf("want %s:\n%s", shown, body)
			}
		})
	}
}

// TestLoginCallbackWithoutCookie: the instance's redirect is a
// navigation from another site, which carries no SameSite=Strict cookie;
// the state value of a login started here stands in for it, once.
func TestLoginCallbackWithoutCookie(t *testing.T) {
	p := newPage(t)
	noRedirect := func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	p.C.CheckRedirect = noRedirect
	req, _ := http.NewRequest(http.MethodPost, p.Base+"/accounts/login", strings.NewReader(url.Values{"role": {"to"}, "instance": {p.fake.URL}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", p.Base)
	resp, err := p.C.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %v %v", resp, err)
	}
	resp.Body.Close()
	// The approval page (the fake approves at once) sends the browser
	// back; that hop has no cookie.
	bare := &http.Client{CheckRedirect: noRedirect}
	resp, err = bare.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	callback := resp.Header.Get("Location")
	for i, want := range []int{http.StatusOK, http.StatusForbidden} {
		resp, err := bare.Get(callback)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("callback %d without the cookie: %d, want %d", i+1, resp.StatusCode, want)
		}
	}
	if _, body := p.Get("/accounts"); !strings.Contains(body, "Migrating to <strong>me@new.example") {
		t.Errorf("the login was not taken:\n%s", body)
	}
}

// TestPlanSources: the plan names its sources in one order, by name,
// whatever the order of their paths (an upload's has a random folder):
// the same exports make the same screen.
func TestPlanSources(t *testing.T) {
	for _, tt := range []struct {
		name  string
		dirs  []string // the folders, in the order added
		files []string // each folder's one export
	}{
		{"paths in the names' order", []string{"a", "b"}, []string{"blocked_accounts.csv", "following_accounts.csv"}},
		{"paths against the names' order", []string{"a", "b"}, []string{"following_accounts.csv", "blocked_accounts.csv"}},
		{"added against the paths' order", []string{"b", "a"}, []string{"following_accounts.csv", "blocked_accounts.csv"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newPage(t)
			root := t.TempDir()
			for i, dir := range tt.dirs {
				os.Mkdir(filepath.Join(root, dir), 0o700)
				path := filepath.Join(root, dir, tt.files[i])
				os.WriteFile(path, []byte("Account address\nana@mastodon.example\n"), 0o600)
				p.Post("/exports/path", url.Values{"path": {path}})
			}
			_, page := p.Get("/plan")
			got := regexp.MustCompile(`(?s)<span id="sources">(.*?)</span></span>`).FindStringSubmatch(page)
			want := `<span class="file">blocked_accounts.csv</span>, <span class="file">following_accounts.csv`
			if got == nil || got[1] != want {
				t.Errorf("sources %q, want %q", got, want)
			}
		})
	}
}
