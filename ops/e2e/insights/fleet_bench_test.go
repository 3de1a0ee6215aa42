package insights

import (
	"bufio"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/sources/engine/enginetest"
)

// The fleet benchmark (issue 11, Performance → Fleet): many distinct
// generated repositories, 5 series of 12 monthly points over all of them.
// SIGHTLINE_FLEET_REPOS sets how many (default 1,000, the size;
// `make bench` sets 100, since generating 1,000 takes about an hour on 2
// cores the first time).
// SIGHTLINE_FLEET_BIN, when set, is the sightline binary BenchmarkFleet
// runs instead of building this checkout's (to alternate two builds).
const (
	fleetReposEnv     = "SIGHTLINE_FLEET_REPOS"
	defaultFleetRepos = 1000
	fleetBinEnv       = "SIGHTLINE_FLEET_BIN"
	// fleetMaxRSSEnv overrides, in MiB, the most memory the run-searches
	// process may hold (to measure an older build that holds more). The
	// default is the Kubernetes manifests' limit for it (ops/k8s, 512Mi).
	fleetMaxRSSEnv     = "SIGHTLINE_FLEET_MAX_RSS_MIB"
	defaultFleetMaxRSS = 512
)

// fleetNow is a Wednesday; the 12 monthly sample times end at July 1, 2025.
var fleetNow = time.Date(2025, 7, 2, 12, 0, 0, 0, time.UTC)

// fleetParams are the generator parameters of fleet repository i: its own
// seed, 100–3,000 files in the first commit and 500–5,000 commits, each
// log-uniform (most repositories of a fleet are small, a few large), over
// 180–1,079 days ending within the day before fleetNow, so that about a
// fifth of them are younger than the 12 sample times.
func fleetParams(i int) enginetest.Params {
	r := rand.New(rand.NewPCG(uint64(i), 0x666c_6565_74))
	logUniform := func(lo, hi float64) int { return int(lo * math.Pow(hi/lo, r.Float64())) }
	return enginetest.Params{
		Seed:    uint64(20000 + i),
		Files:   logUniform(100, 3000),
		Commits: logUniform(500, 5000),
		Span:    time.Duration(180+r.IntN(900)) * 24 * time.Hour,
		End:     time.Date(2025, 7, 1, 17, 0, 0, 0, time.UTC).Add(-time.Duration(i%1440) * time.Minute),
	}
}

// fleetSeries are the fleet's 5 series, each with the git grep that
// answers it: flags, the pattern, and pathspecs.
var fleetSeries = []struct {
	label, query, kind string
	grep               []string // git grep -o -I -i -h <grep...> <commit> -- <paths...>
	paths              []string
}{
	{"TODO", "TODO", "search", []string{"-F", "-e", "TODO"}, nil},
	{"Go FIXME", "lang:go FIXME", "search", []string{"-F", "-e", "FIXME"}, []string{"*.go"}},
	{"error messages", `/(?:errors\.New|new Error)\("[a-z]+ [a-z]+/`, "search",
		[]string{"-P", "-e", `(?:errors\.New|new Error)\("[a-z]+ [a-z]+`}, nil},
	{"error words", `/errors\.New\("([a-z]+)/`, "capture-group", []string{"-P", "-e", `errors\.New\("[a-z]+`}, nil},
	{"TS throws", `file:\.ts$ throw new Error`, "search", []string{"-F", "-e", "throw new Error"}, []string{"*.ts"}},
}

// fleetYAML declares the fleet and one view of the 5 series over every
// repository, 12 monthly points.
func fleetYAML(paths []string) []byte {
	var s strings.Builder
	s.WriteString("repos:\n")
	for i, p := range paths {
		fmt.Fprintf(&s, "  - {name: fleet-%04d, path: %s}\n", i, p)
	}
	s.WriteString("insights:\n  - id: fleet\n    title: Fleet\n    all_repos: true\n    interval: 1mo\n    points: 12\n    series:\n")
	for _, fs := range fleetSeries {
		fmt.Fprintf(&s, "      - {label: %q, query: %q, kind: %s}\n", fs.label, fs.query, fs.kind)
	}
	return []byte(s.String())
}

func fleetMaxRSS(b *testing.B) int64 {
	s := os.Getenv(fleetMaxRSSEnv)
	if s == "" {
		return defaultFleetMaxRSS
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number of MiB", fleetMaxRSSEnv, s)
	}
	return n
}

func fleetRepos(b *testing.B) int {
	s := os.Getenv(fleetReposEnv)
	if s == "" {
		return defaultFleetRepos
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		b.Fatalf("%s=%q: want a positive number of repositories", fleetReposEnv, s)
	}
	return n
}

// BenchmarkFleet times plan-backfills (in process) and one
// `sightline run run-searches` process (the real binary, default
// concurrency 2: one worker per 2-core machine) draining the queue, for
// the 5 series × 12 monthly points over $SIGHTLINE_FLEET_REPOS generated
// repositories, after apply, sync-repos and index-commits (not timed).
// answers/s counts (series, repository, time) answers as the plan counts
// them, over the timed wall time; peak-rss-MiB is the run-searches
// process's ru_maxrss (the largest of it and any one git child; started
// by benchproc.StartMeasured, so not this process's peak);
// answers/cpu-s divides the answers by that process's CPU time (user and
// system, its git children included), which moves less than the wall time
// on a shared machine; blob-MB/op is what git sent it. It fails
// unless every backfill completes with every planned answer searched,
// unless a sample of the stored answers equals git grep's, and when the
// process's peak RSS passes 512 MiB (its Kubernetes limit;
// $SIGHTLINE_FLEET_MAX_RSS_MIB sets another).
func BenchmarkFleet(b *testing.B) {
	n := fleetRepos(b)
	params := make([]enginetest.Params, n)
	for i := range params {
		params[i] = fleetParams(i)
	}
	paths := cachedRepos(b, params)
	bin := sightlineBinary(b)
	var answers, commits, blobBytes int64
	var planTime, searchTime, searchCPU time.Duration
	var maxRSS int64
	for range b.N {
		b.StopTimer()
		f := setupFleet(b, paths)
		b.StartTimer()
		t0 := time.Now()
		plan := jobstest.MustRun(b, f.r, &planbackfills.Job{})
		t1 := time.Now()
		searched, ps := f.runSearches(b, bin)
		t2 := time.Now()
		b.StopTimer()
		if plan["backfills"] != int64(len(fleetSeries)) || searched["answers"] != plan["answers"] || searched["errored"] != 0 {
			b.Fatalf("plan counts %v, run-searches counts %v: want %d backfills, every answer searched", plan, searched, len(fleetSeries))
		}
		if n := count(b, f.r.DB, `SELECT count(*) FROM backfills WHERE state <> 'completed'`); n != 0 {
			b.Fatalf("%d backfills not completed", n)
		}
		if n := count(b, f.r.DB, `SELECT count(*) FROM incomplete_points`); n != 0 {
			b.Fatalf("%d incomplete points", n)
		}
		b.Logf("plan-backfills counts %v; run-searches counts %v", plan, searched)
		checkFleetSample(b, f.r, paths, 4)
		answers += plan["answers"]
		commits += plan["commits"]
		blobBytes += searched["blob_bytes"]
		planTime += t1.Sub(t0)
		searchTime += t2.Sub(t1)
		searchCPU += ps.UserTime() + ps.SystemTime()
		rss := ps.SysUsage().(*syscall.Rusage).Maxrss >> 10 // MiB
		b.Logf("run-searches: %.1f s wall, %.1f s CPU, peak RSS %d MiB", t2.Sub(t1).Seconds(), (ps.UserTime() + ps.SystemTime()).Seconds(), rss)
		if limit := fleetMaxRSS(b); rss > limit {
			b.Fatalf("run-searches peaked at %d MiB of RSS, over the %d MiB its pod may use (%s)", rss, limit, fleetMaxRSSEnv)
		}
		maxRSS = max(maxRSS, rss<<10) // KiB
	}
	nf := float64(b.N)
	b.ReportMetric(float64(n), "repos")
	b.ReportMetric(float64(answers)/(planTime+searchTime).Seconds(), "answers/s")
	b.ReportMetric(float64(answers)/nf, "answers/op")
	b.ReportMetric(float64(commits)/nf, "commits/op")
	b.ReportMetric(planTime.Seconds()/nf, "plan-s/op")
	b.ReportMetric(searchTime.Seconds()/nf, "search-s/op")
	b.ReportMetric(searchCPU.Seconds()/nf, "search-cpu-s/op")
	b.ReportMetric(float64(answers)/searchCPU.Seconds(), "answers/cpu-s")
	b.ReportMetric(float64(blobBytes)/nf/1e6, "blob-MB/op")
	b.ReportMetric(float64(maxRSS)/1024, "peak-rss-MiB")
}

// fleet is one op's pipeline: a runner on a fresh schema, with a file
// bucket the run-searches process opens too.
type fleet struct {
	r         *jobs.Runner
	schema    string
	bucketDir string
}

func setupFleet(b *testing.B, paths []string) *fleet {
	b.Helper()
	f := &fleet{r: jobstest.NewRunner(b), bucketDir: b.TempDir()}
	f.r.NowFunc = func() time.Time { return fleetNow }
	bkt, err := filebucket.Open(&url.URL{Scheme: "file", Path: f.bucketDir})
	if err != nil {
		b.Fatal(err)
	}
	f.r.Bucket = bkt
	if err := f.r.DB.QueryRow(context.Background(), `SELECT current_schema()`).Scan(&f.schema); err != nil {
		b.Fatal(err)
	}
	setupPipeline(b, f.r, fleetYAML(paths), len(paths))
	return f
}

// runSearches runs `sightline run run-searches` once on the fleet's schema
// and bucket and returns the counts it printed and its process state.
func (f *fleet) runSearches(b *testing.B, bin string) (jobs.Counts, *os.ProcessState) {
	b.Helper()
	db := os.Getenv("TEST_DATABASE_URL")
	sep := "?"
	if strings.Contains(db, "?") {
		sep = "&"
	}
	cmd := exec.Command(bin, "run", "run-searches")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+db+sep+"search_path="+f.schema,
		"SIGHTLINE_BUCKET=file://"+f.bucketDir, "SIGHTLINE_DATA_DIR="+filepath.Join(b.TempDir(), "data"),
		"SIGHTLINE_NOW="+fleetNow.Format(time.RFC3339), "SIGHTLINE_LOG_LEVEL=warn")
	cmd.Stderr = os.Stderr
	var out strings.Builder
	cmd.Stdout = &out
	floor, err := benchproc.StartMeasured(cmd)
	if err == nil {
		err = cmd.Wait()
	}
	if err != nil {
		b.Fatalf("sightline run run-searches: %v\n%s", err, out.String())
	}
	b.Logf("this process's peak RSS when it started run-searches (the floor of run-searches' figure): %d MiB", floor>>10)
	return parseRunCounts(b, out.String()), cmd.ProcessState
}

// parseRunCounts reads the counts of `sightline run`'s line
// "run-searches run ID: succeeded k=v k=v…".
func parseRunCounts(b *testing.B, out string) jobs.Counts {
	b.Helper()
	c := jobs.Counts{}
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		head, rest, ok := strings.Cut(sc.Text(), ": succeeded")
		if !ok || !strings.HasPrefix(head, "run-searches run ") {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatalf("run-searches printed %q: %v", sc.Text(), err)
			}
			c[k] = n
		}
		return c
	}
	b.Fatalf("run-searches printed no succeeded run: %q", out)
	return nil
}
