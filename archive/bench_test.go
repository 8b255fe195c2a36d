package archive_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/archive/archivetest"
)

var benchDir = flag.String("benchdir", "", "keep the large synthetic exports here between runs (default: a temporary folder)")

// bigExport returns the path of the synthetic export, writing it once.
func bigExport(b *testing.B, name string, write func(string, archivetest.BigOptions) error) string {
	dir := *benchDir
	if dir == "" {
		dir = b.TempDir()
	}
	p := filepath.Join(dir, name)
	if _, err := os.Stat(p); err == nil {
		return p
	}
	b.Logf("writing %s (once; keep it with -benchdir)", p)
	if err := write(p+".tmp", archivetest.DefaultBig); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(p+".tmp", p); err != nil {
		b.Fatal(err)
	}
	return p
}

// peakRSSKiB is the kernel's high-water mark of this process's resident
// memory (Linux only; 0 elsewhere).
func peakRSSKiB() int64 {
	s, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(s), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb
		}
	}
	return 0
}

// TestPlanChild is the benchmarks' helper process: it only plans the export
// named by MASTOMIGRATE_PLAN_CHILD and prints its own peak RSS, so that
// the figure covers nothing else (not writing the export, not the timing
// loop's garbage). It does nothing in a normal test run.
func TestPlanChild(t *testing.T) {
	p := os.Getenv("MASTOMIGRATE_PLAN_CHILD")
	if p == "" {
		t.Skip("helper process for the Plan benchmarks")
	}
	if _, err := read(context.Background(), p); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("peak-rss-kib %d\n", peakRSSKiB())
}

// childPeakRSS plans p in a fresh process and returns its peak RSS in MiB.
func childPeakRSS(b *testing.B, p string) float64 {
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlanChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), "MASTOMIGRATE_PLAN_CHILD="+p)
	out, err := cmd.CombinedOutput()
	if err != nil {
		b.Fatalf("plan in a child process: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "peak-rss-kib "); ok {
			kb, _ := strconv.ParseFloat(v, 64)
			return kb / 1024
		}
	}
	b.Fatalf("child printed no peak RSS:\n%s", out)
	return 0
}

// shellTime runs a shell command on p (as $0) and returns how long it took,
// or 0 when one of the tools is missing.
func shellTime(b *testing.B, script, p string, tools ...string) time.Duration {
	for _, t := range tools {
		if _, err := exec.LookPath(t); err != nil {
			b.Logf("no %s: skipping %q", t, script)
			return 0
		}
	}
	start := time.Now()
	if out, err := exec.Command("sh", "-c", script, p).CombinedOutput(); err != nil {
		b.Fatalf("%s: %v\n%s", script, err, out)
	}
	return time.Since(start)
}

// baseline is a command the plan is compared with. It runs once before
// each timed plan, so that both see the same load on a shared machine.
type baseline struct {
	metric, script string
	tools          []string
	best           time.Duration // fastest run
}

func (bl *baseline) run(b *testing.B, p string) {
	if d := shellTime(b, bl.script, p, bl.tools...); d > 0 && (bl.best == 0 || d < bl.best) {
		bl.best = d
	}
}

// benchPlan times planning p and reports the fastest plan as a ratio to
// the fastest run of each baseline (fastest against fastest, since other
// processes can only slow either down), with the peak RSS of a process
// that only plans.
func benchPlan(b *testing.B, p string, baselines ...*baseline) {
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	b.ReportAllocs()
	var best time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		for _, bl := range baselines {
			bl.run(b, p)
		}
		b.StartTimer()
		start := time.Now()
		e, err := read(context.Background(), p)
		if d := time.Since(start); best == 0 || d < best {
			best = d
		}
		if err != nil {
			b.Fatal(err)
		}
		if e.Posts == nil || e.Posts.Total()+e.Posts.Boosts != archivetest.DefaultBig.Toots {
			b.Fatalf("posts: %+v", e.Posts)
		}
	}
	b.StopTimer()
	for _, bl := range baselines {
		if bl.best > 0 {
			b.ReportMetric(float64(best)/float64(bl.best), bl.metric)
		}
	}
	b.ReportMetric(childPeakRSS(b, p), "peak-RSS-MiB")
}

// BenchmarkPlanZip reads a 1 GiB export zip (100k toots in a realistic
// outbox, 5k follows, media) and reports its time against unzipping the
// outbox alone (x-unzip-p) and against counting its items with jq
// (x-unzip-jq), both on the same file in the same run.
func BenchmarkPlanZip(b *testing.B) {
	p := bigExport(b, "big.zip", archivetest.WriteBigZip)
	benchPlan(b, p,
		&baseline{metric: "x-unzip-p", script: `unzip -p "$0" outbox.json >/dev/null`, tools: []string{"unzip"}},
		&baseline{metric: "x-unzip-jq", script: `unzip -p "$0" outbox.json | jq '.orderedItems|length' >/dev/null`, tools: []string{"unzip", "jq"}})
}

// BenchmarkPlanTarGz reads the same export as a tar.gz and reports its time
// against `gzip -dc FILE >/dev/null` on the same file (x-gzip-dc).
func BenchmarkPlanTarGz(b *testing.B) {
	p := bigExport(b, "big.tar.gz", archivetest.WriteBigTarGz)
	benchPlan(b, p, &baseline{metric: "x-gzip-dc", script: `gzip -dc "$0" >/dev/null`, tools: []string{"gzip"}})
}

// BenchmarkPlanCSV reads a following_accounts.csv of 200,000 rows, ten
// times what Mastodon imports at once but what a long-lived account
// exports.
func BenchmarkPlanCSV(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("Account address,Show boosts,Notify on new posts,Languages\n")
	for i := range 200_000 {
		langs := ""
		if i%10 == 0 {
			langs = `"en, de"`
		}
		fmt.Fprintf(&sb, "user%d@server%d.example,%t,%t,%s\n", i, i%997, i%3 != 0, i%7 == 0, langs)
	}
	p := filepath.Join(b.TempDir(), "following_accounts.csv")
	if err := os.WriteFile(p, []byte(sb.String()), 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(sb.Len()))
	b.ReportAllocs()
	for b.Loop() {
		e, err := read(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		if len(e.Follows) != 200_000 {
			b.Fatalf("%d follows", len(e.Follows))
		}
	}
}
