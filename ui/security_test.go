package ui_test

import (
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"github.com/mastomigrate/mastomigrate/ui"
)

// TestRefusals: what did not come from the page opened at the printed
// address is refused, and what did is served, each answer with the
// strict Content-Security-Policy.
func TestRefusals(t *testing.T) {
	p := newPage(t)
	host := strings.TrimPrefix(p.Base, "http://")
	tests := []struct {
		name   string
		method string
		path   string
		host   string // "" for the page's own
		origin string // for posts: "" for none
		cookie bool
		want   int
	}{
		{"the page, with its cookie", "GET", "/exports", "", "", true, http.StatusOK},
		{"no key, no cookie", "GET", "/exports", "", "", false, http.StatusForbidden},
		{"a wrong key", "GET", "/exports?key=guess", "", "", false, http.StatusForbidden},
		{"the events without the cookie", "GET", "/run/events", "", "", false, http.StatusForbidden},
		{"another Host: DNS rebinding", "GET", "/exports", "evil.example:" + strings.Split(host, ":")[1], "", true, http.StatusMisdirectedRequest},
		{"localhost is another Host", "GET", "/exports", "localhost:" + strings.Split(host, ":")[1], "", true, http.StatusMisdirectedRequest},
		{"a post from another origin", "POST", "/run/start", "", "http://evil.example", true, http.StatusForbidden},
		{"a post from the page's host on another port", "POST", "/run/start", "", "http://127.0.0.1:1", true, http.StatusForbidden},
		{"a post without Origin", "POST", "/run/pause", "", "", true, http.StatusForbidden},
		{"a post without the cookie", "POST", "/run/pause", "", p.Base, false, http.StatusForbidden},
		{"a post from the page", "POST", "/run/pause", "", p.Base, true, http.StatusOK},
		{"a login callback with a state not made here", "GET", "/oauth/callback?state=x&code=y", "", "", false, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, p.Base+tt.path, strings.NewReader(""))
			if tt.host != "" {
				req.Host = tt.host
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			c := p.C
			if !tt.cookie {
				c = &http.Client{}
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("%s %s: %d, want %d", tt.method, tt.path, resp.StatusCode, tt.want)
			}
			if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}

// TestKeySetsCookie: the printed address's key becomes an HttpOnly,
// SameSite=Strict cookie, and the key leaves the address.
func TestKeySetsCookie(t *testing.T) {
	p := newPage(t)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(p.srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || strings.Contains(resp.Header.Get("Location"), "key=") {
		t.Errorf("%d to %q: want a redirect without the key", resp.StatusCode, resp.Header.Get("Location"))
	}
	var got *http.Cookie
	for _, ck := range resp.Cookies() {
		got = ck
	}
	if got == nil || !got.HttpOnly || got.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie %+v: want HttpOnly, SameSite=Strict", got)
	}
	jar, _ := cookiejar.New(nil)
	u, _ := url.Parse(p.Base)
	jar.SetCookies(u, []*http.Cookie{got})
	resp, err = (&http.Client{Jar: jar}).Get(p.Base + "/exports")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("with the cookie: %v %v", resp.Status, err)
	}
	resp.Body.Close()
}

// TestListen: the page listens on loopback addresses only.
func TestListen(t *testing.T) {
	tests := []struct {
		addr string
		ok   bool
	}{
		{"", true},
		{"127.0.0.1:0", true},
		{"localhost:0", true},
		{"0.0.0.0:0", false},
		{":0", false},
		{"192.0.2.1:8080", false},
		{"example.com:8080", false},
		{"[::]:0", false},
		{"127.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			ln, err := ui.Listen(tt.addr)
			if ln != nil {
				defer ln.Close()
				if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
					t.Errorf("listening on %v", ip)
				}
			}
			if (err == nil) != tt.ok {
				t.Errorf("Listen(%q): %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}
