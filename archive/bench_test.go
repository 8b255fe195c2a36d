package archive_test

import (
	"context"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mastomigrate/mastomigrate/archive"
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
	if err := write(p, archivetest.DefaultBig); err != nil {
		b.Fatal(err)
	}
	return p
}

// peakRSS resets the kernel's high-water mark for this process and returns
// a function that reads it, in MiB (Linux only; 0 elsewhere).
func peakRSS() func() float64 {
	os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	return func() float64 {
		s, err := os.ReadFile("/proc/self/status")
		if err != nil {
			return 0
		}
		for _, line := range strings.Split(string(s), "\n") {
			if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmHWM:" {
				kb, _ := strconv.ParseFloat(f[1], 64)
				return kb / 1024
			}
		}
		return 0
	}
}

func benchPlan(b *testing.B, p string) {
	st, _ := os.Stat(p)
	b.SetBytes(st.Size())
	peak := peakRSS()
	b.ResetTimer()
	for b.Loop() {
		e, err := archive.Read(context.Background(), p)
		if err != nil {
			b.Fatal(err)
		}
		if e.Posts == nil || e.Posts.Total()+e.Posts.Boosts != archivetest.DefaultBig.Toots {
			b.Fatalf("posts: %+v", e.Posts)
		}
	}
	b.ReportMetric(peak(), "peak-RSS-MiB")
}

// BenchmarkPlanZip reads a 1 GiB export zip (100k toots, 5k follows, media).
func BenchmarkPlanZip(b *testing.B) {
	benchPlan(b, bigExport(b, "big.zip", archivetest.WriteBigZip))
}

// BenchmarkPlanTarGz reads the same export as a tar.gz and reports its time
// against `gzip -dc FILE >/dev/null` on the same file, measured in this run.
func BenchmarkPlanTarGz(b *testing.B) {
	p := bigExport(b, "big.tar.gz", archivetest.WriteBigTarGz)
	var gz time.Duration
	if _, err := exec.LookPath("gzip"); err == nil {
		start := time.Now()
		if err := exec.Command("sh", "-c", "gzip -dc \"$0\" >/dev/null", p).Run(); err != nil {
			b.Fatal(err)
		}
		gz = time.Since(start)
	}
	start := time.Now()
	benchPlan(b, p)
	if gz > 0 {
		per := time.Since(start) / time.Duration(b.N)
		b.ReportMetric(float64(per)/float64(gz), "x-gzip-dc")
	}
}
