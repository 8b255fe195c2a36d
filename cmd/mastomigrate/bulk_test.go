package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/api/mastotest"
	"github.com/mastomigrate/mastomigrate/migrate"
	"github.com/mastomigrate/mastomigrate/migrate/journal"
)

// writeBulkExport writes an export of follows, blocks and mutes, with the
// cases an import does not carry by itself: a locked account (a request),
// a moved one (followed at its new address), follow languages, a mute with
// an end date, an account the server must fetch first, and duplicates.
func writeBulkExport(t testing.TB, s *mastotest.Server, follows, blocks, mutes int) string {
	dir := t.TempDir()
	var fo, bl, mu strings.Builder
	fo.WriteString("Account address,Show boosts,Notify on new posts,Languages\n")
	mu.WriteString("Account address,Hide notifications\n")
	for i := 0; i < follows; i++ {
		h := fmt.Sprintf("user%d@server%d.example", i, i%13)
		a := mastotest.Account{}
		switch i {
		case 1:
			a.Locked = true
		case 2:
			a.Unknown = true
		case 3:
			a.MovedTo = s.AddHandle("newhome@elsewhere.example", mastotest.Account{})
		}
		s.AddHandle(h, a)
		langs := ""
		if i == 4 {
			langs = `"en, de"`
		}
		fmt.Fprintf(&fo, "%s,%v,%v,%s\n", h, i%2 == 0, i%7 == 0, langs)
		if i == 5 {
			fmt.Fprintf(&fo, "%s,%v,false,\n", h, i%2 == 0) // a duplicate
		}
	}
	for i := 0; i < blocks; i++ {
		h := fmt.Sprintf("troll%d@bad.example", i)
		s.AddHandle(h, mastotest.Account{})
		bl.WriteString(h + "\n")
	}
	for i := 0; i < mutes; i++ {
		h := fmt.Sprintf("loud%d@noisy.example", i)
		s.AddHandle(h, mastotest.Account{})
		fmt.Fprintf(&mu, "%s,%v\n", h, i%3 == 0)
	}
	for name, data := range map[string]string{"following_accounts.csv": fo.String(), "blocked_accounts.csv": bl.String(), "muted_accounts.csv": mu.String()} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type laneRun struct {
	requests int
	took     time.Duration
	state    mastotest.State
	uploads  map[string]int
}

// runLane migrates the export onto a fresh GoToSocial fake with its real
// limits, by the fast lane or (noBulk) item by item.
func runLane(t testing.TB, follows, blocks, mutes int, noBulk bool, opts ...mastotest.Option) laneRun {
	clock := mastotest.NewManualClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	s := mastotest.NewServer(t, append([]mastotest.Option{mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithClock(clock)}, opts...)...)
	export := writeBulkExport(t, s, follows, blocks, mutes)
	f, _, errOut := migrateFactory(t, s)
	f.Clock = clock
	args := []string{"migrate", export, "--to", s.URL, "--yes"}
	if noBulk {
		args = append(args, "--no-bulk")
	}
	start := clock.Now()
	if code := run(context.Background(), args, f); code != 0 {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	uploads, _, _ := s.Imports()
	return laneRun{requests: s.Count(""), took: clock.Now().Sub(start), state: s.State(), uploads: uploads}
}

// sameState compares end states; a moved account's old address, which
// only the import follows… is never followed: the fake's import skips
// moved accounts, as the per-item path does.
func sameState(t testing.TB, bulk, api mastotest.State) {
	t.Helper()
	if !reflect.DeepEqual(bulk.Follows, api.Follows) {
		for h, f := range api.Follows {
			if g, ok := bulk.Follows[h]; !ok || !reflect.DeepEqual(f, g) {
				t.Errorf("follow %s: bulk %+v (%v), per item %+v", h, g, ok, f)
			}
		}
		for h, g := range bulk.Follows {
			if _, ok := api.Follows[h]; !ok {
				t.Errorf("follow %s only by bulk: %+v", h, g)
			}
		}
	}
	if !reflect.DeepEqual(bulk.Blocks, api.Blocks) {
		t.Errorf("blocks: bulk %d, per item %d", len(bulk.Blocks), len(api.Blocks))
	}
	if !reflect.DeepEqual(bulk.Mutes, api.Mutes) {
		t.Errorf("mutes differ: bulk %d, per item %d", len(bulk.Mutes), len(api.Mutes))
	}
}

// TestBulkLaneGoToSocial: a small migration by the fast lane ends where
// the per-item path ends, with one upload per kind and far fewer requests.
func TestBulkLaneGoToSocial(t *testing.T) {
	bulk := runLane(t, 300, 30, 30, false)
	perItem := runLane(t, 300, 30, 30, true)
	sameState(t, bulk.state, perItem.state)
	if want := map[string]int{"following": 1, "blocks": 1, "mutes": 1}; !reflect.DeepEqual(bulk.uploads, want) {
		t.Errorf("uploads %v, want %v", bulk.uploads, want)
	}
	if len(perItem.uploads) != 0 {
		t.Errorf("--no-bulk uploaded %v", perItem.uploads)
	}
	t.Logf("requests: bulk %d, per item %d (1/%.1f); time: bulk %s, per item %s (1/%.1f)", bulk.requests, perItem.requests,
		float64(perItem.requests)/float64(bulk.requests), bulk.took, perItem.took, float64(perItem.took)/float64(bulk.took))
	if bulk.requests*5 > perItem.requests {
		t.Errorf("bulk %d requests, per item %d: want at most a fifth", bulk.requests, perItem.requests)
	}
}

// TestBulkLaneLostQueue: the server accepts the imports and never works
// through them (a restart loses its in-memory queue): the lane stops
// waiting once nothing changes, and the replay sends everything.
func TestBulkLaneLostQueue(t *testing.T) {
	lost := runLane(t, 40, 5, 5, false, mastotest.WithImportPace(mastotest.ImportPace{Delay: 1000 * time.Hour, PerSecond: 20}))
	perItem := runLane(t, 40, 5, 5, true)
	sameState(t, lost.state, perItem.state)
	if lost.took > 5*time.Minute {
		t.Errorf("waited %s for an import that never came", lost.took)
	}
}

// BenchmarkBulkLaneGoToSocial migrates 5,000 follows, 500 blocks and 500
// mutes onto the GoToSocial fake with its real limits (300 requests per 5
// minutes per IP) and its import pace (ImportPace's default), by the fast
// lane and item by item (--no-bulk), on a clock that moves only when the
// client waits. It reports the ratios of requests and of simulated time
// (target: at least 20 each) and checks both end in the same state.
func BenchmarkBulkLaneGoToSocial(b *testing.B) {
	for b.Loop() {
		bulk := runLane(b, 5000, 500, 500, false)
		perItem := runLane(b, 5000, 500, 500, true)
		sameState(b, bulk.state, perItem.state)
		b.ReportMetric(float64(bulk.requests), "requests-bulk")
		b.ReportMetric(float64(perItem.requests), "requests-per-item")
		b.ReportMetric(float64(perItem.requests)/float64(bulk.requests), "x-fewer-requests")
		b.ReportMetric(bulk.took.Minutes(), "min-bulk")
		b.ReportMetric(perItem.took.Minutes(), "min-per-item")
		b.ReportMetric(float64(perItem.took)/float64(bulk.took), "x-faster")
	}
}

// TestBulkLaneKills kills the program (SIGKILL) at random moments of a
// run (while the import is sent, worked through by the server, or
// compared and replayed afterwards), twice per migration, then lets a run
// finish: the end state is the per-item path's, and no import was ever
// uploaded twice.
func TestBulkLaneKills(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the program a dozen times")
	}
	const follows, blocks, mutes, scenarios, killsEach = 300, 30, 30, 3, 2
	want := runLane(t, follows, blocks, mutes, true).state
	l := mastotest.GoToSocialLimits()
	l.IPRequests = 1_000_000
	newServer := func() (*mastotest.Server, []string) {
		s := mastotest.NewServer(t, mastotest.WithFlavour(mastotest.GoToSocial020), mastotest.WithLimits(l),
			mastotest.WithImportPace(mastotest.ImportPace{Delay: 100 * time.Millisecond, PerSecond: 250}),
			mastotest.WithFaults(mastotest.Faults{Latency: time.Millisecond}, 1))
		return s, []string{"migrate", writeBulkExport(t, s, follows, blocks, mutes), "--to", s.URL, "--yes"}
	}
	// A clean run's length (wall time) sets where kills may land.
	s, args := newServer()
	began := time.Now()
	cmd, stderr := cli(t, s, t.TempDir(), args...)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("clean run: exit %d\n%s", exitCode(err), stderr)
	}
	clean := time.Since(began)
	rng := rand.New(rand.NewPCG(11, 11))
	for sc := 0; sc < scenarios; sc++ {
		s, args := newServer()
		state := t.TempDir()
		for k := 0; k < killsEach; k++ {
			cmd, stderr := cli(t, s, state, args...)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			at := time.Duration(rng.Int64N(int64(clean)))
			select {
			case err := <-done:
				if exitCode(err) != 0 {
					t.Fatalf("scenario %d run %d: exit %d\n%s", sc, k, exitCode(err), stderr)
				}
				t.Logf("scenario %d: run %d finished before its kill at %s", sc, k, at)
			case <-time.After(at):
				cmd.Process.Signal(syscall.SIGKILL)
				<-done
				uploads, applied, _ := s.Imports()
				t.Logf("scenario %d: killed at %s of %s: uploads %v, applied %v, queued %d", sc, at.Round(time.Millisecond),
					clean.Round(time.Millisecond), uploads, applied, s.ImportsPending())
			}
		}
		cmd, stderr := cli(t, s, state, args...)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("scenario %d final run: exit %d\n%s", sc, exitCode(err), stderr)
		}
		sameState(t, s.State(), want)
		uploads, _, _ := s.Imports()
		for typ, n := range uploads {
			if n > 1 {
				t.Errorf("scenario %d: %s imported %d times", sc, typ, n)
			}
		}
	}
}

// TestNoBulkIsResumed: a migration started with --no-bulk resumes
// without the fast lane.
func TestNoBulkIsResumed(t *testing.T) {
	h := journal.Header{Inputs: []string{"/x/export"}, Options: journal.RunConfig{To: "me@gts.example", Mode: "merge", NoBulk: true}}
	if got := migrate.ResumeCommand(h); !strings.HasSuffix(got, " --no-bulk") {
		t.Errorf("resume command %q lacks --no-bulk", got)
	}
}
