// Package processuploads is the process-uploads job: it converts queued
// LSIF and SCIP uploads into code-intelligence rows. For each upload it claims (FOR
// UPDATE SKIP LOCKED, heartbeat while it works) it streams the composed
// object from the bucket (resuming with ranged reads after a transient
// failure), converts it with sources/lsif or sources/scip, by the format
// recorded on the upload (documents not in git at the
// upload's commit are pruned), writes the rows as Arrow batches of a batch
// run of its own, loads them with the batch loader while the upload is
// still processing (invisible to code navigation), and then, in one
// transaction, completes it: older uploads of the same repository, commit,
// root and indexer are retired and the repository is marked dirty for the
// commit-graph updater; when the upload's commit is the repository's
// default-branch head its API docs entries are indexed for search in that
// transaction too (codeintel.UploadsComplete, apidocs.Reconcile), and the
// index-size limit is enforced after it. The upload object is deleted once
// completed.
//
// A dump at fault (malformed JSON, a corrupt gzip part, no document inside
// its root) or an upload whose repository is gone errors at once, with a
// message that says what to do. A storage or connection hiccup (a bucket
// error, a timeout, a network error, a lost Postgres connection) does not
// use up an attempt: the upload is requeued after a delay and the failure
// counted in its transient_failures, up to max_transient_failures. An
// upload whose commit is missing (its repository not synced yet, the
// commit not pushed or fetched yet: a URL repository is fetched first)
// waits, queued without using an attempt, up to the commit-wait deadline
// (CommitWait, 24h), after which it errors with the reason. Other failures
// are retried up to the upload's max_attempts. Rows loaded by a failed or
// crashed attempt are deleted before the next attempt and when the upload
// errors, so nothing half-loaded ever becomes visible. Each attempt writes
// a batch run of its own, so that it never takes an earlier attempt's
// batches for loaded, and before completing it checks that the tables hold
// every row its batches carry (a mismatch fails the attempt, as a
// transient failure).
package processuploads

import (
	"cmp"
	"context"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/giturl"
	"github.com/sightline-dev/sightline/sources/mirrorcache"
)

// Name is the job's registry name.
const Name = "process-uploads"

// Defaults.
const (
	DefaultHeartbeatInterval = 10 * time.Second
	DefaultStallTimeout      = time.Minute
	DefaultRetryAfter        = time.Minute
	// MaxRetryAfter caps the growing wait between retries.
	MaxRetryAfter = 15 * time.Minute
)

// Job processes LSIF uploads.
type Job struct {
	// HeartbeatInterval is how often a claimed upload's heartbeat is
	// renewed; StallTimeout is how old a heartbeat gets before the upload
	// is taken back. Zero means the defaults.
	HeartbeatInterval time.Duration
	StallTimeout      time.Duration
	// RetryAfter is how long an upload whose attempt failed for a reason
	// that may pass waits, times the attempts made (or, after a storage
	// or connection hiccup, the hiccups so far), at most MaxRetryAfter; 0
	// means DefaultRetryAfter, negative none.
	RetryAfter time.Duration
	// MaxUploads bounds the uploads one run processes; 0 drains the queue.
	MaxUploads int
	// LoadConcurrency is how many of an upload's batches load at once,
	// each on its own connection; 0 means DefaultLoadConcurrency.
	LoadConcurrency int
	// Mirrors, when set, is the worker's own mirror cache: URL
	// repositories are read from it, fetched when it lacks the upload's
	// commit, so the worker needs no volume shared with sync-repos.
	// Without it, a URL repository's mirror from sync-repos is fetched
	// (with Protocols and GitTimeout) when it lacks the commit.
	Mirrors    *mirrorcache.Cache
	Protocols  giturl.Protocols
	GitTimeout time.Duration
	// CommitWait is how long an upload whose commit is missing (its
	// repository not synced, the commit not pushed or fetched yet) waits,
	// queued without using attempts, before it errors; 0 means
	// DefaultCommitWait. CommitRetryAfter is the first wait between its
	// tries (growing with the time waited); 0 means
	// DefaultCommitRetryAfter.
	CommitWait       time.Duration
	CommitRetryAfter time.Duration
	// APIDocsLimit is the API docs index-size limit enforced after each
	// upload indexed; nil means one of apidocs.RowsPerFactor rows.
	APIDocsLimit *apidocs.Limit
	// SCIPMemoryRatio is the Go runtime's soft memory limit while a SCIP
	// index is converted, per uncompressed byte read so far (at least
	// MinSCIPMemoryLimit, never above GOMEMLIMIT); 0 means
	// DefaultSCIPMemoryRatio, negative no limit.
	SCIPMemoryRatio float64
}

// DefaultLoadConcurrency loads two batches at once: while Postgres writes
// one table, the other connection's COPY keeps the second core busy.
const DefaultLoadConcurrency = 2

var _ jobs.Worker = (*Job)(nil)

// QueueWorker implements jobs.Worker: runs of the job claim from a queue,
// so any number of them work at once, without the job-wide lock.
func (*Job) QueueWorker() {}

// Name implements jobs.Job.
func (*Job) Name() string { return Name }

// Description implements jobs.Job.
func (*Job) Description() string {
	return "convert queued LSIF uploads (stream, prune against git, Arrow batches, load), complete them atomically, retire replaced uploads"
}

// DefaultSchedule implements jobs.Job.
func (*Job) DefaultSchedule() string { return "* * * * *" }

// Run implements jobs.Job: it takes back stalled uploads, then processes
// queued ones until none is ready.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	w := &worker{job: j, env: env, counts: jobs.Counts{
		"uploads": 0, "completed": 0, "errored": 0, "retried": 0, "transient": 0, "retired": 0, "reset": 0, "lost": 0,
		"bytes": 0, "documents": 0, "ranges": 0, "pruned": 0, "outside-root": 0, "inbox_registered": 0, "waiting": 0,
	}}
	for _, k := range codeintel.SinkKinds() {
		w.counts[k.Name()] = 0
	}
	for _, c := range []string{"apidocs_indexed", "apidocs_rows", "apidocs_pruned_uploads", "apidocs_pruned_rows", "apidocs_errors"} {
		w.counts[c] = 0
	}
	n, err := codeintel.UploadsResetStalled(ctx, env.DB, cmp.Or(j.StallTimeout, DefaultStallTimeout))
	if err != nil {
		return w.counts, err
	}
	if n > 0 {
		env.Logger.Warn("took back uploads of crashed or hung runs", "uploads", n)
		w.counts["reset"] += int64(n)
	}
	if err := w.registerInbox(ctx); err != nil {
		return w.counts, err
	}
	ready, err := codeintel.UploadsReadyCount(ctx, env.DB)
	if err != nil {
		return w.counts, err
	}
	p := env.StartProgress(ctx, Name, "uploads", ready)
	defer p.Stop()
	for j.MaxUploads == 0 || w.counts["uploads"] < int64(j.MaxUploads) {
		if err := ctx.Err(); err != nil {
			return w.counts, err
		}
		u, err := codeintel.UploadsClaim(ctx, env.DB, env.RunID)
		if err != nil {
			return w.counts, err
		}
		if u == nil {
			break
		}
		w.counts["uploads"]++
		if err := w.process(ctx, u); err != nil {
			return w.counts, err
		}
		p.Add(1)
	}
	return w.counts, nil
}

func (j *Job) retryAfter(attempts int) time.Duration {
	if j.RetryAfter < 0 {
		return 0
	}
	return min(cmp.Or(j.RetryAfter, DefaultRetryAfter)*time.Duration(max(attempts, 1)), MaxRetryAfter)
}
