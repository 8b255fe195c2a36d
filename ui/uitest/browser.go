// Package uitest drives mastomigrate's page over HTTP as a browser
// would, for the tests of package ui and of the ui command: cookies
// kept, Origin set on posts, the run followed through its server-sent
// events, and every byte the page sent kept, to look for secrets in.
package uitest

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/ui"
)

// Browser is one browser on the page.
type Browser struct {
	t    testing.TB
	Base string // http://127.0.0.1:port
	C    *http.Client

	mu   sync.Mutex
	seen strings.Builder
}

// Open opens the address the page printed (its key becomes a cookie).
func Open(t testing.TB, address string) *Browser {
	t.Helper()
	u, err := url.Parse(address)
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	b := &Browser{t: t, Base: u.Scheme + "://" + u.Host, C: &http.Client{Jar: jar, Timeout: 20 * time.Second}}
	if code, body := b.Get(address); code != http.StatusOK {
		t.Fatalf("opening %s: %d %s", address, code, body)
	}
	return b
}

func (b *Browser) keep(resp *http.Response) string {
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.seen.Write(body)
	for k, v := range resp.Header {
		b.seen.WriteString(k + ": " + strings.Join(v, " ") + "\n")
	}
	return string(body)
}

// Seen is everything the page sent: bodies, headers, events.
func (b *Browser) Seen() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.seen.String()
}

// Get opens a path of the page (or a full address).
func (b *Browser) Get(path string) (int, string) {
	b.t.Helper()
	if strings.HasPrefix(path, "/") {
		path = b.Base + path
	}
	resp, err := b.C.Get(path)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, b.keep(resp)
}

// Post submits a form from the page itself.
func (b *Browser) Post(path string, form url.Values) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.Base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.Do(req)
}

// Do sends req with the page's Origin, as a browser posting from it.
func (b *Browser) Do(req *http.Request) (int, string) {
	b.t.Helper()
	req.Header.Set("Origin", b.Base)
	resp, err := b.C.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	return resp.StatusCode, b.keep(resp)
}

// WaitFor reads the run's server-sent events until one satisfies ok.
func (b *Browser) WaitFor(what string, ok func(ui.Snapshot) bool) ui.Snapshot {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, b.Base+"/run/events", nil)
	resp, err := b.C.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		b.t.Fatalf("events: %s %s", resp.Status, ct)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	var last ui.Snapshot
	for sc.Scan() {
		data, found := strings.CutPrefix(sc.Text(), "data: ")
		if !found {
			continue
		}
		b.mu.Lock()
		b.seen.WriteString(data)
		b.mu.Unlock()
		if err := json.Unmarshal([]byte(data), &last); err != nil {
			b.t.Fatal(err)
		}
		if ok(last) {
			return last
		}
	}
	b.t.Fatalf("waiting for %s: the events ended (%v) at %+v", what, sc.Err(), last)
	return last
}

// Ended: the run is over, however it ended.
func Ended(s ui.Snapshot) bool { return s.State != "running" && s.State != "idle" }

// Confirm waits for the engine's question and answers it; before is
// called once the question shows (to hold the server, say). It returns
// the question.
func (b *Browser) Confirm(yes bool, before func()) *ui.Question {
	b.t.Helper()
	s := b.WaitFor("the question", func(s ui.Snapshot) bool { return s.Question != nil })
	if before != nil {
		before()
	}
	answer := "no"
	if yes {
		answer = "yes"
	}
	if code, body := b.Post("/run/answer", url.Values{"id": {strconv.Itoa(s.Question.ID)}, "answer": {answer}}); code != http.StatusOK {
		b.t.Fatalf("answer: %d %s", code, body)
	}
	return s.Question
}

// InFlight waits until the fake server has a request inside it.
func InFlight(t testing.TB, inFlight func() int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); inFlight() == 0; {
		if time.Now().After(deadline) {
			t.Fatal("no request in flight")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// StartAndPause starts the run the screens set up, says yes, and pauses
// it with requests in flight: hold (the fake's Hold) keeps the replay's
// first requests inside the server until the pause is asked for, and
// inFlight (the fake's InFlight) tells when they are there. It returns
// the run's snapshot once paused.
func (b *Browser) StartAndPause(hold func() (release func()), inFlight func() int) ui.Snapshot {
	b.t.Helper()
	if code, body := b.Post("/run/start", nil); code != http.StatusOK {
		b.t.Fatalf("start: %d %s", code, body)
	}
	// Held once asked (all is read), before the yes.
	release := func() {}
	defer func() { release() }()
	b.Confirm(true, func() { release = hold() })
	InFlight(b.t, inFlight)
	if _, body := b.Post("/run/pause", nil); !strings.Contains(body, "Pausing: the requests already sent finish") {
		b.t.Error("the run screen does not say it pauses while the requests in flight finish")
	}
	release()
	s := b.WaitFor("the pause", Ended)
	if s.State != "paused" {
		b.t.Fatalf("state %q (%s), want paused", s.State, s.Message)
	}
	return s
}
