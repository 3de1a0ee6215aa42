package runsearches

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"

	"golang.org/x/time/rate"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/engine"
)

// worker is one run's state: the engine cache and rate limiter its tasks
// share, and its tallies.
type worker struct {
	job     *Job
	env     *jobs.Env
	id      string // the run id: claimed_by of the shards it holds
	cache   *engine.Cache
	limiter *rate.Limiter

	mu     sync.Mutex
	counts jobs.Counts
}

func (w *worker) add(key string, n int) {
	w.mu.Lock()
	w.counts[key] += int64(n)
	w.mu.Unlock()
}

// process works on claimed shard s until it is completed, failed, released
// or lost. It returns an error only for what should end the run: ctx
// cancelled, or the database unusable.
func (w *worker) process(ctx context.Context, s *shardqueue.Shard) error {
	log := w.env.Logger.With("shard", s.ID, "kind", s.Kind, "attempt", s.Attempts)
	tasks, err := shardqueue.ReadTasks(ctx, w.env.Bucket, s.ObjectKey)
	if err != nil {
		if ctx.Err() != nil {
			return w.release(ctx, s)
		}
		return w.fail(ctx, s, fmt.Errorf("read tasks %q: %w", s.ObjectKey, err))
	}
	// The heartbeat runs until the shard is completed; work ends when the
	// claim is lost.
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer w.heartbeat(work, s, cancel)()
	results := w.evaluate(work, tasks)
	switch {
	case ctx.Err() != nil:
		return w.release(ctx, s)
	case errors.Is(context.Cause(work), shardqueue.ErrLost):
		w.add("lost", 1)
		log.Warn("shard taken back while working (stalled?); dropping its results")
		return nil
	}
	return w.finish(ctx, work, s, results)
}

// heartbeat renews s's claim until the returned stop is called. If the
// claim is lost it cancels work with shardqueue.ErrLost.
func (w *worker) heartbeat(work context.Context, s *shardqueue.Shard, cancel context.CancelCauseFunc) (stop func()) {
	return jobs.KeepAlive(work, jobs.KeepAliveOpts{
		Interval: cmp.Or(w.job.HeartbeatInterval, DefaultHeartbeatInterval),
		Beat:     func(ctx context.Context) error { return shardqueue.Heartbeat(ctx, w.env.DB, s.ID, w.id) },
		Lost:     shardqueue.ErrLost,
		Cancel:   cancel,
		OnErr:    func(err error) { w.env.Logger.Warn("shard heartbeat failed", "shard", s.ID, "err", err) },
	})
}

// release gives s back to the queue, uncounted, because the run is
// stopping, and returns ctx's error.
func (w *worker) release(ctx context.Context, s *shardqueue.Shard) error {
	if err := shardqueue.Release(context.WithoutCancel(ctx), w.env.DB, s.ID, w.id); err != nil {
		w.env.Logger.Warn("release shard", "shard", s.ID, "err", err)
	}
	return ctx.Err()
}

// fail records a failed attempt at s. When that was its last, the shard's
// tasks are recorded as lost at once.
func (w *worker) fail(ctx context.Context, s *shardqueue.Shard, cause error) error {
	if ctx.Err() != nil {
		return w.release(ctx, s)
	}
	st, err := shardqueue.Fail(ctx, w.env.DB, shardqueue.FailParams{
		ID: s.ID, Worker: w.id, Cause: cause, RetryAfter: w.job.retryAfter(s.Attempts)})
	if errors.Is(err, shardqueue.ErrLost) {
		w.add("lost", 1)
		return nil
	}
	if err != nil {
		return err
	}
	w.env.Logger.Warn("shard attempt failed", "shard", describe(s), "state", st, "err", cause)
	if st == shardqueue.StateFailed {
		return w.settleFailed(ctx)
	}
	w.add("retried", 1)
	return nil
}
