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
	"cmp"
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
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
	// MaxWait bounds how old a repository's commit index may be for a due
	// recording to wait for it to reach the recording's time; 0 means
	// DefaultMaxWait.
	MaxWait time.Duration
}

func (j *Job) maxWait() time.Duration { return cmp.Or(j.MaxWait, DefaultMaxWait) }

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
	counts := jobs.Counts{"series": 0, "recordings": 0, "snapshots": 0, "shards": 0, "tasks": 0, "not_indexed": 0, "waiting": 0}
	now := env.Now().UTC()
	ids, err := insights.SeriesDueList(ctx, env.DB, now)
	if err != nil || len(ids) == 0 {
		return counts, err
	}
	var plans []*plan
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		p, err := j.makePlan(ctx, env, id, now)
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

// writeShards stores every plan's shards as batches of this run and
// commits the run.
func (j *Job) writeShards(ctx context.Context, env *jobs.Env, plans []*plan) error {
	var all []*planning.Shard
	for _, p := range plans {
		all = append(all, p.shards...)
	}
	run := env.NewRun(env.Bucket, Name, env.RunID)
	return planning.WriteShards(ctx, run, all)
}

// enqueue records p in one transaction: the recording times, the shards,
// the incomplete points of repositories that cannot be searched, and the
// series' next times.
func (j *Job) enqueue(ctx context.Context, env *jobs.Env, p *plan, now time.Time) error {
	_, err := planning.Enqueue(ctx, env.DB, planning.EnqueueParams{
		SeriesID: p.series.ID,
		Times:    p.recordTimes,
		// A recording time is permanent. The series' current snapshot
		// may have been taken at exactly a time now due (a snapshot is at
		// now to the second, which can fall on the interval's grid: a run
		// at midnight, a clock set with --now). That time becomes a
		// recording time, so that the next snapshot, which takes the
		// previous snapshot's time off the axis, leaves it there.
		OnConflict: insights.RecordTime,
		Shards:     p.shards,
		After: func(ctx context.Context, tx pgx.Tx) error {
			if err := insights.IncompleteAdd(ctx, tx, p.incomplete); err != nil {
				return err
			}
			return insights.SeriesStamp(ctx, tx, p.stamp(now))
		},
	})
	return err
}

// stamp is the series' next recording and snapshot times.
func (p *plan) stamp(now time.Time) insights.SeriesStampParams {
	sp := insights.SeriesStampParams{SeriesID: p.series.ID, Now: now}
	if p.recording {
		sp.NextRecording = &p.nextRecording
		sp.RecordingWaiting = p.waiting
	}
	if p.snapshot {
		next := NextMidnight(now)
		sp.NextSnapshot = &next
	}
	return sp
}

// NextMidnight returns the first midnight UTC after t.
func NextMidnight(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}
