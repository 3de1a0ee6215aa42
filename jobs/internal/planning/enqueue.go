package planning

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// Shard is a shard of search tasks a plan queues: its batch in the job
// run, and its queue row.
type Shard struct {
	// Name names the shard's batch in the job run; unique in the run.
	Name  string
	Tasks []shardqueue.Task
	// Row is the queue row. Kind, BackfillID, Priority, Cost and
	// MaxAttempts are the planner's; WriteShards sets ObjectKey, Tasks and
	// RepoIDs (by which run-searches claims the shards over the same
	// repositories together).
	Row shardqueue.Shard
}

// WriteShards writes each shard's tasks as a batch of run named after the
// shard, sets the shard's object key, task count and repositories, and
// commits run.
// With no shards it writes and commits nothing. Call it before Enqueue:
// a queued shard's tasks must be readable.
func WriteShards(ctx context.Context, run *batch.Run, shards []*Shard) error {
	if len(shards) == 0 {
		return nil
	}
	for _, sh := range shards {
		key, err := shardqueue.WriteTasks(ctx, run, sh.Name, sh.Tasks)
		if err != nil {
			return err
		}
		sh.Row.ObjectKey, sh.Row.Tasks, sh.Row.RepoIDs = key, len(sh.Tasks), repoIDs(sh.Tasks)
	}
	_, err := run.Commit(ctx)
	return err
}

// repoIDs are the distinct repositories of tasks, ascending.
func repoIDs(tasks []shardqueue.Task) []int64 {
	ids := make([]int64, len(tasks))
	for i, t := range tasks {
		ids[i] = t.RepoID
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// EnqueueParams are Enqueue's parameters: one plan of one series.
type EnqueueParams struct {
	SeriesID int64
	// Times are added to the series' axis (sample or recording times).
	Times []time.Time
	// OnConflict says what happens to a time already on the axis. It has
	// no default: each caller says why it picks its value.
	OnConflict insights.TimeConflict
	// Shards are queued; WriteShards has written them.
	Shards []*Shard
	// Before, when set, runs first: it locks what the shards are for and
	// records it. When it returns false the plan is stale (someone else
	// recorded it meanwhile) and nothing else is written.
	Before func(ctx context.Context, tx pgx.Tx) (bool, error)
	// After, when set, runs last, once the shards are queued: it records
	// what depends on them (a backfill's end, a series' next times).
	After func(ctx context.Context, tx pgx.Tx) error
}

// Enqueue records one plan in one transaction: Before, p.Times on the
// series' axis, a queue row for each of p.Shards, then After. All of it
// is committed or none. It returns false, having written nothing, when
// Before found the plan stale.
func Enqueue(ctx context.Context, db *pgxpool.Pool, p EnqueueParams) (bool, error) {
	recorded := false
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) (err error) {
		recorded, err = p.record(ctx, tx)
		return err
	})
	return recorded && err == nil, err
}

// record is Enqueue's transaction.
func (p *EnqueueParams) record(ctx context.Context, tx pgx.Tx) (bool, error) {
	if p.Before != nil {
		if ok, err := p.Before(ctx, tx); err != nil || !ok {
			return false, err
		}
	}
	err := insights.RecordingTimesAdd(ctx, tx, insights.RecordingTimesAddParams{
		SeriesID: p.SeriesID, Times: p.Times, OnConflict: p.OnConflict})
	if err != nil {
		return false, err
	}
	for _, sh := range p.Shards {
		if _, err := shardqueue.Enqueue(ctx, tx, sh.Row); err != nil {
			return false, err
		}
	}
	if p.After != nil {
		if err := p.After(ctx, tx); err != nil {
			return false, err
		}
	}
	return true, nil
}
