// Package prune is the prune job: it deletes what the other jobs leave
// behind once it can no longer be needed. Batch runs in the bucket (with
// their rows in the loaded_batches ledger), LSIF uploads that were
// replaced, errored or abandoned while uploading (rows and objects), upload
// inbox entries that were never completed or never registered,
// insight views, series and repositories users removed (with their data),
// and old job_runs rows. Insight points older than their series' window
// times PointsWindowFactor go too, but never one a series shows.
//
// Completed uploads expire (become deleted, their rows deleted) once older
// than the upload retention period (90 days) unless the tip of their
// repository's default branch, or the commit of a younger upload, still
// needs them (lsif_nearest_uploads); see expireUploads.
//
// The API docs search rows over the index-size limit go too, oldest
// upload first.
//
// Nothing younger than the retention period is touched, and nothing that
// may still be needed is deleted at any age: a run holding a task shard
// that run-searches has yet to read is kept and reported. It does not
// delete converted LSIF rows itself (a trigger on lsif_uploads does, and
// expiry through the codeintel store) or anything of queued or processing
// uploads.
package prune

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// Name is the job's registry name.
const Name = "prune"

// Default retention periods.
const (
	DefaultRetention        = 7 * 24 * time.Hour
	DefaultJobRunsRetention = 90 * 24 * time.Hour
)

// Job prunes the bucket and the bookkeeping tables.
type Job struct {
	// Retention is how long batch runs and finished uploads are kept; 0
	// means DefaultRetention.
	Retention time.Duration
	// JobRunsRetention is how long job_runs rows are kept once finished; 0
	// means DefaultJobRunsRetention.
	JobRunsRetention time.Duration
	// UploadRetention is how long a completed upload is kept unless the
	// tip of its default branch or a younger upload's commit needs it; 0
	// means DefaultUploadRetention.
	UploadRetention time.Duration
	// PointsWindowFactor is how many windows (num_points × interval) of
	// points, incomplete points and recording times each series keeps; 0
	// means DefaultPointsWindowFactor, negative keeps them all. Otherwise it
	// must be at least 1.
	PointsWindowFactor float64
	// APIDocsLimit is the API docs search index-size limit; nil means one
	// of apidocs.RowsPerFactor rows per table.
	APIDocsLimit *apidocs.Limit
}

var _ jobs.Job = (*Job)(nil)

// Name implements jobs.Job.
func (*Job) Name() string { return Name }

// Description implements jobs.Job.
func (*Job) Description() string {
	return "delete old batch runs, replaced/errored/abandoned/expired uploads, removed views/series/repositories, insight points past their series' window, old job runs, and API docs search rows over the index-size limit"
}

// DefaultSchedule implements jobs.Job.
func (*Job) DefaultSchedule() string { return "30 3 * * *" }

// Run implements jobs.Job. A deletion that fails is logged, counted in
// "errors" and retried by the next run; the others go on, and the run fails
// at the end so that the failure is seen.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	p := &pruner{env: env, counts: jobs.Counts{
		"runs": 0, "uncommitted_runs": 0, "unloaded_runs": 0, "pending_runs": 0, "ledger_rows": 0,
		"retired_uploads": 0, "errored_uploads": 0, "abandoned_uploads": 0, "expired_uploads": 0,
		"removed_views": 0, "removed_view_series": 0, "removed_series": 0, "removed_repos": 0,
		"objects": 0, "bytes": 0, "job_runs": 0, "errors": 0,
		"old_points": 0, "old_incomplete_points": 0, "old_recording_times": 0,
		"apidocs_pruned_uploads": 0, "apidocs_pruned_rows": 0,
	}}
	now := env.Now()
	cutoff := now.Add(-cmp.Or(j.Retention, DefaultRetention))
	uploadRetention := cmp.Or(j.UploadRetention, DefaultUploadRetention)
	if err := p.expireUploads(ctx, now.Add(-uploadRetention), uploadRetention); err != nil {
		return p.counts, err
	}
	if err := p.pruneRuns(ctx, cutoff); err != nil {
		return p.counts, err
	}
	if err := p.pruneTemp(ctx, cutoff); err != nil {
		return p.counts, err
	}
	if err := p.pruneUploads(ctx, cutoff); err != nil {
		return p.counts, err
	}
	if err := p.pruneInbox(ctx, cutoff); err != nil {
		return p.counts, err
	}
	if err := p.pruneRemoved(ctx, cutoff); err != nil {
		return p.counts, err
	}
	if err := p.prunePoints(ctx, now, j.PointsWindowFactor); err != nil {
		return p.counts, err
	}
	if err := p.pruneAPIDocsIndex(ctx, j.APIDocsLimit); err != nil {
		return p.counts, err
	}
	if err := p.pruneJobRuns(ctx, now.Add(-cmp.Or(j.JobRunsRetention, DefaultJobRunsRetention))); err != nil {
		return p.counts, err
	}
	if n := p.counts["errors"]; n > 0 {
		return p.counts, fmt.Errorf("prune: %d deletions failed (see the warnings above); the next run retries them", n)
	}
	return p.counts, nil
}

// pruner is one run's state: the environment and the tallies.
type pruner struct {
	env    *jobs.Env
	counts jobs.Counts
}

// failed records a deletion that failed, unless the run is being cancelled,
// in which case it returns the cancellation to stop the run.
func (p *pruner) failed(ctx context.Context, err error, args ...any) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	p.counts["errors"]++
	p.env.Logger.Warn("prune: deletion failed; the next run retries it", append(args, "err", err)...)
	return nil
}

// pruneJobRuns deletes the job_runs rows of runs finished before cutoff.
// Running runs are kept whatever their age: the runner marks them failed
// when their process is gone, and they are pruned after that.
func (p *pruner) pruneJobRuns(ctx context.Context, cutoff time.Time) error {
	n, err := jobs.RunsDeleteFinished(ctx, p.env.DB, cutoff)
	if err != nil {
		return err
	}
	p.counts["job_runs"] += n
	return nil
}
