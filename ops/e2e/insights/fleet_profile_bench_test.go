package insights

import (
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sources/engine/enginetest"
)

// fleetInProcessEnv opts in to BenchmarkFleetInProcess (make bench runs
// BenchmarkFleet, which measures the same run through the binary).
const fleetInProcessEnv = "SIGHTLINE_FLEET_INPROCESS"

// fleetProfileEnv names the file BenchmarkFleetInProcess writes the CPU
// profile of its run-searches runs to.
const fleetProfileEnv = "SIGHTLINE_FLEET_CPUPROFILE"

// fleetCacheEnv sets run-searches' Job.CacheBytes in
// BenchmarkFleetInProcess (default: the job's).
const fleetCacheEnv = "SIGHTLINE_FLEET_CACHE_BYTES"

// BenchmarkFleetInProcess runs the fleet's run-searches in this process
// (BenchmarkFleet runs the binary), to split its CPU time: the Go side
// (go-cpu-ms/answer: this process's user and system time over the run)
// and git's (git-cpu-ms/answer: the children waited for during the run),
// and, with $SIGHTLINE_FLEET_CPUPROFILE set, a CPU profile of the run
// alone (not of the untimed setup); $SIGHTLINE_FLEET_CACHE_BYTES sets the
// job's CacheBytes, and with $SIGHTLINE_FLEET_HEAPPROFILE set, a heap
// profile at the run's largest live heap. Opt-in with SIGHTLINE_FLEET_INPROCESS=1; use
// SIGHTLINE_FLEET_REPOS=10 to 100.
func BenchmarkFleetInProcess(b *testing.B) {
	if os.Getenv(fleetInProcessEnv) == "" {
		b.Skipf("opt-in: set %s=1 (it measures the run BenchmarkFleet does, in this process)", fleetInProcessEnv)
	}
	paths := cachedRepos(b, fleetParamsN(fleetRepos(b)))
	cacheBytes := 0
	if s := os.Getenv(fleetCacheEnv); s != "" {
		var err error
		if cacheBytes, err = strconv.Atoi(s); err != nil {
			b.Fatalf("%s=%q: want a number of bytes", fleetCacheEnv, s)
		}
	}
	var answers int64
	var goCPU, gitCPU, wall time.Duration
	var gcs uint32
	for range b.N {
		b.StopTimer()
		f := setupFleet(b, paths)
		plan := jobstest.MustRun(b, f.r, &planbackfills.Job{})
		runtime.GC()
		stop, stopHeap := startProfile(b), startHeapPeak(b)
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		self0, kids0 := rusage(b)
		b.StartTimer()
		t0 := time.Now()
		searched := jobstest.MustRun(b, f.r, &runsearches.Job{CacheBytes: cacheBytes})
		wall += time.Since(t0)
		b.StopTimer()
		self1, kids1 := rusage(b)
		runtime.ReadMemStats(&ms1)
		stop()
		stopHeap()
		if searched["answers"] != plan["answers"] || searched["errored"] != 0 {
			b.Fatalf("plan counts %v, run-searches counts %v: want every answer searched", plan, searched)
		}
		answers += plan["answers"]
		goCPU += self1 - self0
		gitCPU += kids1 - kids0
		gcs += ms1.NumGC - ms0.NumGC
	}
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1e3 / float64(answers) }
	b.ReportMetric(float64(answers)/wall.Seconds(), "answers/s")
	b.ReportMetric(float64(answers)/(goCPU+gitCPU).Seconds(), "answers/cpu-s")
	b.ReportMetric(per(goCPU), "go-cpu-ms/answer")
	b.ReportMetric(per(gitCPU), "git-cpu-ms/answer")
	b.ReportMetric(float64(gcs)/float64(b.N), "gcs/op")
}

func fleetParamsN(n int) []enginetest.Params {
	out := make([]enginetest.Params, n)
	for i := range out {
		out[i] = fleetParams(i)
	}
	return out
}

// startProfile starts a CPU profile into $SIGHTLINE_FLEET_CPUPROFILE,
// appending the op number when there are several, and returns its stop.
func startProfile(b *testing.B) (stop func()) {
	name := os.Getenv(fleetProfileEnv)
	if name == "" {
		return func() {}
	}
	f, err := os.Create(name)
	if err != nil {
		b.Fatalf("%s: %v", fleetProfileEnv, err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatalf("%s: %v", fleetProfileEnv, err)
	}
	return func() {
		pprof.StopCPUProfile()
		if err := f.Close(); err != nil {
			b.Fatalf("%s: %v", fleetProfileEnv, err)
		}
	}
}

// rusage returns the CPU time (user and system) of this process and of
// its children waited for.
func rusage(b *testing.B) (self, children time.Duration) {
	var s, c syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &s); err != nil {
		b.Fatal(err)
	}
	if err := syscall.Getrusage(syscall.RUSAGE_CHILDREN, &c); err != nil {
		b.Fatal(err)
	}
	cpu := func(ru *syscall.Rusage) time.Duration {
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	return cpu(&s), cpu(&c)
}
