package insights

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/ops/benchproc"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/engine/enginetest"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// BenchmarkRecordingAfterWeek times a snapshot (one task, as a recording
// is, at HEAD) of a TODO series on the
// generated benchmark repository (enginetest.DefaultParams, 4,149 files and
// 46 MB at HEAD) whose stored answer is a week older than HEAD: its
// backfill ran with the clock at HEAD's time less 7 days. Each round
// alternates an incremental run-searches run (the stored answer restored
// first) with a full one (Job.NoIncremental), both cold (a new engine
// cache per run), timing the run-searches run alone. It reports the blob
// bytes git sent the incremental run against the bytes of the files that
// changed between the two commits (their new blobs, and both sides), and
// the speedup over the full run. A third run per round continues the
// answer the previous run stored at HEAD itself (nothing changed): the
// run's cost without any git work, unchanged-median-s. Times are the
// medians of the runs of each mode (the machine this was written on was
// shared, and single runs varied 3×). SIGHTLINE_BENCH_REPO names a real
// repository to use instead, and SIGHTLINE_BENCH_WEEKS_BACK=N its week
// ending N weeks before its HEAD's time (see recordingRepo).
func BenchmarkRecordingAfterWeek(b *testing.B) {
	dir, end := recordingRepo(b)
	head := gitOut(b, dir, "rev-parse", "HEAD")
	at := end.AddDate(0, 0, -7)
	r := jobstest.NewRunner(b)
	r.NowFunc = func() time.Time { return at }
	seriesID, base := setupRecording(b, r, dir)
	changedNew, changedBoth, files := changedBytes(b, dir, base, head)
	commits := gitOut(b, dir, "rev-list", "--count", base+".."+head)
	b.Logf("stored answer at %.10s, HEAD %.10s: %s commits, %d files changed, %d bytes at HEAD (%d both sides)",
		base, head, commits, files, changedNew, changedBoth)
	exec := func(sql string) {
		if _, err := r.DB.Exec(context.Background(), sql); err != nil {
			b.Fatalf("%s: %v", sql, err)
		}
	}
	exec(`CREATE TABLE bench_saved_states AS SELECT * FROM series_answer_states`)
	// One task per run: the snapshot. Its weekly recording (the same
	// computation at a commit of the same week) is kept from coming due.
	exec(`UPDATE insight_series SET next_recording_after = '2100-01-01'`)
	took, cpu := map[string][]time.Duration{}, map[string][]time.Duration{}
	var incrBytes, fullBytes int64
	b.ResetTimer()
	for i := range b.N {
		for k, mode := range []string{"incremental", "full", "unchanged"} {
			b.StopTimer()
			at = end.AddDate(0, 0, 1+3*i+k)
			if c := jobstest.MustRun(b, r, &enqueuesnapshots.Job{}); c["snapshots"] != 1 {
				b.Fatalf("enqueue-snapshots counts %v: want a snapshot", c)
			}
			if mode == "incremental" {
				exec(`DELETE FROM series_answer_states; INSERT INTO series_answer_states SELECT * FROM bench_saved_states`)
			}
			b.StartTimer()
			t0, c0 := time.Now(), benchproc.CPUTime()
			c := jobstest.MustRun(b, r, &runsearches.Job{NoIncremental: mode == "full"})
			took[mode], cpu[mode] = append(took[mode], time.Since(t0)), append(cpu[mode], benchproc.CPUTime()-c0)
			b.StopTimer()
			checkRecordingRun(b, r, seriesID, head, c, mode == "full")
			switch mode {
			case "incremental":
				incrBytes += c["blob_bytes"]
			case "full":
				fullBytes += c["blob_bytes"]
			}
		}
	}
	n := float64(b.N)
	incr, full := median(took["incremental"]), median(took["full"])
	b.ReportMetric(incr.Seconds(), "incr-median-s")
	b.ReportMetric(full.Seconds(), "full-median-s")
	b.ReportMetric(full.Seconds()/incr.Seconds(), "speedup")
	b.ReportMetric(median(took["unchanged"]).Seconds(), "unchanged-median-s")
	incrCPU, fullCPU := median(cpu["incremental"]), median(cpu["full"])
	b.ReportMetric(incrCPU.Seconds(), "incr-cpu-median-s")
	b.ReportMetric(fullCPU.Seconds(), "full-cpu-median-s")
	b.ReportMetric(fullCPU.Seconds()/incrCPU.Seconds(), "cpu-speedup")
	b.ReportMetric(median(cpu["unchanged"]).Seconds(), "unchanged-cpu-median-s")
	b.ReportMetric(float64(incrBytes)/n, "incr-blob-B/op")
	b.ReportMetric(float64(fullBytes)/n, "full-blob-B/op")
	b.ReportMetric(float64(changedNew), "changed-B")
	b.ReportMetric(float64(incrBytes)/n/float64(changedNew), "read/changed")
}

// recordingRepo returns the repository BenchmarkRecordingAfterWeek
// records, and the time its week ends: the generated benchmark repository
// and the end of its history; or SIGHTLINE_BENCH_REPO and its HEAD's time,
// or with SIGHTLINE_BENCH_WEEKS_BACK=N, a repository sharing its objects
// (git alternates) whose branch ends at the last commit N weeks before,
// and that commit's time.
func recordingRepo(b *testing.B) (dir string, end time.Time) {
	b.Helper()
	real := os.Getenv("SIGHTLINE_BENCH_REPO")
	if real == "" {
		dir, _, err := enginetest.Cached(context.Background(), cmp.Or(os.Getenv("SIGHTLINE_BENCH_DIR"), os.TempDir()), enginetest.DefaultParams)
		if err != nil {
			b.Fatalf("benchmark repository: %v", err)
		}
		return dir, enginetest.DefaultParams.End
	}
	head := "HEAD"
	if v := os.Getenv("SIGHTLINE_BENCH_WEEKS_BACK"); v != "" && v != "0" {
		weeks, err := strconv.Atoi(v)
		if err != nil || weeks < 0 {
			b.Fatalf("SIGHTLINE_BENCH_WEEKS_BACK=%q: want a number of weeks", v)
		}
		headTime, _ := strconv.ParseInt(gitOut(b, real, "log", "-1", "--format=%ct", "HEAD"), 10, 64)
		before := time.Unix(headTime, 0).AddDate(0, 0, -7*weeks)
		head = gitOut(b, real, "rev-list", "-1", "--first-parent", "--before="+before.Format(time.RFC3339), "HEAD")
		real = sharedRepo(b, real, head)
	}
	t, err := strconv.ParseInt(gitOut(b, real, "log", "-1", "--format=%ct", head), 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return real, time.Unix(t, 0).UTC()
}

// sharedRepo makes a bare repository that borrows src's objects and whose
// default branch is at commit.
func sharedRepo(b *testing.B, src, commit string) string {
	b.Helper()
	dir := b.TempDir()
	objects := gitOut(b, src, "rev-parse", "--path-format=absolute", "--git-path", "objects")
	gitOut(b, dir, "init", "--quiet", "--bare", "--initial-branch=main", ".")
	if err := os.WriteFile(dir+"/objects/info/alternates", []byte(objects+"\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	gitOut(b, dir, "update-ref", "refs/heads/main", commit)
	return dir
}

// setupRecording applies a weekly TODO series over the repository at dir,
// syncs, indexes and backfills it at the runner's clock, and returns the
// series and the commit its stored answer is at.
// median returns the median of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func setupRecording(b *testing.B, r *jobs.Runner, dir string) (seriesID int64, commit string) {
	b.Helper()
	yaml := fmt.Sprintf("repos:\n  - {name: bench, path: %s}\ninsights:\n  - id: todos\n    title: TODOs\n    all_repos: true\n    interval: 1w\n    points: 1\n    series: [{label: TODO, query: TODO}]\n", dir)
	spec, err := insightspec.ParseBytes("bench.yaml", []byte(yaml), b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	if _, err := insights.Apply(ctx, r.DB, spec, r.NowFunc()); err != nil {
		b.Fatal(err)
	}
	jobstest.MustRun(b, r, &syncrepos.Job{})
	jobstest.MustRun(b, r, &indexcommits.Job{})
	jobstest.MustRun(b, r, &planbackfills.Job{})
	if c := jobstest.MustRun(b, r, &runsearches.Job{}); c["full"] != 1 {
		b.Fatalf("backfill run-searches counts %v: want one full task", c)
	}
	err = r.DB.QueryRow(ctx, `SELECT series_id, commit_oid FROM series_answer_states`).Scan(&seriesID, &commit)
	if err != nil {
		b.Fatalf("stored answer: %v", err)
	}
	return seriesID, commit
}

// checkRecordingRun checks that a run answered the snapshot at head in the
// mode asked, with the value git grep -I counts there.
func checkRecordingRun(b *testing.B, r *jobs.Runner, seriesID int64, head string, c jobs.Counts, full bool) {
	b.Helper()
	mode := map[bool]string{false: "incremental", true: "full"}[full]
	if c[mode] != 1 || c["answers"] != 1 {
		b.Fatalf("run-searches counts %v: want one %s answer", c, mode)
	}
	var value int64
	var commit string
	err := r.DB.QueryRow(context.Background(), `SELECT value, commit_oid FROM snapshot_points WHERE series_id = $1`, seriesID).Scan(&value, &commit)
	if err != nil {
		b.Fatal(err)
	}
	if commit != head || value != snapshotWant(b, r, head) {
		b.Fatalf("%s snapshot = %d at %s; want %d at HEAD %s", mode, value, commit, snapshotWant(b, r, head), head)
	}
}

var grepped = map[string]int64{}

// snapshotWant is git grep -o -I -i -F TODO's count at head, computed once.
func snapshotWant(b *testing.B, r *jobs.Runner, head string) int64 {
	if n, ok := grepped[head]; ok {
		return n
	}
	var dir string
	if err := r.DB.QueryRow(context.Background(), `SELECT git_dir FROM repos WHERE name = 'bench'`).Scan(&dir); err != nil {
		b.Fatal(err)
	}
	out := gitOut(b, dir, "grep", "-o", "-I", "-i", "-F", "-e", "TODO", head)
	grepped[head] = int64(strings.Count(out, "\n") + 1)
	return grepped[head]
}

// changedBytes sums the sizes of the blobs that differ between commits
// from and to: the new ones, and old and new together; and counts the
// changed paths.
func changedBytes(b *testing.B, dir, from, to string) (newBytes, bothBytes int64, files int) {
	b.Helper()
	var oids []string
	var isNew []bool
	for _, line := range strings.Split(gitOut(b, dir, "diff-tree", "-r", "--no-renames", from, to), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		files++
		for i, oid := range []string{f[2], f[3]} {
			if strings.Trim(oid, "0") != "" {
				oids, isNew = append(oids, oid), append(isNew, i == 1)
			}
		}
	}
	cmd := exec.Command("git", "cat-file", "--batch-check=%(objectsize)")
	cmd.Dir, cmd.Stdin = dir, strings.NewReader(strings.Join(oids, "\n")+"\n")
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git cat-file: %v", err)
	}
	for i, s := range strings.Fields(string(out)) {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			b.Fatalf("git cat-file printed %q", s)
		}
		bothBytes += n
		if isNew[i] {
			newBytes += n
		}
	}
	return newBytes, bothBytes, files
}

func gitOut(b *testing.B, dir string, args ...string) string {
	b.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}
