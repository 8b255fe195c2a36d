package main

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// cliFrom starts the program with NEW's token and OLD's.
func cliFrom(t *testing.T, neu *mastotest.Server, oldToken, state string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MASTOMIGRATE_TEST_AS_CLI=1", tokenEnv+"="+neu.Token, fromTokenEnv+"="+oldToken,
		"XDG_STATE_HOME="+state)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// bigOldAccount is oldAccount with n of each kind of item besides.
func bigOldAccount(old, neu *mastotest.Server, n int) {
	// The program runs on the wall clock here.
	oldAccount(old, neu, time.Now().UTC().Truncate(time.Second))
	for i := 0; i < n; i++ {
		h := fmt.Sprintf("user%d@many%d.example", i, i%7)
		id := old.AddHandle(h, mastotest.Account{})
		neu.AddHandle(h, mastotest.Account{})
		old.SeedFollow(id, mastotest.FollowState{Reblogs: i%2 == 0, Notify: i%3 == 0})
		old.SeedFollowedTag(fmt.Sprintf("tag%d", i))
		if i%4 == 0 {
			old.SeedNote(id, fmt.Sprintf("note %d", i))
			old.SeedEndorsement(id)
		}
		if i%10 == 0 {
			old.SeedFilter(mastotest.FilterState{Title: fmt.Sprintf("filter %d", i), Context: []string{"home"}, Action: "warn",
				Keywords: []mastotest.FilterKeyword{{Keyword: fmt.Sprintf("word%d", i), WholeWord: true}}})
		}
	}
}

// TestMigrateFromCrashAndResume kills the real program at random moments
// of a migration from a live old account, and resumes: the new account
// ends as the old one is, the old one is never written to, and little is
// sent twice.
func TestMigrateFromCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program many times")
	}
	for _, fl := range []mastotest.Flavour{mastotest.Mastodon45, mastotest.GoToSocial020} {
		t.Run(fl.String(), func(t *testing.T) {
			const n, concurrency, kills = 200, 4, 6
			old := mastotest.NewServer(t, mastotest.WithDomain("old.example"), generous(mastotest.Mastodon45))
			opts := []mastotest.Option{mastotest.WithFlavour(fl), mastotest.WithFaults(mastotest.Faults{Latency: 4 * time.Millisecond}, 1)}
			if fl.GoToSocial() {
				opts = append(opts, mastotest.WithLimits(mastotest.Limits{}))
			} else {
				opts = append(opts, generous(fl))
			}
			neu := mastotest.NewServer(t, opts...)
			bigOldAccount(old, neu, n)
			if fl.GoToSocial() {
				neu.UpdateAccount(neu.ID("lou@l.example"), func(a *mastotest.Account) { a.Locked = false })
			}
			oldToken := old.NewToken()
			state := t.TempDir()
			args := []string{"migrate", "--from", old.URL, "--to", neu.URL, "--yes", "--include", "likes", "--concurrency", "4"}
			rng := rand.New(rand.NewPCG(7, 7))
			killed := 0
			for i := 0; i < 30 && killed < kills; i++ {
				cmd, stderr := cliFrom(t, neu, oldToken, state, args...)
				done := make(chan error, 1)
				go func() { done <- cmd.Wait() }()
				target := neu.Writes() + 1 + rng.IntN(60)
				for deadline := time.Now().Add(20 * time.Second); neu.Writes() < target && time.Now().Before(deadline); {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(time.Duration(rng.IntN(10)) * time.Millisecond)
				select {
				case err := <-done:
					if exitCode(err) != 0 {
						t.Fatalf("run %d failed (exit %d)\n%s", i, exitCode(err), stderr)
					}
					i = 30 // finished before the kill: the kills so far are the test
				default:
					cmd.Process.Signal(syscall.SIGKILL)
					<-done
					killed++
				}
				paths, _ := filepath.Glob(filepath.Join(state, "mastomigrate", "*.journal"))
				if len(paths) > 1 {
					t.Fatalf("%d journals after %d kills: a --from run must keep one", len(paths), killed)
				}
				for _, p := range paths {
					if _, err := journal.Load(p); err != nil {
						t.Fatalf("after kill %d the journal does not load: %v", killed, err)
					}
				}
			}
			if killed < 2 {
				t.Fatalf("only %d kills landed: the test needs a slower run", killed)
			}
			cmd, stderr := cliFrom(t, neu, oldToken, state, args...)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("final run: exit %d\n%s", exitCode(err), stderr)
			}
			assertCopied(t, fl, old, neu)
			if w := old.TokenWrites(oldToken); w != 0 || old.Writes() != 0 {
				t.Errorf("%d writes to the old account", old.Writes())
			}

			// The journal is finished, and running again sends nothing.
			writes := neu.Writes()
			cmd, stderr = cliFrom(t, neu, oldToken, state, args...)
			if err := cmd.Wait(); err != nil {
				t.Fatalf("re-run: exit %d\n%s", exitCode(err), stderr)
			}
			if d := neu.Writes() - writes; d != 0 {
				t.Errorf("re-run after the end made %d writes", d)
			}
			// Steps in flight at a kill may go twice, no more.
			total := len(neu.State().Follows) + n + n/4*2 + n/10 + 30
			t.Logf("%d kills, %d writes on the new account for about %d items", killed, writes, total)
			if writes > total+killed*concurrency {
				t.Errorf("%d writes for about %d items after %d kills", writes, total, killed)
			}
		})
	}
}
