// Package metrics defines Sightline's Prometheus metrics: what a job run
// records (duration, status, last success, rows loaded per batch kind, the
// run's counts) and what the queues look like (shards and uploads by state,
// the age of the oldest queued item, backfill progress).
//
// It holds the definitions only. The runner records runs (jobs.Runner), the
// command line fills the queue gauges from the stores when it pushes or is
// scraped, and decides where the metrics go: a Pushgateway for `sightline
// run`, /metrics for `sightline schedule`. It reads no database itself.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// JobLabel is the label naming the Sightline job. It is not "job", which
// Prometheus and the Pushgateway reserve for the scrape or push job.
const JobLabel = "sightline_job"

// Set is one process's metrics in their own registry. A nil *Set records
// nothing, so code may hold one unconditionally.
type Set struct {
	// Runs holds the run metrics (and, with process metrics, the Go
	// runtime's); Queues the queue gauges. They are apart because a run
	// pushes them to different Pushgateway groups: its job's, and one
	// group for the queues that every run replaces.
	Runs, Queues *prometheus.Registry

	interval      *prometheus.GaugeVec
	runDuration   *prometheus.GaugeVec
	runStatus     *prometheus.GaugeVec
	runs          *prometheus.CounterVec
	lastSuccess   *prometheus.GaugeVec
	runCounts     *prometheus.GaugeVec
	rowsLoaded    *prometheus.GaugeVec
	queueItems    *prometheus.GaugeVec
	queueOldest   *prometheus.GaugeVec
	backfills     *prometheus.GaugeVec
	backfillRepos *prometheus.GaugeVec
}

// New returns a Set with every metric registered. withProcess adds the Go
// runtime and process collectors (for a long-running process; a pushed run
// leaves them out, as they would only describe a process that has ended).
func New(withProcess bool) *Set {
	s := &Set{Runs: prometheus.NewRegistry(), Queues: prometheus.NewRegistry()}
	s.interval = s.gauge(s.Runs, "sightline_job_interval_seconds", "The gap between the next two runs of the job's schedule (absent for a job whose schedule is off).", JobLabel)
	s.runDuration = s.gauge(s.Runs, "sightline_run_duration_seconds", "How long the job's last run took.", JobLabel)
	s.runStatus = s.gauge(s.Runs, "sightline_run_status", "1 for the status of the job's last run (succeeded, failed, canceled), 0 for the others.", JobLabel, "status")
	s.runs = s.counter("sightline_runs_total", "Runs of the job by this process, by status.", JobLabel, "status")
	s.lastSuccess = s.gauge(s.Runs, "sightline_run_last_success_timestamp_seconds", "Unix time at which the job's last successful run finished.", JobLabel)
	s.runCounts = s.gauge(s.Runs, "sightline_run_count", "The job's own tallies of its last run (job_runs.counts), by name.", JobLabel, "name")
	s.rowsLoaded = s.gauge(s.Runs, "sightline_run_rows_loaded", "Rows the job's last run loaded into Postgres, by batch kind.", JobLabel, "kind")
	s.queueItems = s.gauge(s.Queues, "sightline_queue_items", "Items in a work queue (shards, uploads) by state.", "queue", "state")
	s.queueOldest = s.gauge(s.Queues, "sightline_queue_oldest_age_seconds", "Age of the oldest item waiting in the queue (0 when none waits).", "queue")
	s.backfills = s.gauge(s.Queues, "sightline_backfills", "Insight backfills by state.", "state")
	s.backfillRepos = s.gauge(s.Queues, "sightline_backfill_repos", "Repositories of the open (new or processing) backfills: total, done, errored.", "state")
	if withProcess {
		s.Runs.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	return s
}

// Gatherer gathers both registries, for serving /metrics.
func (s *Set) Gatherer() prometheus.Gatherer {
	return prometheus.Gatherers{s.Runs, s.Queues}
}

func (s *Set) gauge(r *prometheus.Registry, name, help string, labels ...string) *prometheus.GaugeVec {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name, Help: help}, labels)
	r.MustRegister(g)
	return g
}

func (s *Set) counter(name, help string, labels ...string) *prometheus.CounterVec {
	c := prometheus.NewCounterVec(prometheus.CounterOpts{Name: name, Help: help}, labels)
	s.Runs.MustRegister(c)
	return c
}

// JobInterval records the gap between two scheduled runs of job; the
// alert on a job that has not succeeded in twice its interval needs it.
func (s *Set) JobInterval(job string, d time.Duration) {
	if s == nil {
		return
	}
	s.interval.WithLabelValues(job).Set(d.Seconds())
}

// Run is one finished run, as the runner saw it.
type Run struct {
	Job string
	// Status is succeeded, failed or canceled.
	Status             string
	Started, Finished  time.Time
	Counts, RowsLoaded map[string]int64
}

// RunStatuses are the statuses sightline_run_status reports.
var RunStatuses = []string{"succeeded", "failed", "canceled"}

// RunFinished records run. The last-success time is set only by a
// successful run, so a failed run pushed with PushAdd leaves the
// Pushgateway's last success in place.
func (s *Set) RunFinished(run Run) {
	if s == nil {
		return
	}
	s.runDuration.WithLabelValues(run.Job).Set(run.Finished.Sub(run.Started).Seconds())
	for _, st := range RunStatuses {
		s.runStatus.WithLabelValues(run.Job, st).Set(boolFloat(st == run.Status))
	}
	s.runs.WithLabelValues(run.Job, run.Status).Inc()
	if run.Status == "succeeded" {
		s.lastSuccess.WithLabelValues(run.Job).Set(float64(run.Finished.UnixNano()) / 1e9)
	}
	s.runCounts.DeletePartialMatch(prometheus.Labels{JobLabel: run.Job})
	for name, n := range run.Counts {
		s.runCounts.WithLabelValues(run.Job, name).Set(float64(n))
	}
	s.rowsLoaded.DeletePartialMatch(prometheus.Labels{JobLabel: run.Job})
	for kind, n := range run.RowsLoaded {
		s.rowsLoaded.WithLabelValues(run.Job, kind).Set(float64(n))
	}
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
