// Package runsearches is the run-searches job: it works through the search
// shard queue. It claims one group of shards at a time: the ready shard
// with the highest priority, and with it the other ready shards over the
// same repositories, whatever their series, backfill or kind (less urgent
// shards only over the lead's repositories, so they never delay it; and claims
// again after every group, so that urgent work queued meanwhile —
// recordings, a prioritized backfill — goes next). It heartbeats while it
// works, evaluates the group's tasks with the incremental engine — one
// pass per repository over the distinct commits of all its tasks, oldest
// first, every series a query of the pass, so each changed blob is read
// from git once for all of them (no blob-result cache by default: see
// Job.CacheBytes) — then, shard by shard, writes the answers as Arrow batches
// under the run, loads them into series_points or snapshot_points through
// the batch loader, and completes the shard in the transaction that counts
// it in its backfill, finishing the backfill after its last shard. A
// series that cannot be evaluated fails its tasks alone, not the pass.
//
// Within a pass, a series whose (series, repository) has a stored answer
// usable for the pass's commits continues it (engine.PassQuery.Base),
// joining the walk at the first commit its tasks need: only the files
// changed since are read, both sides, once for all the series continuing
// from the same commit. The others are evaluated in full from the first
// commit's tree. Each task stores its newest answer for the next run.
//
// Failures never leave a series silently short or a backfill in progress
// forever. A repository that cannot be searched fails the shard, which is
// retried; on the shard's last attempt such repositories are recorded as
// repo-error incomplete points instead and the rest completes. A shard that
// fails for good anyway (its worker kept dying) has its tasks recorded as
// incomplete points by the next run. Files that were not searched (too
// large, blobs missing) make skipped-files incomplete points. A series
// that runs out of time in its pass (its query's timeout:, else
// Job.TaskTimeout: engine.PassQuery.Budget, the pass's time from when the
// series joins the walk less the other series' matching, so a slow series does not use up the others' time)
// makes timeout incomplete points for its tasks, alone, and is not retried. A backfill
// fails only when more repositories errored than insights.ErrorLimit.
//
// On cancellation (SIGTERM) the shard in hand goes back to the queue
// without counting the attempt. After a crash (SIGKILL), the next run puts
// the dead run's shards back at once; everything a crashed run loaded is
// keyed, so redoing a shard never duplicates a point.
package runsearches

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/mirrorcache"
)

// Name is the job's registry name.
const Name = "run-searches"

// Defaults.
const (
	DefaultConcurrency       = 2
	DefaultHeartbeatInterval = 10 * time.Second
	DefaultStallTimeout      = time.Minute
	DefaultRetryAfter        = 30 * time.Second
)

// Job runs search shards.
type Job struct {
	// Concurrency is how many tasks (repositories) are evaluated at once;
	// 0 means DefaultConcurrency.
	Concurrency int
	// GroupShards is the most shards claimed together, over the same
	// repositories, and evaluated in one pass per repository; 0 means
	// shardqueue.DefaultGroupShards, 1 one shard at a time.
	GroupShards int
	// GitRate bounds git work: sample commits evaluated per second, across
	// the run; 0 means unlimited.
	GitRate float64
	// TaskTimeout bounds the evaluation of a series whose query has no
	// timeout: filter in its pass over one repository: the pass's time
	// less the other series' matching (engine.PassQuery.Budget); its tasks
	// that run out record timeout incomplete points, and the other series
	// of the pass go on. 0 means DefaultTaskTimeout,
	// negative no limit.
	TaskTimeout time.Duration
	// HeartbeatInterval is how often a claimed shard's heartbeat is
	// renewed; StallTimeout is how old a heartbeat gets before its shard is
	// taken back from a hung worker. Zero means the defaults.
	HeartbeatInterval time.Duration
	StallTimeout      time.Duration
	// RetryAfter is how long a failed shard waits before its next attempt,
	// times the attempts made; 0 means DefaultRetryAfter, negative none.
	RetryAfter time.Duration
	// CacheBytes, when positive, is the budget of a blob-result cache for
	// each pass; 0 or negative means none, the default. The cache lives as
	// long as its pass over one repository (and the pass that redoes its
	// queries whose stored answer proved unusable): blob ids do not repeat
	// across repositories, so a run-wide cache only filled with the
	// results of finished repositories. Within a pass its hits are files
	// returning to an earlier content or moved, 0.3% of the lookups on the
	// fleet benchmark, which saved less than keeping the cache cost (7% of
	// the Go side's CPU; docs/benchmarks.md, "Fleet").
	CacheBytes int
	// MaxFileSize is the size above which files are not searched (and
	// recorded as skipped); 0 means search.DefaultMaxFileSize.
	MaxFileSize int64
	// Mirrors, when set, is the worker's own mirror cache: URL
	// repositories are read from it, fetched when it lacks them, so the
	// worker needs no volume shared with sync-repos.
	Mirrors *mirrorcache.Cache
	// NoIncremental evaluates every task in full, never from the stored
	// answer of its (series, repository): the baseline of benchmarks.
	NoIncremental bool
}

var _ jobs.Worker = (*Job)(nil)

// QueueWorker implements jobs.Worker: runs of the job claim from a queue,
// so any number of them work at once, without the job-wide lock.
func (*Job) QueueWorker() {}

// Name implements jobs.Job.
func (*Job) Name() string { return Name }

// Description implements jobs.Job.
func (*Job) Description() string {
	return "claim search shards by priority, evaluate them against git, load series points; record incomplete points; finish backfills"
}

// DefaultSchedule implements jobs.Job: a run drains the queue, alongside
// any other runs draining it.
func (*Job) DefaultSchedule() string { return "* * * * *" }

// Run implements jobs.Job.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	w := j.newWorker(env)
	if err := w.recover(ctx); err != nil {
		return w.counts, err
	}
	ready, err := shardqueue.ReadyCount(ctx, env.DB)
	if err != nil {
		return w.counts, err
	}
	p := env.StartProgress(ctx, Name, "shards", ready)
	defer p.Stop()
	w.progress = p
	for {
		if err := ctx.Err(); err != nil {
			return w.counts, err
		}
		if _, err := shardqueue.PromotePrioritized(ctx, env.DB); err != nil {
			return w.counts, err
		}
		shards, err := shardqueue.ClaimGroup(ctx, env.DB, env.RunID, shardqueue.GroupOpts{Shards: j.GroupShards})
		if err != nil {
			return w.counts, err
		}
		if len(shards) == 0 {
			break
		}
		w.add("claims", 1)
		if err := w.process(ctx, shards); err != nil {
			return w.counts, err
		}
	}
	// Shards that failed for good meanwhile (stalled elsewhere).
	return w.counts, w.settleFailed(ctx)
}

func (j *Job) newWorker(env *jobs.Env) *worker {
	burst := max(1, int(j.GitRate))
	lim := rate.NewLimiter(rate.Inf, burst)
	if j.GitRate > 0 {
		lim = rate.NewLimiter(rate.Limit(j.GitRate), burst)
	}
	return &worker{
		job: j, env: env, id: env.RunID,
		limiter: lim,
		counts: jobs.Counts{"claims": 0, "passes": 0, "shards": 0, "tasks": 0, "answers": 0, "points": 0, "commits": 0,
			"incremental": 0, "full": 0, "fallback": 0, "blob_bytes": 0, "incomplete": 0, "timeouts": 0, "errored": 0, "retried": 0, "reset": 0, "settled": 0, "lost": 0},
	}
}

// passCacheBytes is the budget of a pass's engine cache (see CacheBytes).
func (j *Job) passCacheBytes() int {
	if j.CacheBytes <= 0 {
		return engine.NoCache
	}
	return j.CacheBytes
}

func (j *Job) retryAfter(attempts int) time.Duration {
	if j.RetryAfter < 0 {
		return 0
	}
	return cmp.Or(j.RetryAfter, DefaultRetryAfter) * time.Duration(max(attempts, 1))
}

func describe(s *shardqueue.Shard) string {
	return fmt.Sprintf("shard %d (%s, attempt %d of %d)", s.ID, s.Kind, s.Attempts, s.MaxAttempts)
}
