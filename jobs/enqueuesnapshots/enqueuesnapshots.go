// Package enqueuesnapshots is the enqueue-snapshots job: it keeps series
// current once their backfill is done. A series whose next_recording_after
// has come gets a recording: a point at each due time of its sample grid
// (the backfill's times continued one interval at a time, so the axis stays
// regular; a run that was missed catches up), each in every repository at
// the commit its default branch was at then. A series whose
// next_snapshot_after has come gets a snapshot: its value now, at each
// repository's newest commit, which replaces its previous snapshot when
// loaded. Both become search-task shards at high priority, executed by
// run-searches; the series is stamped (next times) in the transaction that
// queues them.
package enqueuesnapshots

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// Name is the job's registry name.
const Name = "enqueue-snapshots"

// Job enqueues recordings and snapshots.
type Job struct {
	// Limits bound each recording shard; zero values mean shardqueue's
	// defaults. A series' snapshot is one shard, so that it replaces the
	// previous one in one load.
	Limits shardqueue.Limits
	// MaxAttempts is each shard's attempts; 0 means
	// shardqueue.DefaultMaxAttempts.
	MaxAttempts int
}

var _ jobs.Job = (*Job)(nil)

// Name implements jobs.Job.
func (*Job) Name() string { return Name }

// Description implements jobs.Job.
func (*Job) Description() string {
	return "for series due (next_recording_after / next_snapshot_after ≤ now), plan searches at the current head"
}

// DefaultSchedule implements jobs.Job.
func (*Job) DefaultSchedule() string { return "0 * * * *" }

// Run implements jobs.Job.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	counts := jobs.Counts{"series": 0, "recordings": 0, "snapshots": 0, "shards": 0, "tasks": 0, "not_indexed": 0}
	now := env.Now().UTC()
	ids, err := dueSeries(ctx, env, now)
	if err != nil || len(ids) == 0 {
		return counts, err
	}
	var plans []*plan
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		p, err := makePlan(ctx, env, id, now, j.Limits)
		if err != nil {
			return counts, err
		}
		plans = append(plans, p)
	}
	if err := j.writeShards(ctx, env, plans); err != nil {
		return counts, err
	}
	for _, p := range plans {
		if err := j.enqueue(ctx, env, p, now); err != nil {
			return counts, err
		}
		p.count(counts)
	}
	return counts, nil
}

// dueSeries lists the live series with a completed backfill that are due
// a recording or a snapshot.
func dueSeries(ctx context.Context, env *jobs.Env, now time.Time) ([]int64, error) {
	rows, err := env.DB.Query(ctx, `
		SELECT id FROM insight_series
		WHERE deleted_at IS NULL AND backfill_completed_at IS NOT NULL
			AND (next_recording_after <= $1 OR next_snapshot_after <= $1)
		ORDER BY id`, now)
	if err != nil {
		return nil, fmt.Errorf("list series due: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list series due: %w", err)
	}
	return ids, nil
}

// writeShards stores every plan's shards as batches of this run and
// commits the run.
func (j *Job) writeShards(ctx context.Context, env *jobs.Env, plans []*plan) error {
	run := batch.NewRun(env.Bucket, Name, env.RunID)
	run.NowFunc = env.Now
	n := 0
	for _, p := range plans {
		for i := range p.shards {
			sh := &p.shards[i]
			name := fmt.Sprintf("series-%d-%s-%d", p.series.ID, sh.kind, i)
			key, err := shardqueue.WriteTasks(ctx, run, name, sh.tasks)
			if err != nil {
				return err
			}
			sh.key = key
			n++
		}
	}
	if n == 0 {
		return nil
	}
	_, err := run.Commit(ctx)
	return err
}

// enqueue records p in one transaction: the recording times, the shards,
// the incomplete points of repositories that cannot be searched, and the
// series' next times.
func (j *Job) enqueue(ctx context.Context, env *jobs.Env, p *plan, now time.Time) error {
	return pgx.BeginFunc(ctx, env.DB, func(tx pgx.Tx) error {
		if len(p.recordTimes) > 0 {
			if _, err := tx.Exec(ctx, `
				INSERT INTO series_recording_times (series_id, time, snapshot)
				SELECT $1, t, false FROM unnest($2::timestamptz[]) t
				ON CONFLICT (series_id, time) DO UPDATE SET snapshot = false`, p.series.ID, p.recordTimes); err != nil {
				return fmt.Errorf("record recording times of series %d: %w", p.series.ID, err)
			}
		}
		for _, sh := range p.shards {
			_, err := shardqueue.Enqueue(ctx, tx, shardqueue.Shard{Kind: sh.kind, ObjectKey: sh.key, Tasks: len(sh.tasks),
				Priority: shardqueue.PriorityForward, Cost: sh.cost, MaxAttempts: j.MaxAttempts})
			if err != nil {
				return err
			}
		}
		if err := insights.IncompleteAdd(ctx, tx, p.incomplete); err != nil {
			return err
		}
		return stamp(ctx, tx, p, now)
	})
}

// stamp sets the series' next recording and snapshot times.
func stamp(ctx context.Context, tx pgx.Tx, p *plan, now time.Time) error {
	s := p.series
	if p.recording {
		if _, err := tx.Exec(ctx, `UPDATE insight_series SET last_recorded_at = $2, next_recording_after = $3 WHERE id = $1`,
			s.ID, now, p.nextRecording); err != nil {
			return fmt.Errorf("stamp series %d: %w", s.ID, err)
		}
	}
	if p.snapshot {
		if _, err := tx.Exec(ctx, `UPDATE insight_series SET last_snapshot_at = $2, next_snapshot_after = $3 WHERE id = $1`,
			s.ID, now, NextMidnight(now)); err != nil {
			return fmt.Errorf("stamp series %d: %w", s.ID, err)
		}
	}
	return nil
}

// NextMidnight returns the first midnight UTC after t.
func NextMidnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
