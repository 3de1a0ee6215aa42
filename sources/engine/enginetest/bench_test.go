package enginetest

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
)

// The benchmarks run on one repository: $SIGHTLINE_BENCH_REPO when set (any
// git repository, bare or not; its HEAD is used), otherwise the repository
// DefaultParams describe, generated once into $SIGHTLINE_BENCH_DIR (default
// the system temporary directory) and reused by later runs.
//
// git grep has no file size limit. For a repository with text files over
// Sightline's default 1 MiB limit, $SIGHTLINE_BENCH_MAX_FILE_SIZE (bytes)
// raises the limit of the Sightline runs so that both search the same files.

// Series sample times: weekly, ending at the last commit, as
// `sightline search series --every 7d --points 52 --end <last commit>`.
const (
	samplePoints = 52
	sampleDays   = 7
)

// benchRepo is the repository under benchmark.
type benchRepo struct {
	dir         string
	end         time.Time   // committer time of HEAD
	times       []time.Time // the sample times, oldest first
	maxFileSize int64       // Sightline's file size limit; 0 for the default
}

var (
	theRepo    *benchRepo
	theRepoErr error
	repoOnce   sync.Once
)

// openBenchRepo returns the benchmark repository, generating it on first
// use; it fails b when there is none.
func openBenchRepo(b *testing.B) *benchRepo {
	b.Helper()
	repoOnce.Do(func() { theRepo, theRepoErr = setUpRepo(b) })
	if theRepoErr != nil {
		b.Fatalf("benchmark repository: %v", theRepoErr)
	}
	return theRepo
}

func setUpRepo(b *testing.B) (*benchRepo, error) {
	ctx := context.Background()
	dir := os.Getenv("SIGHTLINE_BENCH_REPO")
	if dir == "" {
		parent := cmp.Or(os.Getenv("SIGHTLINE_BENCH_DIR"), os.TempDir())
		start := time.Now()
		var generated bool
		var err error
		dir, generated, err = Cached(ctx, parent, DefaultParams)
		if err != nil {
			return nil, fmt.Errorf("generate into %s (set SIGHTLINE_BENCH_DIR to use another directory, or SIGHTLINE_BENCH_REPO to use a real repository): %w", parent, err)
		}
		if generated {
			b.Logf("generated %s from %+v in %.1fs", dir, DefaultParams, time.Since(start).Seconds())
		}
	}
	repo, err := gitsource.Open(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", dir, err)
	}
	defer repo.Close()
	history, err := repo.FirstParentHistory(ctx, "")
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("%s has no commits", dir)
	}
	r := &benchRepo{dir: dir, end: history[0].CommittedAt}
	if v := os.Getenv("SIGHTLINE_BENCH_MAX_FILE_SIZE"); v != "" {
		if r.maxFileSize, err = strconv.ParseInt(v, 10, 64); err != nil {
			return nil, fmt.Errorf("SIGHTLINE_BENCH_MAX_FILE_SIZE: %w", err)
		}
	}
	for i := range samplePoints {
		r.times = append(r.times, r.end.AddDate(0, 0, -sampleDays*(samplePoints-1-i)))
	}
	b.Logf("repository %s: %s", dir, describe(ctx, repo, len(history)))
	return r, nil
}

// describe summarizes the repository for the benchmark log (and
// docs/benchmarks.md).
func describe(ctx context.Context, repo *gitsource.Repo, commits int) string {
	tree, err := repo.TreeWithSizes(ctx, "")
	if err != nil {
		return err.Error()
	}
	var size int64
	for _, e := range tree {
		size += max(e.Size, 0)
	}
	pack := "?"
	if out, err := gitsource.Command(ctx, repo.Dir(), "count-objects", "-v").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			if kib, ok := strings.CutPrefix(line, "size-pack: "); ok {
				n, _ := strconv.ParseFloat(kib, 64)
				pack = fmt.Sprintf("%.1f MiB", n/1024)
			}
		}
	}
	return fmt.Sprintf("%d first-parent commits; at HEAD %d files, %.1f MB; pack %s", commits, len(tree), float64(size)/1e6, pack)
}

// reportVersusNaive reports the Sightline run's wall and CPU time per op
// next to the naive baseline's, and their ratios.
func reportVersusNaive(b *testing.B, cpu time.Duration, naive *naiveRun) {
	wall := b.Elapsed().Seconds() / float64(b.N)
	cpuPerOp := cpu.Seconds() / float64(b.N)
	b.ReportMetric(wall, "sightline-s/op")
	b.ReportMetric(naive.elapsed.Seconds(), "naive-s/op")
	b.ReportMetric(naive.elapsed.Seconds()/wall, "speedup-x")
	b.ReportMetric(cpuPerOp, "sightline-cpu-s/op")
	b.ReportMetric(naive.cpu.Seconds(), "naive-cpu-s/op")
	b.ReportMetric(naive.cpu.Seconds()/cpuPerOp, "cpu-speedup-x")
}
