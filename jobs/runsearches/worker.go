package runsearches

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/time/rate"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/progress"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// worker is one run's state: the rate limiter its tasks share, and its
// tallies.
type worker struct {
	job     *Job
	env     *jobs.Env
	id      string // the run id: claimed_by of the shards it holds
	limiter *rate.Limiter
	// progress counts the shards handled, one at a time.
	progress *progress.Reporter

	mu     sync.Mutex
	counts jobs.Counts
}

func (w *worker) add(key string, n int) {
	w.mu.Lock()
	w.counts[key] += int64(n)
	w.mu.Unlock()
}

// claim is a shard of a claim group and its tasks.
type claim struct {
	shard *shardqueue.Shard
	tasks []shardqueue.Task
}

// process works on a claim group, shards claimed together because they
// share repositories, until each is completed, failed, released or lost:
// it evaluates all their tasks in one pass per repository, then stores
// and completes (or fails) each shard on its own, in claim order. It
// returns an error only for what should end the run: ctx cancelled, or the
// database unusable.
func (w *worker) process(ctx context.Context, shards []shardqueue.Shard) error {
	var held []claim
	for i := range shards {
		s := &shards[i]
		tasks, err := shardqueue.ReadTasks(ctx, w.env.Bucket, s.ObjectKey)
		if err == nil {
			held = append(held, claim{shard: s, tasks: tasks})
			continue
		}
		if ctx.Err() == nil {
			err = w.fail(ctx, s, fmt.Errorf("read tasks %q: %w", s.ObjectKey, err))
			w.progress.Add(1)
		}
		if ctx.Err() != nil || err != nil {
			w.releaseAll(ctx, held)
			w.releaseAll(ctx, claimsOf(shards[i:]))
			return cmp.Or(ctx.Err(), err)
		}
	}
	if len(held) == 0 {
		return nil
	}
	// The heartbeat runs until the shards are completed; work ends when a
	// claim is lost. Each shard leaves the heartbeat as it is finished:
	// completed or failed, it is no longer held, which is no lost claim.
	work, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	beating := newHeldIDs(held)
	defer w.heartbeat(work, beating, cancel)()
	results := w.evaluate(work, held)
	switch {
	case ctx.Err() != nil:
		w.releaseAll(ctx, held)
		return ctx.Err()
	case errors.Is(context.Cause(work), shardqueue.ErrLost):
		w.add("lost", 1)
		w.env.Logger.Warn("shard taken back while working (stalled?); dropping the results of its claim group", "shards", ids(held))
		w.releaseAll(ctx, held)
		w.progress.Add(int64(len(held)))
		return nil
	}
	for i, c := range held {
		err := w.finish(ctx, work, c.shard, results[i], func() { beating.drop(c.shard.ID) })
		if err != nil {
			w.releaseAll(ctx, held[i+1:])
			return err
		}
		w.progress.Add(1)
	}
	if errors.Is(context.Cause(work), shardqueue.ErrLost) {
		w.add("lost", 1)
		w.env.Logger.Warn("shard taken back while storing its claim group's results (stalled?); the group's shards not stored yet go back to the queue", "shards", ids(held))
	}
	return nil
}

// heldIDs are the ids of the shards of a claim group that its heartbeat
// renews: those not yet finished.
type heldIDs struct {
	mu  sync.Mutex // held through a beat, so that drop waits for it
	ids []int64
}

func newHeldIDs(held []claim) *heldIDs { return &heldIDs{ids: ids(held)} }

// beat calls renew with the ids, unless there are none.
func (h *heldIDs) beat(renew func([]int64) error) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ids) == 0 {
		return nil
	}
	return renew(h.ids)
}

// drop takes shard id out of the heartbeat before it is completed, failed
// or released: once it is, a beat renewing it would find it lost.
func (h *heldIDs) drop(id int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ids = slices.DeleteFunc(h.ids, func(x int64) bool { return x == id })
}

func claimsOf(shards []shardqueue.Shard) []claim {
	out := make([]claim, len(shards))
	for i := range shards {
		out[i].shard = &shards[i]
	}
	return out
}

func ids(held []claim) []int64 {
	out := make([]int64, len(held))
	for i, c := range held {
		out[i] = c.shard.ID
	}
	return out
}

// heartbeat renews the claims of the shards still in held until the
// returned stop is called. If one is lost it cancels work with
// shardqueue.ErrLost.
func (w *worker) heartbeat(work context.Context, held *heldIDs, cancel context.CancelCauseFunc) (stop func()) {
	return jobs.KeepAlive(work, jobs.KeepAliveOpts{
		Interval: cmp.Or(w.job.HeartbeatInterval, DefaultHeartbeatInterval),
		Beat: func(ctx context.Context) error {
			return held.beat(func(ids []int64) error { return shardqueue.HeartbeatGroup(ctx, w.env.DB, ids, w.id) })
		},
		Lost:   shardqueue.ErrLost,
		Cancel: cancel,
		OnErr:  func(err error) { w.env.Logger.Warn("shard heartbeat failed", "err", err) },
	})
}

// releaseAll gives the shards of held that the worker still holds back to
// the queue, uncounted: the run is stopping, or the group's work was lost.
func (w *worker) releaseAll(ctx context.Context, held []claim) {
	for _, c := range held {
		err := shardqueue.Release(context.WithoutCancel(ctx), w.env.DB, c.shard.ID, w.id)
		if err != nil && !errors.Is(err, shardqueue.ErrLost) {
			w.env.Logger.Warn("release shard", "shard", c.shard.ID, "err", err)
		}
	}
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
