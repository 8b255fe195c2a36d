package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/mastomigrate/mastomigrate/api"
	"github.com/mastomigrate/mastomigrate/api/mastotest"
)

func TestRootVersionFlag(t *testing.T) {
	f, out, errOut := testStreams()
	if code := run(context.Background(), []string{"--version"}, f); code != 0 || !strings.HasPrefix(out.String(), "mastomigrate ") {
		t.Errorf("--version: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestLoginLogoutWithoutArgumentSayWhatToGive(t *testing.T) {
	for _, tt := range []struct{ args, want string }{
		{"login", "mastomigrate: say which instance to log in to, e.g. `mastomigrate login mastodon.social`\nRun 'mastomigrate login --help' for usage.\n"},
		{"logout", "mastomigrate: say which account to log out, e.g. `mastomigrate logout me@new.example`"},
	} {
		f, _, errOut := testStreams()
		if code := run(context.Background(), strings.Fields(tt.args), f); code != exitUsage || !strings.HasPrefix(errOut.String(), tt.want) {
			t.Errorf("%s: exit %d, stderr %q\nwant %q", tt.args, code, errOut, tt.want)
		}
	}
}

func TestUsageErrorsPointAtTheSubcommandsHelp(t *testing.T) {
	for args, want := range map[string]string{
		"plan --nope x":          "Run 'mastomigrate plan --help' for usage.",
		"migrate x":              "Run 'mastomigrate migrate --help' for usage.",
		"nosuchcommand":          "Run 'mastomigrate --help' for usage.",
		"plan --include toots x": "Run 'mastomigrate plan --help' for usage.",
	} {
		f, _, errOut := testStreams()
		if code := run(context.Background(), strings.Fields(args), f); code != exitUsage || !strings.Contains(errOut.String(), want) {
			t.Errorf("%s: exit %d, stderr %q, want %q", args, code, errOut, want)
		}
	}
}

func TestCompletion(t *testing.T) {
	f, out, errOut := testStreams()
	if code := run(context.Background(), []string{"completion", "tcsh"}, f); code != exitUsage || !strings.Contains(errOut.String(), `takes one shell: bash, zsh, fish, powershell; not "tcsh"`) {
		t.Errorf("completion tcsh: exit %d, stdout %d bytes, stderr %q", code, out.Len(), errOut)
	}
	for _, sh := range completionShells {
		f, out, _ := testStreams()
		if code := run(context.Background(), []string{"completion", sh}, f); code != 0 || out.Len() < 100 {
			t.Errorf("completion %s: exit %d, %d bytes", sh, code, out.Len())
		}
	}

	// Values for flags, and the logged-in accounts for --to.
	path := filepath.Join(t.TempDir(), "tokens.json")
	tokens, _ := api.LoadTokens(path)
	tokens.Put(&api.Login{Account: "me@new.example", App: api.App{Instance: "https://new.example"}, Token: "secret"})
	if err := tokens.Save(); err != nil {
		t.Fatal(err)
	}
	complete := func(args ...string) string {
		f, out, _ := testStreams()
		f.TokensPath = func() (string, error) { return path, nil }
		run(context.Background(), append([]string{cobra.ShellCompRequestCmd}, args...), f)
		return out.String()
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"migrate", "x", "--only", ""}, []string{"follows", "list_members", "domain_blocks"}},
		{[]string{"migrate", "x", "--skip", "follows,l"}, []string{"follows,lists", "follows,likes"}},
		{[]string{"migrate", "x", "--mode", ""}, []string{"merge", "overwrite"}},
		{[]string{"plan", "x", "--include", ""}, []string{"likes", "profile"}},
		{[]string{"migrate", "x", "--include", ""}, []string{"likes", "profile"}},
		{[]string{"migrate", "x", "--to", ""}, []string{"me@new.example"}},
		{[]string{"plan", "x", "--to", ""}, []string{"me@new.example"}},
	} {
		got := complete(tt.args...)
		for _, w := range tt.want {
			if !strings.Contains(got, w+"\n") && !strings.Contains(got, w+"\t") {
				t.Errorf("complete %q lacks %q:\n%s", tt.args, w, got)
			}
		}
		if strings.Contains(got, "secret") {
			t.Error("completion printed a token")
		}
	}
}

func TestEveryCommandHasExamples(t *testing.T) {
	f, _, _ := testStreams()
	for _, c := range newRootCmd(f).Commands() {
		if c.Hidden || c.Name() == "help" {
			continue
		}
		if !strings.Contains(c.Example, "$ mastomigrate") {
			t.Errorf("%s has no examples", c.Name())
		}
	}
}

func TestWhoamiWithTokenInEnvironment(t *testing.T) {
	s := mastotest.NewServer(t)
	f, out, errOut := testStreams()
	f.Getenv = func(k string) string {
		if k == tokenEnv {
			return s.Token
		}
		return ""
	}
	if code := run(context.Background(), []string{"whoami", "--to", s.URL}, f); code != 0 || !strings.HasPrefix(out.String(), "me@new.example\t") {
		t.Errorf("whoami: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if strings.Contains(out.String()+errOut.String(), s.Token) {
		t.Error("the token was printed")
	}

	f, out, errOut = testStreams()
	f.Getenv = func(k string) string {
		if k == tokenEnv {
			return "not-a-token"
		}
		return ""
	}
	if code := run(context.Background(), []string{"whoami", "--to", s.URL}, f); code != exitError || !strings.Contains(errOut.String(), "refuses the token in "+tokenEnv) {
		t.Errorf("refused token: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	f, _, errOut = testStreams()
	f.Getenv = func(k string) string { return map[string]string{tokenEnv: "x"}[k] }
	if code := run(context.Background(), []string{"whoami"}, f); code != exitUsage || !strings.Contains(errOut.String(), "--to") {
		t.Errorf("no --to: exit %d, stderr %q", code, errOut)
	}
}

// failingDial fails every connection with err, as the network would.
func failingDial(err error) http.RoundTripper {
	return &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}}
}

func TestLoginUnreachableSaysWhy(t *testing.T) {
	// A port nothing listens on: a real "connection refused", on loopback.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()

	for _, tt := range []struct {
		name, instance string
		transport      http.RoundTripper
		want           string
	}{
		{"name not found", "new.example", failingDial(&net.DNSError{Err: "no such host", Name: "new.example", Server: "10.255.255.53:53", IsNotFound: true}),
			"mastomigrate: could not reach new.example: name not found\n"},
		{"timed out", "new.example", failingDial(os.ErrDeadlineExceeded), "mastomigrate: could not reach new.example: timed out\n"},
		{"refused", "http://" + refused, nil, "mastomigrate: could not reach " + refused + ": connection refused\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, _, errOut, _ := loginFactory(t)
			f.Transport = tt.transport
			f.OpenBrowser = browse
			if code := run(context.Background(), []string{"login", tt.instance}, f); code != exitError || errOut.String() != tt.want {
				t.Errorf("exit %d, stderr %q\nwant %q", code, errOut, tt.want)
			}
		})
	}
}

// Ctrl-C during an offline plan: exit 130, and nothing said.
func TestInterruptedPlanIsQuiet(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f, out, errOut := testStreams()
	if code := run(ctx, []string{"plan", sampleDir + "mastodon-archive.tar.gz"}, f); code != exitCancelled || errOut.Len() != 0 || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	var note bytes.Buffer
	interrupted(f, &note)
	if note.Len() != 0 {
		t.Errorf("Ctrl-C note for an offline plan: %q", note.String())
	}
	// migrate has requests in flight to finish, and says so.
	f, _, _ = testStreams()
	run(ctx, []string{"migrate", "x", "--to", "me@new.example"}, f)
	note.Reset()
	interrupted(f, &note)
	if !strings.Contains(note.String(), "Stopping after the requests in flight") {
		t.Errorf("migrate's Ctrl-C note: %q", note.String())
	}
}
