package prune_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/segmentio/ksuid"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/prune"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/gittest"
)

const day = 24 * time.Hour

var testKind = batch.NewKind("prune-test", 1, batch.Int64("n"))

// writeRun stores run id of job with n empty batches and, unless created
// is zero, commits it with that Created time.
func writeRun(t *testing.T, r *jobs.Runner, job, id string, created time.Time, n int) batch.Manifest {
	t.Helper()
	ctx := context.Background()
	run := batch.NewRun(r.Bucket, job, id)
	run.NowFunc = func() time.Time { return created }
	for i := range n {
		w, err := run.Create(ctx, "b"+string(rune('0'+i)), testKind)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if created.IsZero() {
		return batch.Manifest{Job: job, RunID: id}
	}
	m, err := run.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// markLoaded records the first n batches of m in the load ledger, as the
// loader does when it loads them.
func markLoaded(t *testing.T, r *jobs.Runner, m batch.Manifest, n int) {
	t.Helper()
	for _, b := range m.Batches[:n] {
		_, err := r.DB.Exec(context.Background(), `
			INSERT INTO loaded_batches (batch_key, job, run_id, kind, kind_version, rows)
			VALUES ($1, $2, $3, $4, $5, 0)`, b.Key, m.Job, m.RunID, b.Kind, b.Version)
		if err != nil {
			t.Fatal(err)
		}
	}
}

// runsIn returns "job/run-id" of every run with objects in the bucket.
func runsIn(t *testing.T, b bucket.Bucket) []string {
	t.Helper()
	var out []string
	err := b.List(context.Background(), "runs/", func(a bucket.Attrs) error {
		parts := strings.SplitN(a.Key, "/", 4)
		if r := parts[1] + "/" + parts[2]; len(out) == 0 || out[len(out)-1] != r {
			out = append(out, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ledgerRuns returns how many ledger rows each "job/run-id" has.
func ledgerRuns(t *testing.T, r *jobs.Runner) map[string]int {
	t.Helper()
	rows, err := r.DB.Query(context.Background(), `SELECT job || '/' || run_id, count(*) FROM loaded_batches GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			t.Fatal(err)
		}
		out[k] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// pruneAt runs the prune job with the runner's clock at now and returns
// its counts without bytes, which it checks are positive exactly when
// something was deleted.
func pruneAt(t *testing.T, r *jobs.Runner, now time.Time) jobs.Counts {
	t.Helper()
	r.NowFunc = func() time.Time { return now }
	c := jobstest.MustRun(t, r, &prune.Job{})
	if (c["bytes"] > 0) != (c["objects"] > 0) {
		t.Errorf("counts %v: bytes and objects disagree", c)
	}
	delete(c, "bytes")
	return c
}

// counts returns the prune counts, all zero but those in nonZero.
func counts(nonZero jobs.Counts) jobs.Counts {
	c := jobs.Counts{"runs": 0, "uncommitted_runs": 0, "unloaded_runs": 0, "pending_runs": 0, "ledger_rows": 0,
		"retired_uploads": 0, "errored_uploads": 0, "abandoned_uploads": 0, "expired_uploads": 0,
		"removed_views": 0, "removed_view_series": 0, "removed_series": 0, "removed_repos": 0,
		"objects": 0, "job_runs": 0, "errors": 0, "temp_files": 0, "apidocs_pruned_uploads": 0, "apidocs_pruned_rows": 0,
		"old_points": 0, "old_incomplete_points": 0, "old_recording_times": 0}
	for k, v := range nonZero {
		c[k] = v
	}
	return c
}

// TestPruneRuns ages a bucket of runs by moving the clock forward: a run
// is deleted, with its ledger rows, once it is older than the retention,
// whether it was fully loaded, never committed, or committed and not
// loaded (its job redid the work since).
func TestPruneRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	start := time.Now()

	// A real sync-repos run, committed and loaded now.
	src := gittest.New(t)
	src.Commit(start, "c1", map[string]string{"a": "1"})
	spec := repos.Spec{Name: "demo", Path: src.Dir}
	if err := repos.Upsert(ctx, r.DB, spec); err != nil {
		t.Fatal(err)
	}
	res, err := r.Run(ctx, &syncrepos.Job{Specs: []repos.Spec{spec}}, jobs.OverlapWait)
	if err != nil {
		t.Fatal(err)
	}
	synced := syncrepos.Name + "/" + res.RunID

	// process-uploads' run ids are "<ksuid>-<upload>": run k is old and
	// loaded, k-7 young and loaded; deleting k must leave k-7 alone.
	k := ksuid.New().String()
	old := writeRun(t, r, "process-uploads", k, start.Add(-10*day), 2)
	markLoaded(t, r, old, 2)
	young := writeRun(t, r, "process-uploads", k+"-7", start.Add(-day), 1)
	markLoaded(t, r, young, 1)
	// An old run with one of its two batches loaded.
	unloaded := writeRun(t, r, "plan-backfills", ksuid.New().String(), start.Add(-10*day), 2)
	markLoaded(t, r, unloaded, 1)
	// A run that crashed before committing, its objects written now.
	crashed := writeRun(t, r, "run-searches", ksuid.New().String(), time.Time{}, 1)

	// Now: the two old runs go, with their three ledger rows.
	if d := cmp.Diff(counts(jobs.Counts{"runs": 1, "unloaded_runs": 1, "ledger_rows": 3, "objects": 6}), pruneAt(t, r, start)); d != "" {
		t.Errorf("first prune counts (-want +got):\n%s", d)
	}
	wantRuns := []string{"process-uploads/" + k + "-7", "run-searches/" + crashed.RunID, synced}
	if d := cmp.Diff(wantRuns, runsIn(t, r.Bucket)); d != "" {
		t.Errorf("runs left after the first prune (-want +got):\n%s", d)
	}
	wantLedger := map[string]int{"process-uploads/" + k + "-7": 1, synced: 1}
	if d := cmp.Diff(wantLedger, ledgerRuns(t, r)); d != "" {
		t.Errorf("ledger after the first prune (-want +got):\n%s", d)
	}

	// Eight days later the young runs are old: the loaded ones and the
	// crashed one go.
	later := start.Add(8 * day)
	if d := cmp.Diff(counts(jobs.Counts{"runs": 2, "uncommitted_runs": 1, "ledger_rows": 2, "objects": 5}), pruneAt(t, r, later)); d != "" {
		t.Errorf("second prune counts (-want +got):\n%s", d)
	}
	if got := runsIn(t, r.Bucket); len(got) != 0 {
		t.Errorf("runs left after the second prune: %v", got)
	}
	if got := ledgerRuns(t, r); len(got) != 0 {
		t.Errorf("ledger after the second prune: %v", got)
	}

	// Nothing more to delete.
	if d := cmp.Diff(counts(nil), pruneAt(t, r, later)); d != "" {
		t.Errorf("third prune counts (-want +got):\n%s", d)
	}
}

// TestPruneJobRuns deletes the job_runs rows finished before the job-runs
// retention, never a running one.
func TestPruneJobRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	now := time.Now()
	// add records a run started and (unless running) finished days ago.
	add := func(id, status string, started, finished int) {
		var end *time.Time
		if status != "running" {
			e := now.Add(-time.Duration(finished) * day)
			end = &e
		}
		_, err := r.DB.Exec(ctx, `INSERT INTO job_runs (job, run_id, status, started_at, finished_at)
			VALUES ('sync-repos', $1, $2, $3, $4)`, id, status, now.Add(-time.Duration(started)*day), end)
		if err != nil {
			t.Fatal(err)
		}
	}
	add("old-succeeded", "succeeded", 100, 100)
	add("old-failed", "failed", 95, 91)
	add("recent", "succeeded", 95, 89)
	add("old-running", "running", 100, 0)

	r.NowFunc = func() time.Time { return now }
	c := jobstest.MustRun(t, r, &prune.Job{})
	if c["job_runs"] != 2 {
		t.Errorf("counts %v; want job_runs 2", c)
	}
	// The run itself, running while it pruned, is kept too.
	rows, err := r.DB.Query(ctx, `SELECT run_id FROM job_runs WHERE job = 'sync-repos' ORDER BY run_id`)
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		left = append(left, id)
	}
	if d := cmp.Diff([]string{"old-running", "recent"}, left); d != "" {
		t.Errorf("job runs left (-want +got):\n%s", d)
	}

	// A shorter retention is honoured.
	c = jobstest.MustRun(t, r, &prune.Job{JobRunsRetention: 30 * day})
	if c["job_runs"] != 1 {
		t.Errorf("counts with 30 days %v; want job_runs 1 (recent)", c)
	}
}

// TestPruneShardRuns keeps an old run of task shards while its shard waits
// for run-searches, and deletes it once the shard is done; a shard run
// whose shard row is gone (its backfill deleted) is deleted too.
func TestPruneShardRuns(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	start := time.Now().UTC()
	later := start.Add(8 * day)
	shardRun := func(id string) string {
		run := batch.NewRun(r.Bucket, "plan-backfills", id)
		run.NowFunc = func() time.Time { return start }
		w, err := run.Create(ctx, "shard", shardqueue.TasksKind)
		if err != nil {
			t.Fatal(err)
		}
		info, err := w.Close()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := run.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		return info.Key
	}
	queued := shardRun(ksuid.New().String())
	shardRun(ksuid.New().String()) // no shard row: its backfill was deleted
	if _, err := r.DB.Exec(ctx, `INSERT INTO search_shards (kind, object_key, tasks) VALUES ('recording', $1, 1)`, queued); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(counts(jobs.Counts{"runs": 1, "pending_runs": 1, "objects": 2}), pruneAt(t, r, later)); d != "" {
		t.Errorf("prune with the shard queued (-want +got):\n%s", d)
	}
	if _, err := r.DB.Exec(ctx, `UPDATE search_shards SET state = 'completed' WHERE object_key = $1`, queued); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(counts(jobs.Counts{"runs": 1, "objects": 2}), pruneAt(t, r, later)); d != "" {
		t.Errorf("prune with the shard completed (-want +got):\n%s", d)
	}
	if got := runsIn(t, r.Bucket); len(got) != 0 {
		t.Errorf("runs left: %v", got)
	}
}

// TestPruneTemp checks that prune removes the temporary files of writes a
// crash interrupted, once they are older than the retention.
func TestPruneTemp(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	tmp := filepath.Join(strings.TrimPrefix(r.Bucket.String(), "file://"), ".tmp-filebucket")
	stale := filepath.Join(tmp, "write-123")
	if err := os.WriteFile(stale, []byte("half an object"), 0o644); err != nil {
		t.Fatal(err)
	}
	written := time.Now()
	if c := pruneAt(t, r, written.Add(6*day)); c["temp_files"] != 0 {
		t.Errorf("prune within the retention removed %d temporary files, want 0", c["temp_files"])
	}
	if c := pruneAt(t, r, written.Add(8*day)); c["temp_files"] != 1 {
		t.Errorf("prune after the retention removed %d temporary files, want 1", c["temp_files"])
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("%s still there after prune (%v)", stale, err)
	}
}
