package metrics_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sightline-dev/sightline/pipeline/metrics"
)

// TestRunFinished records a succeeded run and then a failed one: the status
// moves to failed, the counts are the failed run's only, and the last
// success time stays the succeeded run's.
func TestRunFinished(t *testing.T) {
	t.Parallel()
	s := metrics.New(false)
	t0 := time.Unix(1_700_000_000, 0)
	s.RunFinished(metrics.Run{Job: "index-commits", Status: "succeeded", Started: t0, Finished: t0.Add(2 * time.Second),
		Counts: map[string]int64{"repos": 3, "errored": 1}, RowsLoaded: map[string]int64{"commit-index": 40}})
	s.RunFinished(metrics.Run{Job: "index-commits", Status: "failed", Started: t0.Add(time.Hour), Finished: t0.Add(time.Hour + time.Second),
		Counts: map[string]int64{"repos": 1}})
	want := `
# HELP sightline_run_count The job's own tallies of its last run (job_runs.counts), by name.
# TYPE sightline_run_count gauge
sightline_run_count{name="repos",sightline_job="index-commits"} 1
# HELP sightline_run_duration_seconds How long the job's last run took.
# TYPE sightline_run_duration_seconds gauge
sightline_run_duration_seconds{sightline_job="index-commits"} 1
# HELP sightline_run_last_success_timestamp_seconds Unix time at which the job's last successful run finished.
# TYPE sightline_run_last_success_timestamp_seconds gauge
sightline_run_last_success_timestamp_seconds{sightline_job="index-commits"} 1.700000002e+09
# HELP sightline_run_rows_loaded Rows the job's last run loaded into Postgres, by batch kind.
# TYPE sightline_run_rows_loaded gauge
# HELP sightline_run_status 1 for the status of the job's last run (succeeded, failed, canceled), 0 for the others.
# TYPE sightline_run_status gauge
sightline_run_status{sightline_job="index-commits",status="canceled"} 0
sightline_run_status{sightline_job="index-commits",status="failed"} 1
sightline_run_status{sightline_job="index-commits",status="succeeded"} 0
# HELP sightline_runs_total Runs of the job by this process, by status.
# TYPE sightline_runs_total counter
sightline_runs_total{sightline_job="index-commits",status="failed"} 1
sightline_runs_total{sightline_job="index-commits",status="succeeded"} 1
`
	names := []string{"sightline_run_count", "sightline_run_duration_seconds", "sightline_run_last_success_timestamp_seconds",
		"sightline_run_rows_loaded", "sightline_run_status", "sightline_runs_total"}
	if err := testutil.GatherAndCompare(s.Runs, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// TestSetQueues checks the oldest-item age and that a nil Set is inert.
func TestSetQueues(t *testing.T) {
	t.Parallel()
	s := metrics.New(false)
	now := time.Unix(1_700_000_000, 0)
	s.SetQueues(metrics.Queues{At: now, Queues: []metrics.Queue{
		{Name: metrics.QueueShards, States: map[string]int64{"queued": 2, "failed": 0}, OldestQueued: now.Add(-90 * time.Second)},
		{Name: metrics.QueueUploads, States: map[string]int64{"queued": 0}},
	}})
	want := `
# HELP sightline_queue_oldest_age_seconds Age of the oldest item waiting in the queue (0 when none waits).
# TYPE sightline_queue_oldest_age_seconds gauge
sightline_queue_oldest_age_seconds{queue="shards"} 90
sightline_queue_oldest_age_seconds{queue="uploads"} 0
`
	if err := testutil.GatherAndCompare(s.Queues, strings.NewReader(want), "sightline_queue_oldest_age_seconds"); err != nil {
		t.Error(err)
	}
	var nilSet *metrics.Set
	nilSet.RunFinished(metrics.Run{Job: "x"})
	nilSet.SetQueues(metrics.Queues{})
}
