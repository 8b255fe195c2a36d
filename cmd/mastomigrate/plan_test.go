package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func testStreams() (*factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	f := newFactory(&streams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut})
	f.Getenv = func(string) string { return "" }
	f.TokensPath = func() (string, error) { return "", errors.New("tests must set TokensPath") }
	f.StateDir = func() (string, error) { return "", errors.New("tests must set StateDir") }
	f.OpenBrowser = func(string) error { return errors.New("tests must set OpenBrowser") }
	return f, &out, &errOut
}

func TestPlanCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     string
		code     int
		stdout   []string
		stderr   string
		noStdout bool
	}{
		{name: "text", args: "plan ../../testdata/sample/mastodon-archive.zip ../../testdata/sample/csv",
			stdout: []string{"Will be carried over", "8  with their boosts", "Cannot be carried over", "toots (8: 4 public", "Worth a look"}},
		{name: "no args", args: "plan", code: exitUsage, stderr: "mastomigrate: name at least one export file or folder, e.g.", noStdout: true},
		{name: "unknown flag", args: "plan --nope x", code: exitUsage, stderr: "unknown flag: --nope", noStdout: true},
		{name: "bad input", args: "plan ../../testdata/broken/encrypted.zip", code: exitError,
			stderr: "mastomigrate: ../../testdata/broken/encrypted.zip: following_accounts.csv: entry is encrypted", noStdout: true},
		{name: "version", args: "version", stdout: []string{"mastomigrate "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, out, errOut := testStreams()
			code := run(context.Background(), strings.Fields(tt.args), s)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, errOut.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(out.String(), want) {
					t.Errorf("stdout lacks %q:\n%s", want, out.String())
				}
			}
			if tt.noStdout && out.Len() > 0 {
				t.Errorf("stdout should be empty on error, got %q", out.String())
			}
			if !strings.Contains(errOut.String(), tt.stderr) {
				t.Errorf("stderr %q, want it to contain %q", errOut.String(), tt.stderr)
			}
		})
	}
}

// TestPlanJSONContract pins the keys scripts rely on.
func TestPlanJSONContract(t *testing.T) {
	s, out, errOut := testStreams()
	if code := run(context.Background(), []string{"plan", "--json", "../../testdata/sample/json-export.zip", "../../testdata/sample/csv"}, s); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got struct {
		Importable map[string]int `json:"importable"`
		NotCarried []struct {
			What    string `json:"what"`
			Count   *int   `json:"count"`
			Why     string `json:"why"`
			Instead string `json:"instead"`
		} `json:"not_carried"`
	}
	raw := append([]byte{}, out.Bytes()...)
	dec := json.NewDecoder(out)
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Error("more than one JSON value on stdout")
	}
	// 11 follows, less gus (also blocked) and eve (on a blocked domain), plus
	// ivy, a list member followed first.
	want := map[string]int{"follows": 10, "lists": 4, "list_members": 6, "domain_blocks": 3, "mutes": 3, "blocks": 2, "bookmarks": 3, "likes": 3}
	for k, v := range want {
		if n, ok := got.Importable[k]; !ok || n != v {
			t.Errorf("importable.%s = %d (present %v), want %d", k, n, ok, v)
		}
	}
	whats := map[string]bool{}
	for _, n := range got.NotCarried {
		whats[n.What] = true
		if n.Why == "" || n.Instead == "" {
			t.Errorf("%s lacks why or instead", n.What)
		}
	}
	for _, w := range []string{"toots", "followers", "direct_messages", "password", "media"} {
		if !whats[w] {
			t.Errorf("not_carried lacks %q", w)
		}
	}
	if !bytes.Contains(raw, []byte(`"count": null`)) {
		t.Error("unknown counts must be null")
	}
}
