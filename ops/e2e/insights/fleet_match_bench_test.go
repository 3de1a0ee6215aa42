package insights

import (
	"context"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/search"
)

// BenchmarkFleetMatching measures a lower bound of the Go side of the
// fleet's run-searches: the 5 series' matchers alone over exactly the
// blobs a pass reads (each repository's tree at its first sample commit,
// then the blobs changed at each next one), held in memory, with neither
// git, the engine's bookkeeping nor Postgres: the CPU time of the thread
// that matches (Linux). Reading them is not measured.
// Opt-in with SIGHTLINE_FLEET_INPROCESS=1, like BenchmarkFleetInProcess,
// whose answers it counts the same way.
func BenchmarkFleetMatching(b *testing.B) {
	if os.Getenv(fleetInProcessEnv) == "" {
		b.Skipf("opt-in: set %s=1", fleetInProcessEnv)
	}
	paths := cachedRepos(b, fleetParamsN(fleetRepos(b)))
	queries := make([]*search.Query, len(fleetSeries))
	for i, fs := range fleetSeries {
		q, err := search.Parse(fs.query)
		if err != nil {
			b.Fatal(err)
		}
		queries[i] = q
	}
	// The matching runs on this goroutine's thread, whose CPU time
	// (RUSAGE_THREAD) is what is measured: the machine is shared.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var answers, bytes int64
	var matching time.Duration
	for range b.N {
		b.StopTimer()
		answers, bytes, matching = 0, 0, 0
		for _, dir := range paths {
			files, n := fleetBlobs(b, dir)
			answers += int64(n * len(fleetSeries))
			t0 := threadCPU(b)
			for _, f := range files {
				bytes += int64(len(f.data))
				for _, q := range queries {
					q.Match(f.path, f.data, search.MatchOpts{})
				}
			}
			matching += threadCPU(b) - t0
		}
	}
	b.ReportMetric(float64(matching.Microseconds())/1e3/float64(answers), "match-cpu-ms/answer")
	b.ReportMetric(float64(bytes)/1e6, "blob-MB")
	b.ReportMetric(float64(answers), "answers")
}

type fleetBlob struct {
	path string
	data []byte
}

// fleetBlobs returns the blobs a pass over dir's 12 monthly sample
// commits reads, and the number of sample times that have a commit.
func fleetBlobs(b *testing.B, dir string) ([]fleetBlob, int) {
	ctx := context.Background()
	var commits []string
	answered := 0
	for k := range 12 {
		c := gittest.CommitAt(b, dir, time.Date(fleetNow.Year(), fleetNow.Month()-time.Month(11-k), 1, 0, 0, 0, 0, time.UTC))
		if c == "" {
			continue
		}
		answered++
		if len(commits) == 0 || commits[len(commits)-1] != c {
			commits = append(commits, c)
		}
	}
	if len(commits) == 0 {
		return nil, 0
	}
	repo, err := gitsource.Open(ctx, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer repo.Close()
	tree, err := repo.Tree(ctx, commits[0])
	if err != nil {
		b.Fatal(err)
	}
	var want []fleetBlob
	var oids []string
	for _, e := range tree {
		if !e.Mode.IsSymlink() {
			want, oids = append(want, fleetBlob{path: e.Path}), append(oids, e.OID)
		}
	}
	diffs, err := repo.DiffChain(ctx, commits)
	if err != nil {
		b.Fatal(err)
	}
	for _, d := range diffs {
		for _, c := range d {
			if c.Status != gitsource.Deleted && !c.NewMode.IsSymlink() {
				want, oids = append(want, fleetBlob{path: c.Path}), append(oids, c.NewOID)
			}
		}
	}
	limit := search.MatchOpts{}.MaxSize()
	err = repo.ReadBlobs(ctx, oids, limit, func(i int, data []byte, _ int64, err error) error {
		want[i].data = append([]byte(nil), data...)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return want, answered
}

// rusageThread is Linux's RUSAGE_THREAD.
const rusageThread = 1

// threadCPU is the CPU time (user and system) of the calling thread.
func threadCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(rusageThread, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
