package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// loginFactory points a factory at a fake server and a temporary config.
func loginFactory(t *testing.T) (*factory, *bytes.Buffer, *bytes.Buffer, string) {
	f, out, errOut := testStreams()
	path := filepath.Join(t.TempDir(), "config", "mastomigrate", "tokens.json")
	f.TokensPath = func() (string, error) { return path, nil }
	return f, out, errOut, path
}

// browse plays the browser: it opens the approval page, where the fake
// server's "me" approves at once, and follows the redirect to our
// loopback listener.
func browse(u string) error {
	resp, err := http.Get(u)
	if err != nil {
		return err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(string(body))
	}
	return nil
}

// pastedCode answers the --no-browser prompt: it reads the address the
// command printed, opens it, and types the code the page shows.
type pastedCode struct {
	errOut *bytes.Buffer
	code   *strings.Reader
}

func (p *pastedCode) Read(b []byte) (int, error) {
	if p.code == nil {
		u := regexp.MustCompile(`http://\S+/oauth/authorize\S+`).FindString(p.errOut.String())
		resp, err := http.Get(u)
		if err != nil {
			return 0, err
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		code := regexp.MustCompile(`value="([^"]+)"`).FindSubmatch(page)
		if code == nil {
			return 0, errors.New("no code on the page: " + string(page))
		}
		p.code = strings.NewReader(string(code[1]) + "\n")
	}
	return p.code.Read(b)
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name      string
		opts      []mastotest.Option
		noBrowser bool
	}{
		{name: "browser, PKCE"},
		{name: "browser, before Mastodon 4.3 (no PKCE)", opts: []mastotest.Option{mastotest.WithoutPKCE()}},
		{name: "no browser", noBrowser: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mastotest.NewServer(t, tt.opts...)
			f, out, errOut, path := loginFactory(t)
			f.OpenBrowser = browse
			args := []string{"login", s.URL}
			if tt.noBrowser {
				args = []string{"login", "--no-browser", s.URL}
				f.IO.In = &pastedCode{errOut: errOut}
			}
			if code := run(context.Background(), args, f); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !strings.Contains(errOut.String(), "✓ Logged in as me@new.example") {
				t.Errorf("stderr: %s", errOut)
			}
			st, err := os.Stat(path)
			if err != nil || st.Mode().Perm() != 0o600 {
				t.Fatalf("token file: %v, mode %v; want 0600", err, st.Mode())
			}
			tokens, _ := api.LoadTokens(path)
			login, ok := tokens.Find("me@new.example")
			if !ok || !s.TokenValid(login.Token) {
				t.Fatalf("stored login %+v does not work on the server", login)
			}
			if strings.Contains(out.String()+errOut.String(), login.Token) {
				t.Error("the token was printed")
			}

			out.Reset()
			if code := run(context.Background(), []string{"whoami"}, f); code != 0 || !strings.Contains(out.String(), "me@new.example\t"+s.URL) {
				t.Errorf("whoami: %d %q", code, out)
			}
			if strings.Contains(out.String(), login.Token) {
				t.Error("whoami printed the token")
			}

			if code := run(context.Background(), []string{"logout", "me@new.example"}, f); code != 0 {
				t.Fatalf("logout: %s", errOut)
			}
			if s.TokenValid(login.Token) {
				t.Error("logout did not revoke the token on the server")
			}
			tokens, _ = api.LoadTokens(path)
			if len(tokens.Logins) != 0 {
				t.Error("logout did not forget the token")
			}
		})
	}
}

func TestLoginRefusesPlainHTTP(t *testing.T) {
	f, _, errOut, _ := loginFactory(t)
	if code := run(context.Background(), []string{"login", "http://new.example"}, f); code != exitUsage {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(errOut.String(), "refusing plain http") {
		t.Errorf("stderr: %s", errOut)
	}
}

// TestLoginAppThrottle: Mastodon (from 4.2.9, so every flavour) takes 5
// app registrations per 10 minutes from one address, and every login
// registers one. The sixth
// login says so and when to try again, and ends as "try later" (75).
func TestLoginAppThrottle(t *testing.T) {
	for _, fl := range []mastotest.Flavour{mastotest.Mastodon42, mastotest.Mastodon43, mastotest.Mastodon45} {
		t.Run(fl.String(), func(t *testing.T) {
			clock := mastotest.NewManualClock(time.Date(2026, 11, 28, 9, 2, 30, 0, time.UTC))
			s := mastotest.NewServer(t, mastotest.WithFlavour(fl), mastotest.WithClock(clock))
			f, _, errOut, path := loginFactory(t)
			f.OpenBrowser, f.Clock = browse, clock
			for i := range 5 {
				if code := run(context.Background(), []string{"login", s.URL}, f); code != 0 {
					t.Fatalf("login %d: exit %d: %s", i+1, code, errOut)
				}
			}
			errOut.Reset()
			if code := run(context.Background(), []string{"login", s.URL}, f); code != exitTempFail {
				t.Errorf("sixth login: exit %d, want %d: %s", code, exitTempFail, errOut)
			}
			for _, words := range []string{"no more app registrations from this address", "log in again after 09:10 UTC"} {
				if !strings.Contains(errOut.String(), words) {
					t.Errorf("sixth login says %q, want it to say %q", errOut, words)
				}
			}
			tokens, _ := api.LoadTokens(path)
			if len(tokens.Logins) != 1 {
				t.Errorf("%d logins stored", len(tokens.Logins))
			}
		})
	}
}
