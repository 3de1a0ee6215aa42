package enginetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"
)

// TestMain removes the binary the CLI benchmark builds.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binDir   string
	binOnce  sync.Once
	binPath  string
	binError error
)

// sightlineBinary builds the sightline command once per process.
func sightlineBinary(b *testing.B) string {
	b.Helper()
	binOnce.Do(func() {
		if binDir, binError = os.MkdirTemp("", "sightline-bench-bin-"); binError != nil {
			return
		}
		binPath = filepath.Join(binDir, "sightline")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/sightline-dev/sightline").CombinedOutput()
		if err != nil {
			binError = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if binError != nil {
		b.Fatalf("build sightline: %v", binError)
	}
	return binPath
}

// BenchmarkSeriesCLI runs `sightline search series --every 7d --points 52
// --end <last commit>` as a subprocess, end to end, checks its values
// against the naive baseline, and reports its peak resident memory: the
// largest of the process's and its git children's (rusage ru_maxrss, as
// /usr/bin/time -v reports it).
func BenchmarkSeriesCLI(b *testing.B) {
	for _, bq := range seriesQueries {
		b.Run(bq.name, func(b *testing.B) {
			r, bin := openBenchRepo(b), sightlineBinary(b)
			naive := naiveSeries(b, r, bq)
			var peak int64
			var got []sample
			cpu := benchproc.CPUTime()
			for b.Loop() {
				var rss int64
				var err error
				got, rss, err = runCLI(b, bin, r, bq.query)
				if err != nil {
					b.Fatal(err)
				}
				peak = max(peak, rss)
			}
			if err := compare(got, naive.samples); err != nil {
				b.Fatalf("%s: sightline search series and the naive baseline disagree: %v", bq.query, err)
			}
			reportVersusNaive(b, benchproc.CPUTime()-cpu, naive)
			b.ReportMetric(float64(peak)/(1<<20), "peak-rss-MiB")
		})
	}
}

// runCLI runs one series and returns its samples and peak RSS in bytes.
func runCLI(b *testing.B, bin string, r *benchRepo, query string) ([]sample, int64, error) {
	args := []string{"search", "series", "--repo", r.dir,
		"--every", strconv.Itoa(sampleDays) + "d", "--points", strconv.Itoa(samplePoints),
		"--end", r.end.Format(time.RFC3339), "--format", "json"}
	if r.maxFileSize > 0 {
		args = append(args, "--max-file-size", strconv.FormatInt(r.maxFileSize, 10))
	}
	cmd := exec.CommandContext(b.Context(), bin, append(args, query)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// Started so that its peak RSS is its own, not this process's
	// (benchproc.StartMeasured).
	_, err := benchproc.StartMeasured(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w: %s", cmd, err, stderr.Bytes())
	}
	var points []struct {
		Time     time.Time        `json:"time"`
		Commit   string           `json:"commit"`
		Value    int64            `json:"value"`
		Captures map[string]int64 `json:"captures"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &points); err != nil {
		return nil, 0, fmt.Errorf("%s: output: %w", cmd, err)
	}
	if len(points) != len(r.times) {
		return nil, 0, fmt.Errorf("%s: %d sample times, want %d", cmd, len(points), len(r.times))
	}
	samples := make([]sample, len(points))
	for i, p := range points {
		if !p.Time.Equal(r.times[i]) {
			return nil, 0, fmt.Errorf("%s: sample time %d is %s, want %s", cmd, i, p.Time, r.times[i])
		}
		samples[i] = sample{at: p.Time, commit: p.Commit, value: p.Value, captures: p.Captures}
		if p.Commit == "-" {
			samples[i].commit = ""
		}
	}
	return samples, benchproc.MaxRSS(cmd.ProcessState) << 10, nil // Linux: KiB
}
