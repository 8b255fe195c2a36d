package main

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

// TestFaults injects 5% server errors, 1% dropped connections and slow
// replies: every item must end done, or be reported with a reason.
func TestFaults(t *testing.T) {
	s := mastotest.NewServer(t, generous(mastotest.Mastodon45), mastotest.WithFaults(mastotest.Faults{
		ServerErrors: 0.05, Drops: 0.01, SlowBodies: 0.05, SlowPause: 20 * time.Millisecond}, 7))
	export := writeExport(t, s, 300)
	f, out, errOut := migrateFactory(t, s)
	if code := run(context.Background(), []string{"migrate", export, "--to", s.URL, "--yes"}, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	out.Reset()
	if code := run(context.Background(), []string{"report", "--json"}, f); code != 0 {
		t.Fatalf("report: exit %d\n%s", code, errOut)
	}
	var rep struct {
		Items []struct{ Category, Item, Reason string }
	}
	if err := json.Unmarshal([]byte(out.String()), &rep); err != nil {
		t.Fatal(err)
	}
	reported := map[string]string{}
	for _, it := range rep.Items {
		if it.Reason == "" {
			t.Errorf("%s %s reported without a reason", it.Category, it.Item)
		}
		reported[it.Item] = it.Reason
	}
	st := s.State()
	for i := 0; i < 300; i++ {
		h := fmt.Sprintf("user%d@server%d.example", i, i%13)
		if _, ok := st.Follows[h]; !ok && reported[h] == "" {
			t.Errorf("%s neither followed nor reported", h)
		}
	}
	t.Logf("%d follows done, %d items reported, %d requests", len(st.Follows), len(rep.Items), s.Count(""))
}
