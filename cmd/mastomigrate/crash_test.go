package main

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// TestMain lets the tests run this binary as mastomigrate itself, so the
// crash tests kill the real program, not a goroutine.
func TestMain(m *testing.M) {
	if os.Getenv("MASTOMIGRATE_TEST_AS_CLI") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// cli starts the program in a process of its own.
func cli(t *testing.T, s *mastotest.Server, state string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MASTOMIGRATE_TEST_AS_CLI=1", tokenEnv+"="+s.Token, "XDG_STATE_HOME="+state)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// generous is an allowance these tests never reach on the wall clock,
// on top of flavour fl's other limits (its caps stay).
func generous(fl mastotest.Flavour) mastotest.Option {
	l := fl.Limits()
	for _, n := range []*int{&l.Requests, &l.UserRequests, &l.Paginated, &l.IPRequests, &l.FollowsPerDay} {
		if *n > 0 {
			*n = 1_000_000
		}
	}
	return mastotest.WithLimits(l)
}

// cleanRunWrites is how many writes an uninterrupted migration of the
// export makes on a fresh server: the baseline for repeated writes.
func cleanRunWrites(t *testing.T, fl mastotest.Flavour, n int) (int, mastotest.State) {
	s := mastotest.NewServer(t, mastotest.WithFlavour(fl), generous(fl))
	export := writeExport(t, s, n)
	cmd, stderr := cli(t, s, t.TempDir(), "migrate", export, "--to", s.URL, "--yes", "--concurrency", "4", "--no-bulk")
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean run: %v\n%s", err, stderr)
	}
	return s.Writes(), s.State()
}

// TestCrashAndResume kills the program (SIGKILL) at random moments while
// it migrates, on each server flavour, then lets a last run finish: every
// item ends done, the journal always loads, and writes repeated because
// of the kills stay within kills × concurrency.
func TestCrashAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program a dozen times")
	}
	// Four kills per flavour, sixteen in all: more than the twelve this
	// test made on one server, in about the same time.
	const follows, concurrency, kills = 600, 4, 4
	eachFlavourParallel(t, func(t *testing.T, fl mastotest.Flavour) {
		baseline, want := cleanRunWrites(t, fl, follows)
		if fl.GoToSocial() && len(want.DomainBlocks) != 0 {
			t.Fatalf("domain blocks on %s: %v", fl, want.DomainBlocks)
		}

		// Slow answers, so that kills land in the middle of the work.
		s := mastotest.NewServer(t, mastotest.WithFlavour(fl), generous(fl), mastotest.WithFaults(mastotest.Faults{Latency: 4 * time.Millisecond}, 1))
		export := writeExport(t, s, follows)
		state := t.TempDir()
		args := []string{"migrate", export, "--to", s.URL, "--yes", "--concurrency", "4", "--no-bulk"}
		rng := rand.New(rand.NewPCG(42, 42))
		killed := 0
		for i := 0; i < 20 && killed < kills; i++ {
			cmd, stderr := cli(t, s, state, args...)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Kill after a random number of writes into this run, plus a random
			// moment, so kills land while changes are being made.
			target := s.Writes() + 1 + rng.IntN(120)
			for deadline := time.Now().Add(20 * time.Second); s.Writes() < target && time.Now().Before(deadline); {
				time.Sleep(time.Millisecond)
			}
			time.Sleep(time.Duration(rng.IntN(15)) * time.Millisecond)
			select {
			case err := <-done:
				t.Fatalf("run %d ended before it was killed (exit %d): the test needs a slower run\n%s", i, exitCode(err), stderr)
			default:
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				killed++
				t.Logf("kill %d: %d follows so far", killed, len(s.State().Follows))
			}
			paths, _ := filepath.Glob(filepath.Join(state, "mastomigrate", "*.journal"))
			for _, p := range paths {
				if _, err := journal.Load(p); err != nil {
					t.Fatalf("after kill %d the journal does not load: %v", killed, err)
				}
			}
		}
		cmd, stderr := cli(t, s, state, args...)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("final run: exit %d\n%s", exitCode(err), stderr)
		}
		got := s.State()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("after %d kills the state differs from a clean run's:\n got %d follows, blocks %v, domain blocks %v, lists %+v\nwant %d follows, blocks %v, domain blocks %v, lists %+v",
				killed, len(got.Follows), got.Blocks, got.DomainBlocks, got.Lists, len(want.Follows), want.Blocks, want.DomainBlocks, want.Lists)
			for h, f := range want.Follows {
				if g, ok := got.Follows[h]; !ok || !reflect.DeepEqual(g, f) {
					t.Errorf("%s: %+v, want %+v", h, g, f)
					break
				}
			}
		}
		if len(got.Follows) != follows || len(got.Lists["Close friends"].Members) != 5 {
			t.Errorf("%d follows, list %+v; want %d and a list of 5", len(got.Follows), got.Lists, follows)
		}
		repeated := s.Writes() - baseline
		t.Logf("%d kills, %d writes against %d for a clean run: %d repeated", killed, s.Writes(), baseline, repeated)
		if repeated > killed*concurrency {
			t.Errorf("%d repeated writes, more than kills x concurrency = %d", repeated, killed*concurrency)
		}
	})
}

// TestInterrupt sends Ctrl-C: the run stops cleanly, says how to go on,
// exits 130, and the resume finishes the job.
func TestInterrupt(t *testing.T) {
	s := mastotest.NewServer(t, generous(mastotest.Mastodon45), mastotest.WithFaults(mastotest.Faults{Latency: 3 * time.Millisecond}, 1))
	export := writeExport(t, s, 300)
	state := t.TempDir()
	cmd, stderr := cli(t, s, state, "migrate", export, "--to", s.URL, "--yes", "--concurrency", "2")
	for deadline := time.Now().Add(10 * time.Second); len(s.State().Follows) < 20 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(os.Interrupt)
	err := cmd.Wait()
	if code := exitCode(err); code != exitCancelled {
		t.Fatalf("exit %d, want %d\n%s", code, exitCancelled, stderr)
	}
	if !strings.Contains(stderr.String(), "Stopped. Everything done so far is journaled; continue with: mastomigrate migrate") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if n := len(s.State().Follows); n == 0 || n == 300 {
		t.Fatalf("%d follows at the interrupt: the test needs to stop mid-way", n)
	}
	resume, stderr := cli(t, s, state, "resume", "--yes")
	if err := resume.Wait(); err != nil {
		t.Fatalf("resume: exit %d\n%s", exitCode(err), stderr)
	}
	if n := len(s.State().Follows); n != 300 {
		t.Errorf("after resume: %d follows", n)
	}

}

// TestSecondInterrupt: with requests held in the server, the first Ctrl-C
// waits for them (and says a second one quits); the second quits at once
// with 130. The journal loads and resume finishes every item.
func TestSecondInterrupt(t *testing.T) {
	s := mastotest.NewServer(t, generous(mastotest.Mastodon45), mastotest.WithFaults(mastotest.Faults{Latency: 3 * time.Millisecond}, 1))
	export := writeExport(t, s, 300)
	state := t.TempDir()
	cmd, stderr := cli(t, s, state, "migrate", export, "--to", s.URL, "--yes", "--concurrency", "2")
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	for deadline := time.Now().Add(10 * time.Second); s.Writes() < 20 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	release := s.Hold()
	defer release()
	for deadline := time.Now().Add(10 * time.Second); s.InFlight() == 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	if s.InFlight() == 0 {
		t.Fatalf("no request in flight to hold\n%s", stderr)
	}
	cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-done:
		t.Fatalf("the first Ctrl-C quit (exit %d) with requests in flight\n%s", exitCode(err), stderr)
	case <-time.After(300 * time.Millisecond):
	}
	cmd.Process.Signal(os.Interrupt)
	select {
	case err := <-done:
		if code := exitCode(err); code != exitCancelled {
			t.Fatalf("exit %d, want %d\n%s", code, exitCancelled, stderr)
		}
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the second Ctrl-C did not quit within 5 s\n%s", stderr)
	}
	if !strings.Contains(stderr.String(), "Stopping after the requests in flight (Ctrl-C again to quit at once)") {
		t.Errorf("the first Ctrl-C said nothing:\n%s", stderr)
	}
	release()
	paths, _ := filepath.Glob(filepath.Join(state, "mastomigrate", "*.journal"))
	for _, p := range paths {
		if _, err := journal.Load(p); err != nil {
			t.Fatalf("the journal does not load: %v", err)
		}
	}
	resume, rerr := cli(t, s, state, "resume", "--yes")
	if err := resume.Wait(); err != nil {
		t.Fatalf("resume: exit %d\n%s", exitCode(err), rerr)
	}
	if st := s.State(); len(st.Follows) != 300 || len(st.Lists["Close friends"].Members) != 5 || len(st.Blocks) != 3 {
		t.Errorf("after resume: %d follows, %d blocks, lists %+v", len(st.Follows), len(st.Blocks), st.Lists)
	}
	noToken(t, []string{s.Token}, map[string]string{"the interrupted run's stderr": stderr.String(), "resume's stderr": rerr.String()}, state)
}
