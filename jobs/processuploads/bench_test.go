package processuploads_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/pgstore"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// Environment of the child process BenchmarkProcessUploads re-executes
// the test binary as: it runs process-uploads once on the schema and file
// bucket named here and prints the run's counts as JSON.
const (
	childSchema = "PROCESSUPLOADS_BENCH_SCHEMA"
	childBucket = "PROCESSUPLOADS_BENCH_BUCKET"
)

func TestMain(m *testing.M) {
	if os.Getenv(childSchema) != "" {
		os.Exit(benchChild())
	}
	os.Exit(m.Run())
}

func benchChild() int {
	ctx := context.Background()
	pool, err := pgstore.Connect(ctx, os.Getenv("TEST_DATABASE_URL"), os.Getenv(childSchema))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer pool.Close()
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: os.Getenv(childBucket)})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dataDir, err := os.MkdirTemp("", "processuploads-bench-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dataDir)
	// $PROCESSUPLOADS_BENCH_CPUPROFILE and _MEMPROFILE name files for the
	// child's CPU and allocation profiles, to see where time and memory go.
	if name := os.Getenv("PROCESSUPLOADS_BENCH_CPUPROFILE"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	// $PROCESSUPLOADS_BENCH_HEAPPROFILE names a file for a heap profile
	// taken at the child's peak live heap.
	if name := os.Getenv("PROCESSUPLOADS_BENCH_HEAPPROFILE"); name != "" {
		stop := make(chan struct{})
		defer close(stop)
		go peakHeapProfiles(name, stop)
	}
	r := &jobs.Runner{DB: pool, Bucket: b, DataDir: dataDir, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	res, err := r.Run(ctx, &processuploads.Job{}, jobs.OverlapWait)
	if name := os.Getenv("PROCESSUPLOADS_BENCH_MEMPROFILE"); name != "" {
		if f, err := os.Create(name); err == nil {
			pprof.Lookup("allocs").WriteTo(f, 0)
			f.Close()
		}
	}
	if err != nil || res.Status != jobs.StatusSucceeded {
		fmt.Fprintf(os.Stderr, "process-uploads: %v (status %s)\n", err, res.Status)
		return 1
	}
	json.NewEncoder(os.Stdout).Encode(res.Counts)
	return 0
}

// BenchmarkProcessUploads uploads a generated dump of $LSIF_BENCH_MB MB
// (default 200) of uncompressed LSIF through the Uploader, straight from
// the generator (the uploader gzips it into parts and composes them), and
// then processes it end to end into Postgres — stream from the bucket,
// convert, Arrow batches, COPY load, complete — in a child process, so
// that the peak RSS reported is that process's own. It reports the
// throughput of each step in MB of uncompressed LSIF per second of wall
// time, the child's CPU time (user and system; steadier than the wall time
// on a shared machine) and its peak RSS, also relative to the dump's size.
func BenchmarkProcessUploads(b *testing.B) {
	mb := 200
	if s := os.Getenv("LSIF_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil {
			b.Fatalf("LSIF_BENCH_MB: %v", err)
		}
	}
	limit := int64(mb) << 20
	ctx := context.Background()
	r := jobstest.NewRunner(b)
	bucketDir := b.TempDir()
	bkt, err := filebucket.Open(&url.URL{Scheme: "file", Path: bucketDir})
	if err != nil {
		b.Fatal(err)
	}
	r.Bucket = bkt
	var schema string
	if err := r.DB.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		b.Fatal(err)
	}
	repoID, commit := generatedRepo(b, r, limit)

	var bytes, size int64
	var upload, process time.Duration
	var maxRSS int64
	var ranges int64
	var cpu time.Duration // the child's, user and system
	b.ResetTimer()        // the timed part is the child's run only: ns/op and MB/s are process-uploads'
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		u := &codeintel.Uploader{DB: r.DB, Bucket: r.Bucket, TempDir: b.TempDir()}
		start := time.Now()
		res, err := u.Upload(ctx, lsiftest.NewGenerator(limit), codeintel.UploadParams{RepoID: repoID, Commit: commit})
		if err != nil {
			b.Fatal(err)
		}
		upload += time.Since(start)
		bytes, size = res.Bytes, res.Size
		b.StartTimer()

		start = time.Now()
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), childSchema+"="+schema, childBucket+"="+bucketDir)
		cmd.Stderr = os.Stderr
		out, err := runMeasured(cmd)
		if err != nil {
			b.Fatalf("process-uploads in a child process: %v", err)
		}
		process += time.Since(start)
		maxRSS = max(maxRSS, benchproc.MaxRSS(cmd.ProcessState)) // KiB
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		var counts jobs.Counts
		if err := json.Unmarshal(out, &counts); err != nil || counts["completed"] != 1 {
			b.Fatalf("process-uploads counts %s (%v): want 1 completed", out, err)
		}
		ranges = counts["ranges"]
		if got, err := codeintel.UploadsGet(ctx, r.DB, res.Upload.ID); err != nil || got.State != codeintel.StateCompleted {
			b.Fatalf("upload %d: %s (%v), want completed", res.Upload.ID, got.State, err)
		}
	}
	b.SetBytes(bytes)
	n := float64(b.N)
	b.ReportMetric(float64(bytes)/(1<<20), "dump-MB")
	b.ReportMetric(float64(size)/(1<<20), "gzip-MB")
	b.ReportMetric(float64(ranges), "ranges")
	b.ReportMetric(float64(bytes)*n/(1<<20)/upload.Seconds(), "upload-MB/s")
	b.ReportMetric(float64(bytes)*n/(1<<20)/process.Seconds(), "process-MB/s")
	b.ReportMetric(cpu.Seconds()/n, "process-cpu-s")
	b.ReportMetric(float64(maxRSS)/1024, "peak-rss-MB")
	b.ReportMetric(float64(maxRSS)*1024/float64(bytes), "rss/dump")
}

// generatedRepo registers a repository whose commit holds every document
// of a generated dump of limit bytes, so that pruning keeps them all.
func generatedRepo(b *testing.B, r *jobs.Runner, limit int64) (int64, string) {
	g := lsiftest.NewGenerator(limit)
	if _, err := io.Copy(io.Discard, g); err != nil {
		b.Fatal(err)
	}
	repo := gittest.New(b)
	for i := 1; i <= g.Documents(); i++ {
		p := filepath.Join(repo.Dir, lsiftest.DocumentPath(i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("export {}\n"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	at := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	repo.Git(at, "add", "-A")
	commit := repo.Commit(at, "generated", nil)
	ctx := context.Background()
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "bench", Path: repo.Dir}); err != nil {
		b.Fatal(err)
	}
	rp, err := repos.Get(ctx, r.DB, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return rp.ID, commit
}

// runMeasured runs cmd and returns its standard output, started so that
// its peak RSS (benchproc.MaxRSS) is the child's own and not this
// process's, which uploads and, for SCIP, converts the whole index before
// starting it (benchproc.StartMeasured).
func runMeasured(cmd *exec.Cmd) ([]byte, error) {
	var out bytes.Buffer
	cmd.Stdout = &out
	if _, err := benchproc.StartMeasured(cmd); err != nil {
		return nil, err
	}
	err := cmd.Wait()
	return out.Bytes(), err
}
