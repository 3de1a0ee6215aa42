package runsearches

import (
	"cmp"
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// recover puts back what earlier runs left behind before the run claims
// anything: shards held by runs that are no longer running (a crash: the
// runner marks such runs failed before the run starts) or whose
// heartbeat stopped; failed shards nobody accounted for; and backfills
// whose last shard finished without finishing them.
func (w *worker) recover(ctx context.Context) error {
	dead, err := shardqueue.DeadWorkers(ctx, w.env.DB)
	if err != nil {
		return err
	}
	n, err := shardqueue.ResetWorkers(ctx, w.env.DB, dead)
	if err != nil {
		return err
	}
	m, err := shardqueue.ResetStalled(ctx, w.env.DB, cmp.Or(w.job.StallTimeout, DefaultStallTimeout))
	if err != nil {
		return err
	}
	if n+m > 0 {
		w.env.Logger.Warn("took back shards of crashed or hung runs", "shards", n+m)
		w.add("reset", int(n+m))
	}
	if err := w.settleFailed(ctx); err != nil {
		return err
	}
	return w.finishBackfills(ctx)
}

// settleFailed accounts for every failed, unsettled shard.
func (w *worker) settleFailed(ctx context.Context) error {
	shards, err := shardqueue.Unsettled(ctx, w.env.DB)
	if err != nil {
		return err
	}
	for i := range shards {
		if err := w.settle(ctx, &shards[i]); err != nil {
			return err
		}
	}
	return nil
}

// settle records what failed shard s lost — a repo-error incomplete point
// at every time of every task, or, when its tasks cannot be read, at every
// sample time of its backfill's series — and counts its tasks as errored
// in its backfill.
func (w *worker) settle(ctx context.Context, s *shardqueue.Shard) error {
	detail := fmt.Sprintf("search shard %d failed after %d attempts: %s", s.ID, s.Attempts, s.LastError)
	var lost []insights.Incomplete
	tasks, err := shardqueue.ReadTasks(ctx, w.env.Bucket, s.ObjectKey)
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if err == nil {
		for _, t := range tasks {
			lost = append(lost, lostTimes(t, detail)...)
		}
	} else if s.Kind == shardqueue.KindBackfill {
		if lost, err = insights.BackfillLostPoints(ctx, w.env.DB, s.BackfillID, fmt.Sprintf("%s; its tasks are unreadable: %v", detail, err)); err != nil {
			return err
		}
	}
	tx, err := w.env.DB.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if ok, err := shardqueue.Settle(ctx, tx, s.ID); err != nil || !ok {
		return err
	}
	if err := insights.IncompleteAdd(ctx, tx, lost); err != nil {
		return err
	}
	if s.Kind == shardqueue.KindBackfill {
		if err := w.countBackfill(ctx, tx, s.BackfillID, s.Tasks, s.Tasks); err != nil {
			return err
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return err
	}
	w.env.Logger.Warn("search shard failed for good; its points are recorded as incomplete", "shard", describe(s), "err", s.LastError)
	w.add("settled", 1)
	w.add("errored", s.Tasks)
	w.add("incomplete", len(lost))
	return nil
}

// countBackfill adds a shard's tasks to its backfill's progress (errored
// ones count as done, and as errored) and finishes the backfill if that
// was its last unfinished shard.
func (w *worker) countBackfill(ctx context.Context, tx pgx.Tx, backfillID int64, tasks, errored int) error {
	if err := insights.BackfillProgressAdd(ctx, tx, backfillID, tasks, errored); err != nil {
		return err
	}
	state, err := insights.BackfillFinish(ctx, tx, backfillID, w.env.Now().UTC())
	if err != nil {
		return err
	}
	if state != "processing" {
		w.env.Logger.Info("backfill finished", "backfill", backfillID, "state", state)
	}
	return nil
}

// finishBackfills finishes the processing backfills that have no
// unfinished shard left.
func (w *worker) finishBackfills(ctx context.Context) error {
	ids, err := insights.BackfillsProcessingList(ctx, w.env.DB)
	if err != nil {
		return err
	}
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, w.env.DB, func(tx pgx.Tx) error {
			_, err := insights.BackfillFinish(ctx, tx, id, w.env.Now().UTC())
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
