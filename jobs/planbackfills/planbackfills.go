// Package planbackfills is the plan-backfills job: it turns each new
// backfill into search shards. For the backfill's series it resolves the
// repositories, builds the sample times, maps each time to the commit the
// repository's default branch was at then (from the commit index, without
// running git), drops times before a repository's first commit, lets times
// that map to one commit share one evaluation, estimates the cost, writes
// the tasks as Arrow shards under the job run and, in one transaction per
// backfill, queues the shards and marks the backfill processing.
//
// It does not search: jobs/runsearches executes the shards.
package planbackfills

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// Name is the job's registry name.
const Name = "plan-backfills"

// Job plans backfills.
type Job struct {
	// Limits bound each shard; zero values mean shardqueue's defaults.
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
	return "plan new backfills: sample times → commits from the commit index, one search per distinct commit, cost, Arrow shards queued for run-searches"
}

// DefaultSchedule implements jobs.Job: planning is cheap when nothing is
// new, and a new insight's first points should not wait.
func (*Job) DefaultSchedule() string { return "* * * * *" }

// backfill is a row of backfills in state new.
type backfill struct {
	ID          int64
	SeriesID    int64
	Prioritized bool
}

// Run implements jobs.Job.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	counts := jobs.Counts{"backfills": 0, "failed": 0, "shards": 0, "tasks": 0, "answers": 0, "commits": 0, "not_indexed": 0}
	news, err := newBackfills(ctx, env)
	if err != nil || len(news) == 0 {
		return counts, err
	}
	now := env.Now().UTC()
	var plans []*plan
	for _, b := range news {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		p, err := makePlan(ctx, env, b, now)
		var ue *userError
		if errors.As(err, &ue) {
			counts["failed"]++
			env.Logger.Warn("backfill cannot be planned", "backfill", b.ID, "series", b.SeriesID, "err", ue.msg)
			if err := failBackfill(ctx, env, b.ID, ue.msg, now); err != nil {
				return counts, err
			}
			continue
		}
		if err != nil {
			return counts, err
		}
		plans = append(plans, p)
	}
	// Prioritized first, then cheapest: shard ids follow queue order.
	slices.SortStableFunc(plans, func(a, b *plan) int {
		if a.backfill.Prioritized != b.backfill.Prioritized {
			if a.backfill.Prioritized {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.cost, b.cost)
	})
	if err := j.writeShards(ctx, env, plans); err != nil {
		return counts, err
	}
	for _, p := range plans {
		if err := j.enqueue(ctx, env, p, now); err != nil {
			return counts, err
		}
		p.count(counts)
		env.Logger.Info("backfill planned", "backfill", p.backfill.ID, "series", p.series.ID,
			"repos", p.total, "shards", len(p.shards), "answers", p.answers(), "commits", p.commits(), "cost", p.cost)
	}
	return counts, nil
}

func newBackfills(ctx context.Context, env *jobs.Env) ([]backfill, error) {
	rows, err := env.DB.Query(ctx, `
		SELECT id, series_id, prioritized_at IS NOT NULL FROM backfills
		WHERE state = 'new' ORDER BY prioritized_at IS NULL, id`)
	if err != nil {
		return nil, fmt.Errorf("list new backfills: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[backfill])
	if err != nil {
		return nil, fmt.Errorf("list new backfills: %w", err)
	}
	return out, nil
}

// writeShards stores every plan's shards as batches of this run, and
// commits the run.
func (j *Job) writeShards(ctx context.Context, env *jobs.Env, plans []*plan) error {
	run := batch.NewRun(env.Bucket, Name, env.RunID)
	run.NowFunc = env.Now
	n := 0
	for _, p := range plans {
		p.shards = shardqueue.Pack(p.tasks, j.Limits)
		for i, tasks := range p.shards {
			key, err := shardqueue.WriteTasks(ctx, run, fmt.Sprintf("backfill-%d-shard-%d", p.backfill.ID, i), tasks)
			if err != nil {
				return err
			}
			p.keys = append(p.keys, key)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	_, err := run.Commit(ctx)
	return err
}

// enqueue records p in one transaction: the sample times, the shards, the
// incomplete points of repositories that cannot be searched, and the
// backfill's new state. A backfill with nothing to search finishes at once.
func (j *Job) enqueue(ctx context.Context, env *jobs.Env, p *plan, now time.Time) error {
	tx, err := env.DB.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var state string
	if err := tx.QueryRow(ctx, `SELECT state FROM backfills WHERE id = $1 FOR UPDATE`, p.backfill.ID).Scan(&state); err != nil {
		return fmt.Errorf("lock backfill %d: %w", p.backfill.ID, err)
	}
	if state != "new" {
		return nil // planned by someone else meanwhile
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO series_recording_times (series_id, time, snapshot)
		SELECT $1, t, false FROM unnest($2::timestamptz[]) t
		ON CONFLICT (series_id, time) DO NOTHING`, p.series.ID, p.times); err != nil {
		return fmt.Errorf("record sample times of series %d: %w", p.series.ID, err)
	}
	priority := shardqueue.PriorityBackfill
	if p.backfill.Prioritized {
		priority = shardqueue.PriorityTop
	}
	for i, key := range p.keys {
		_, err := shardqueue.Enqueue(ctx, tx, shardqueue.Shard{Kind: shardqueue.KindBackfill, BackfillID: p.backfill.ID,
			ObjectKey: key, Tasks: len(p.shards[i]), Priority: priority, Cost: p.cost, MaxAttempts: j.MaxAttempts})
		if err != nil {
			return err
		}
	}
	if err := insights.IncompleteAdd(ctx, tx, p.incomplete); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		UPDATE backfills SET state = 'processing', estimated_cost = $2, repos_total = $3, repos_done = $4,
			repos_errored = $5, started_at = $6, error = NULL
		WHERE id = $1`, p.backfill.ID, p.cost, p.total, p.done, p.errored, now); err != nil {
		return fmt.Errorf("start backfill %d: %w", p.backfill.ID, err)
	}
	if len(p.keys) == 0 {
		if _, err := insights.BackfillFinish(ctx, tx, p.backfill.ID, now); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}

// failBackfill records a backfill that cannot be planned, with the reason.
func failBackfill(ctx context.Context, env *jobs.Env, id int64, msg string, now time.Time) error {
	_, err := env.DB.Exec(ctx, `
		UPDATE backfills SET state = 'failed', error = $2, finished_at = $3 WHERE id = $1 AND state = 'new'`, id, msg, now)
	if err != nil {
		return fmt.Errorf("fail backfill %d: %w", id, err)
	}
	return nil
}

// userError is a backfill that cannot be planned because of what the user
// declared (bad query, unknown repository): it fails that backfill only.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }
