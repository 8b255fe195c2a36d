package mastotest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// answer is one response, read whole.
type answer struct {
	status int
	header http.Header
	body   string
}

// json decodes the body into a map (or fails the test).
func (a answer) obj(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(a.body), &m); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return m
}

func (a answer) list(t *testing.T) []map[string]any {
	t.Helper()
	var l []map[string]any
	if err := json.Unmarshal([]byte(a.body), &l); err != nil {
		t.Fatalf("body %q: %v", a.body, err)
	}
	return l
}

// errorText is the "error" of a JSON error body.
func (a answer) errorText(t *testing.T) string {
	t.Helper()
	s, _ := a.obj(t)["error"].(string)
	return s
}

// req sends a request with "me"'s token (or tok, if given) as plain
// net/http: form values go in the query for GET, in the body otherwise.
func req(t *testing.T, s *Server, method, path string, form url.Values, tok ...string) answer {
	t.Helper()
	return callCtx(context.Background(), t, s, method, path, form, tok...)
}

func callCtx(ctx context.Context, t *testing.T, s *Server, method, path string, form url.Values, tok ...string) answer {
	t.Helper()
	a, err := send(ctx, s, method, path, form, tok...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

func send(ctx context.Context, s *Server, method, path string, form url.Values, tok ...string) (answer, error) {
	u := s.URL + path
	var body io.Reader
	if method == http.MethodGet {
		if len(form) > 0 {
			u += "?" + form.Encode()
		}
	} else {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return answer{}, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	token := s.Token
	if len(tok) > 0 {
		token = tok[0]
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Accept", "application/json")
	cl := *s.Client()
	cl.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := cl.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

// want checks a status and, when msg is not "", the error text.
func want(t *testing.T, what string, a answer, status int, msg string) {
	t.Helper()
	if a.status != status {
		t.Errorf("%s: status %d, want %d (body %s)", what, a.status, status, a.body)
		return
	}
	if msg != "" {
		if got := a.errorText(t); got != msg {
			t.Errorf("%s: error %q, want %q", what, got, msg)
		}
	}
}

// eventually waits for cond; it synchronises with the server's
// goroutines and never decides a test by speed (the limit is generous).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func forEachFlavour(t *testing.T, f func(t *testing.T, fl Flavour)) {
	for _, fl := range Flavours() {
		t.Run(fl.String(), func(t *testing.T) { f(t, fl) })
	}
}

func vals(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

var day = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }
