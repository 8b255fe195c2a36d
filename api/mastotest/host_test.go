package mastotest

import (
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

func TestGoToSocialHandlesCarryThePort(t *testing.T) {
	s := NewServer(t, WithFlavour(GoToSocial020))
	host := strings.TrimPrefix(s.URL, "http://")
	if s.Domain != host || !strings.Contains(host, ":") {
		t.Fatalf("Domain %q, want %q", s.Domain, host)
	}
	if d := req(t, s, "GET", "/api/v2/instance", nil).obj(t)["domain"]; d != host {
		t.Errorf("instance domain %v", d)
	}
	bob := s.AddHandle("bob@"+host, Account{})
	if s.ID("bob@"+host) != bob || s.ID("bob") != bob {
		t.Errorf("local handle with a port not found")
	}
	req(t, s, "POST", "/api/v1/accounts/"+bob+"/follow", nil)
	if _, ok := s.State().Follows["bob@"+host]; !ok {
		t.Errorf("state keys: %v", s.State().Follows)
	}
	a := req(t, s, "GET", "/api/v1/accounts/lookup", vals("acct", "bob@"+host)).obj(t)
	if a["acct"] != "bob" {
		t.Errorf("local acct %v", a["acct"])
	}
	// Search reads user@host:port as no handle; with a leading @ it does.
	for q, want := range map[string]int{"bob@" + host: 0, "@bob@" + host: 1, "bob": 1} {
		res := req(t, s, "GET", "/api/v2/search", vals("q", q, "type", "accounts", "resolve", "true")).obj(t)
		if n := len(res["accounts"].([]any)); n != want {
			t.Errorf("search %q: %d accounts, want %d", q, n, want)
		}
	}

	m := NewServer(t) // Mastodon keeps its LOCAL_DOMAIN
	if m.Domain != "new.example" {
		t.Errorf("Mastodon domain %q", m.Domain)
	}
	p := NewServer(t, WithHostDomain())
	if p.Domain != strings.TrimPrefix(p.URL, "http://") {
		t.Errorf("WithHostDomain: %q", p.Domain)
	}
	p.AddHandle("bob@"+p.Domain, Account{}) // Mastodon's search takes a port
	if res := req(t, p, "GET", "/api/v2/search", vals("q", "bob@"+p.Domain, "resolve", "true")).obj(t); len(res["accounts"].([]any)) != 1 {
		t.Errorf("Mastodon's search does not find bob@%s", p.Domain)
	}
	if d := NewServer(t, WithFlavour(GoToSocial020), WithDomain("gts.example")).Domain; d != "gts.example" {
		t.Errorf("WithDomain: %q", d)
	}
}

func TestPKCEPerFlavour(t *testing.T) {
	verifier := "a-verifier-long-enough-for-rfc-7636-0123456789abcdef"
	sum := sha256.Sum256([]byte(verifier))
	s256 := base64.RawURLEncoding.EncodeToString(sum[:])
	cases := []struct {
		fl Flavour
		// what the authorization endpoint and token answer
		plainOK, s256Checked bool
	}{
		{Mastodon42, true, false}, // ignored: any verifier will do
		{Mastodon43, true, true},
		{Mastodon45, false, true},
		{GoToSocial020, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.fl.String(), func(t *testing.T) {
			s := NewServer(t, WithFlavour(tc.fl))
			redirect := "http://127.0.0.1/cb"
			app := req(t, s, "POST", "/api/v1/apps", vals("client_name", "t", "redirect_uris", redirect, "scopes", "read"), "").obj(t)
			code := func(method, challenge string) (string, int) {
				a := req(t, s, "GET", "/oauth/authorize", vals("client_id", app["client_id"].(string), "redirect_uri", redirect,
					"response_type", "code", "scope", "read", "code_challenge", challenge, "code_challenge_method", method), "")
				if a.status != 302 {
					return "", a.status
				}
				u, _ := url.Parse(a.header.Get("Location"))
				return u.Query().Get("code"), a.status
			}
			token := func(c, v string) int {
				return req(t, s, "POST", "/oauth/token", vals("grant_type", "authorization_code", "code", c, "redirect_uri", redirect,
					"client_id", app["client_id"].(string), "client_secret", app["client_secret"].(string), "code_verifier", v), "").status
			}
			c, st := code("plain", verifier)
			if (st == 302) != tc.plainOK {
				t.Errorf("plain challenge: %d", st)
			}
			if st == 302 {
				if got := token(c, verifier); got != 200 {
					t.Errorf("plain verifier: %d", got)
				}
			}
			c, st = code("S256", s256)
			if st != 302 {
				t.Fatalf("S256 challenge: %d", st)
			}
			wrong := 200
			if tc.s256Checked {
				wrong = 400
			}
			if got := token(c, "not-the-verifier"); got != wrong {
				t.Errorf("wrong S256 verifier: %d, want %d", got, wrong)
			}
		})
	}
}
