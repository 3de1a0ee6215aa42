// Package jobs runs Sightline's batch jobs: the Job interface every job
// implements, a Registry of named jobs with their default cron specs, the
// Runner that executes one run (advisory lock, job_runs row, cancellation),
// and the Scheduler that runs every job on its spec in one process.
//
// The jobs themselves live in subpackages (jobs/syncrepos, ...); this package
// knows none of them.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"regexp"
	"slices"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/progress"
)

// Job is one kind of batch work. Run must be safe to call again after a
// crash or cancellation: a job's outputs are loaded idempotently.
type Job interface {
	// Name is the job's registry name, e.g. "sync-repos".
	Name() string
	// Description says in one line what the job does.
	Description() string
	// DefaultSchedule is the job's cron spec unless overridden.
	DefaultSchedule() string
	// Run does the work of one run. It returns the run's tallies; an error
	// fails the run. It must return promptly once ctx is cancelled.
	Run(ctx context.Context, env *Env) (Counts, error)
}

// Kind says how runs of a job may overlap.
type Kind int

const (
	// OneAtATime jobs (planners and maintenance) run under a job-wide
	// advisory lock: a second run is skipped or waits.
	OneAtATime Kind = iota
	// QueueWorker jobs claim items from a queue (FOR UPDATE SKIP LOCKED):
	// any number of runs, on any number of machines, work at once.
	QueueWorker
)

// String returns "one-at-a-time" or "queue-worker".
func (k Kind) String() string {
	if k == QueueWorker {
		return "queue-worker"
	}
	return "one-at-a-time"
}

// Worker is implemented by jobs whose kind is QueueWorker.
type Worker interface {
	Job
	// QueueWorker marks the job as a queue worker; it does nothing.
	QueueWorker()
}

// KindOf returns j's kind: QueueWorker when j implements Worker.
func KindOf(j Job) Kind {
	if _, ok := j.(Worker); ok {
		return QueueWorker
	}
	return OneAtATime
}

// Counts are a run's tallies, stored in job_runs.counts.
type Counts map[string]int64

// Env is what a run gets from the runner.
type Env struct {
	// RunID identifies the run: a ksuid, so run ids sort by start time.
	RunID string
	DB    *pgxpool.Pool
	// Bucket is where the run writes its batches, under runs/<job>/<run-id>/.
	Bucket bucket.Bucket
	// DataDir is Sightline's data directory (repository mirrors live in
	// DataDir/repos).
	DataDir string
	Logger  *slog.Logger
	// Now is the clock.
	Now func() time.Time
	// Progress configures the progress reports of queue workers
	// (StartProgress); the zero value logs through Logger.
	Progress progress.Opts
}

// NewRun starts a batch run of job under runID in b on the run's clock, so
// that its manifest's Created time is the run's time (--now). Every job
// makes its batch runs here.
func (e *Env) NewRun(b bucket.Bucket, job, runID string) *batch.Run {
	run := batch.NewRun(b, job, runID)
	run.NowFunc = e.Now
	return run
}

var jobName = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)

// Registry is the set of jobs a binary knows, by name.
type Registry struct {
	jobs map[string]Job
}

// NewRegistry returns a registry of jobs. It panics on a duplicate or
// malformed name, which is a programming error.
func NewRegistry(jobs ...Job) *Registry {
	r := &Registry{jobs: make(map[string]Job, len(jobs))}
	for _, j := range jobs {
		if !jobName.MatchString(j.Name()) {
			panic(fmt.Sprintf("jobs: malformed job name %q", j.Name()))
		}
		if _, dup := r.jobs[j.Name()]; dup {
			panic(fmt.Sprintf("jobs: job %q registered twice", j.Name()))
		}
		r.jobs[j.Name()] = j
	}
	return r
}

// Get returns the job called name, or an error listing the known jobs.
func (r *Registry) Get(name string) (Job, error) {
	if j, ok := r.jobs[name]; ok {
		return j, nil
	}
	return nil, fmt.Errorf("unknown job %q (known jobs: %v); `sightline jobs` lists them", name, r.Names())
}

// Names returns the job names in order.
func (r *Registry) Names() []string {
	return slices.Sorted(maps.Keys(r.jobs))
}

// All returns the jobs in name order.
func (r *Registry) All() []Job {
	out := make([]Job, 0, len(r.jobs))
	for _, n := range r.Names() {
		out = append(out, r.jobs[n])
	}
	return out
}
