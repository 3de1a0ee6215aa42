package jobs

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/segmentio/ksuid"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/metrics"
	"github.com/sightline-dev/sightline/pipeline/progress"
)

// Overlap says what a run does when another run of the same job holds the
// job's lock.
type Overlap string

// The overlap policies.
const (
	// OverlapSkip records the run as skipped and returns at once.
	OverlapSkip Overlap = "skip"
	// OverlapWait waits for the other run to finish.
	OverlapWait Overlap = "wait"
)

// ParseOverlap parses a --if-running value.
func ParseOverlap(s string) (Overlap, error) {
	switch o := Overlap(s); o {
	case OverlapSkip, OverlapWait:
		return o, nil
	}
	return "", fmt.Errorf("invalid overlap policy %q (want skip or wait)", s)
}

// Runner executes job runs. Its zero value is not usable: DB is required.
type Runner struct {
	DB      *pgxpool.Pool
	Bucket  bucket.Bucket
	DataDir string
	Logger  *slog.Logger
	// NowFunc is the clock; nil means time.Now.
	NowFunc func() time.Time
	// Progress is passed to every run's Env: a terminal line for
	// `sightline run` on a terminal, else (zero) log lines.
	Progress progress.Opts
	// Metrics records each executed run; nil records nothing.
	Metrics *metrics.Set
	// MaxRuntime bounds a queue worker's run (see KindOf): when it is
	// reached the run hands back what it holds and succeeds. 0 means no
	// bound; one-at-a-time jobs ignore it.
	MaxRuntime time.Duration
}

// RunResult is the outcome of one run.
type RunResult struct {
	RunID  string
	Status Status
	Counts Counts
	// Holder is, for a skipped run, the id of the run holding the lock
	// (empty if unknown).
	Holder string
}

// LockHolder names, for a skipped run, what holds the job's lock: "run
// <id>", or "another process" when no run of the job is recorded as running
// (the holder has not recorded its run yet, or is not a Sightline run).
func (r RunResult) LockHolder() string {
	if r.Holder == "" {
		return "another process"
	}
	return "run " + r.Holder
}

// Run executes job once and records it in job_runs: a one-at-a-time job
// under the job's advisory lock, a queue worker without one (any number of
// its runs work at once; see runWorker). The returned error is the job's (or the runner's) error; a
// skipped run is not an error. On cancellation the run is recorded as
// canceled and ctx's error is returned.
func (r *Runner) Run(ctx context.Context, job Job, overlap Overlap) (RunResult, error) {
	res := RunResult{RunID: ksuid.New().String()}
	if KindOf(job) == QueueWorker {
		return r.runWorker(ctx, job, res)
	}
	lock, err := acquireJobLock(ctx, r.DB, job.Name(), cmp.Or(overlap, OverlapSkip), r.logger())
	if err != nil {
		return res, err
	}
	if lock == nil {
		return r.skip(ctx, job, res)
	}
	defer lock.release()
	if err := r.reapAbandoned(ctx, job.Name()); err != nil {
		return res, err
	}
	return r.execute(ctx, job, res)
}

func (r *Runner) execute(ctx context.Context, job Job, res RunResult) (RunResult, error) {
	rec := r.newRecord(job, res.RunID, StatusRunning)
	if err := runInsert(ctx, r.DB, rec); err != nil {
		return res, err
	}
	log := r.logger().With("job", job.Name(), "run", res.RunID)
	log.Info("run started")
	env := &Env{RunID: res.RunID, DB: r.DB, Bucket: r.Bucket, DataDir: r.DataDir, Logger: log, Now: r.now, Progress: r.Progress}
	ctx, rows := metrics.WithRowTally(ctx)
	counts, err := runJob(ctx, job, env)
	res.Counts, res.Status = counts, StatusSucceeded
	errText := ""
	switch {
	case stoppedAtMaxRuntime(ctx, err):
		r.maxRuntimeNote(job, r.MaxRuntime)
		err = nil
	case err != nil && ctx.Err() != nil:
		res.Status, err = StatusCanceled, fmt.Errorf("run %s of %s canceled: %w", res.RunID, job.Name(), context.Cause(ctx))
		errText = err.Error()
	case err != nil:
		res.Status, errText = StatusFailed, err.Error()
	}
	// Record the outcome even when ctx is cancelled (SIGTERM).
	if ferr := runFinish(context.WithoutCancel(ctx), r.DB, runFinishParams{
		RunID: res.RunID, Status: res.Status, At: r.now(), Counts: counts, Error: errText}); ferr != nil {
		return res, errors.Join(err, ferr)
	}
	log.Info("run finished", "status", res.Status, "counts", counts, "elapsed", r.now().Sub(rec.StartedAt).Round(time.Millisecond))
	r.Metrics.RunFinished(metrics.Run{Job: job.Name(), Status: string(res.Status), Started: rec.StartedAt,
		Finished: r.now(), Counts: counts, RowsLoaded: rows.Rows()})
	return res, err
}

// runJob calls job.Run, turning a panic into the run's error so that the run
// is still recorded and the lock released.
func runJob(ctx context.Context, job Job, env *Env) (counts Counts, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("job %s panicked: %v", job.Name(), p)
		}
	}()
	counts, err = job.Run(ctx, env)
	if counts == nil {
		counts = Counts{}
	}
	return counts, err
}

func (r *Runner) skip(ctx context.Context, job Job, res RunResult) (RunResult, error) {
	res.Status = StatusSkipped
	err := r.DB.QueryRow(ctx, `SELECT coalesce(max(run_id), '') FROM job_runs WHERE job = $1 AND status = 'running'`,
		job.Name()).Scan(&res.Holder)
	if err != nil {
		return res, fmt.Errorf("find the run holding %s's lock: %w", job.Name(), err)
	}
	rec := r.newRecord(job, res.RunID, StatusSkipped)
	rec.FinishedAt = &rec.StartedAt
	rec.Error = res.LockHolder() + " holds the job's lock"
	r.logger().Info("run skipped: another run of the job is in progress", "job", job.Name(), "held_by", res.LockHolder())
	return res, runInsert(ctx, r.DB, rec)
}

// newRecord is the job_runs row of a run starting now in this process.
func (r *Runner) newRecord(job Job, runID string, status Status) RunRecord {
	host, _ := os.Hostname()
	return RunRecord{Job: job.Name(), RunID: runID, Status: status, StartedAt: r.now(),
		Counts: Counts{}, Host: host, PID: os.Getpid()}
}

// reapAbandoned marks as failed the runs of job still "running": while we
// hold the job's lock no other process can be running it, so those are runs
// whose process died (SIGKILL, OOM, node loss) before recording an outcome.
func (r *Runner) reapAbandoned(ctx context.Context, job string) error {
	tag, err := r.DB.Exec(ctx, `
		UPDATE job_runs SET status = 'failed', finished_at = $2,
			error = 'abandoned: the process ended without recording an outcome'
		WHERE job = $1 AND status = 'running'`, job, r.now())
	if err != nil {
		return fmt.Errorf("reap abandoned runs of %s: %w", job, err)
	}
	if n := tag.RowsAffected(); n > 0 {
		r.logger().Warn("marked abandoned runs as failed", "job", job, "runs", n)
	}
	return nil
}

func (r *Runner) now() time.Time {
	if r.NowFunc != nil {
		return r.NowFunc()
	}
	return time.Now()
}

func (r *Runner) logger() *slog.Logger {
	if r.Logger != nil {
		return r.Logger
	}
	return slog.Default()
}
