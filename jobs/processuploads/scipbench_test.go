package processuploads_test

import (
	"context"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
	"github.com/sightline-dev/sightline/sources/scip"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

// processRun is one upload processed by a child process-uploads run.
type processRun struct {
	bytes  int64         // uncompressed
	wall   time.Duration // the child's
	cpu    time.Duration // the child's user and system time
	maxRSS int64         // the child's, bytes
	ranges int64
}

// benchEnv is a schema, a file bucket and one repository for uploads.
type benchEnv struct {
	r         *jobs.Runner
	schema    string
	bucketDir string
	repoID    int64
	commit    string
}

func newBenchEnv(b *testing.B, paths []string) *benchEnv {
	ctx := context.Background()
	e := &benchEnv{r: jobstest.NewRunner(b), bucketDir: b.TempDir()}
	bkt, err := filebucket.Open(&url.URL{Scheme: "file", Path: e.bucketDir})
	if err != nil {
		b.Fatal(err)
	}
	e.r.Bucket = bkt
	if err := e.r.DB.QueryRow(ctx, `SELECT current_schema()`).Scan(&e.schema); err != nil {
		b.Fatal(err)
	}
	repo := gittest.New(b)
	for _, p := range paths {
		full := filepath.Join(repo.Dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("export {}\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	repo.Git(at, "add", "-A")
	e.commit = repo.Commit(at, "generated", nil)
	if err := repos.Upsert(ctx, e.r.DB, repos.Spec{Name: "bench", Path: repo.Dir}); err != nil {
		b.Fatal(err)
	}
	rp, err := repos.Get(ctx, e.r.DB, "bench")
	if err != nil {
		b.Fatal(err)
	}
	e.repoID = rp.ID
	return e
}

// process uploads in (its indexer named for the format, so that LSIF and
// SCIP uploads do not replace each other) and runs process-uploads on it in
// a child process.
func (e *benchEnv) process(b *testing.B, in io.Reader, indexer string) processRun {
	ctx := context.Background()
	u := &codeintel.Uploader{DB: e.r.DB, Bucket: e.r.Bucket, TempDir: b.TempDir()}
	res, err := u.Upload(ctx, in, codeintel.UploadParams{RepoID: e.repoID, Commit: e.commit, Indexer: indexer})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childSchema+"="+e.schema, childBucket+"="+e.bucketDir)
	cmd.Stderr = os.Stderr
	out, err := runMeasured(cmd)
	if err != nil {
		b.Fatalf("process-uploads in a child process: %v", err)
	}
	run := processRun{bytes: res.Bytes, wall: time.Since(start),
		cpu:    cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(),
		maxRSS: benchproc.MaxRSS(cmd.ProcessState) * 1024}
	var counts jobs.Counts
	if err := json.Unmarshal(out, &counts); err != nil || counts["completed"] != 1 {
		b.Fatalf("process-uploads counts %s (%v): want 1 completed", out, err)
	}
	run.ranges = counts["ranges"]
	return run
}

func benchMB(b *testing.B) int64 {
	mb := 200
	if s := os.Getenv("SCIP_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil {
			b.Fatalf("SCIP_BENCH_MB: %v", err)
		}
	}
	return int64(mb) << 20
}

// BenchmarkProcessSCIPUploads processes, in each iteration, a generated
// SCIP index of $SCIP_BENCH_MB MB (default 200; sciptest.Generator,
// scip-typescript-shaped) and then an LSIF dump of the same size
// (lsiftest.Generator, as BenchmarkProcessUploads), each uploaded through
// the Uploader and processed end to end into Postgres by process-uploads
// in a child process: alternating, so that the two formats' figures come
// from the same machine load. It reports, per format, MB of uncompressed
// input per second of the child's wall time and of its CPU time (user and
// system: steadier on a shared machine), and the child's peak RSS
// relative to the input.
func BenchmarkProcessSCIPUploads(b *testing.B) {
	limit := benchMB(b)
	sg, lg := sciptest.NewGenerator(limit), lsiftest.NewGenerator(limit)
	for _, g := range []io.Reader{sg, lg} {
		if _, err := io.Copy(io.Discard, g); err != nil {
			b.Fatal(err)
		}
	}
	var paths []string
	for i := 1; i <= sg.Documents(); i++ {
		paths = append(paths, sciptest.DocumentPath(i))
	}
	for i := 1; i <= lg.Documents(); i++ {
		paths = append(paths, lsiftest.DocumentPath(i))
	}
	e := newBenchEnv(b, paths)
	var runs [2][]processRun
	for b.Loop() {
		runs[0] = append(runs[0], e.process(b, sciptest.NewGenerator(limit), "scip-bench"))
		runs[1] = append(runs[1], e.process(b, lsiftest.NewGenerator(limit), "lsif-bench"))
	}
	for i, name := range []string{"scip", "lsif"} {
		report(b, name, runs[i])
	}
}

// BenchmarkProcessSCIPFile processes the real SCIP index named by
// $SCIP_BENCH_FILE (plain or gzipped) end to end, as above, in a
// repository holding every document it names. Without the variable it
// says so and stops.
func BenchmarkProcessSCIPFile(b *testing.B) {
	name := os.Getenv("SCIP_BENCH_FILE")
	if name == "" {
		b.Skip("set SCIP_BENCH_FILE=index.scip to process a real SCIP index")
	}
	var paths []string
	f, err := os.Open(name)
	if err != nil {
		b.Fatal(err)
	}
	_, err = scip.Convert(context.Background(), f, lsif.Opts{Exists: func(p string) bool { paths = append(paths, p); return false }}, lsiftest.NewRecorder())
	f.Close()
	if err != nil && len(paths) == 0 {
		b.Fatalf("read %s: %v", name, err)
	}
	e := newBenchEnv(b, paths)
	var runs []processRun
	for b.Loop() {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		runs = append(runs, e.process(b, f, "scip-file"))
		f.Close()
	}
	report(b, "scip", runs)
}

func report(b *testing.B, name string, runs []processRun) {
	var wall, cpu time.Duration
	var rss int64
	for _, r := range runs {
		wall += r.wall
		cpu += r.cpu
		rss = max(rss, r.maxRSS)
	}
	n := float64(len(runs))
	bytes := float64(runs[0].bytes)
	b.ReportMetric(bytes/(1<<20), name+"-MB")
	b.ReportMetric(float64(runs[0].ranges), name+"-ranges")
	b.ReportMetric(bytes*n/1e6/wall.Seconds(), name+"-MB/s")
	b.ReportMetric(bytes*n/1e6/cpu.Seconds(), name+"-cpu-MB/s")
	b.ReportMetric(float64(rss)/1e6, name+"-peak-rss-MB")
	b.ReportMetric(float64(rss)/bytes, name+"-rss/input")
}
