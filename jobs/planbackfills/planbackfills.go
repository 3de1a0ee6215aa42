// Package planbackfills is the plan-backfills job: it turns each new
// backfill into search shards. For the backfill's series it resolves the
// repositories, builds the sample times, maps each time to the commit the
// repository's default branch was at then (from the commit index, without
// running git), drops times before a repository's first commit, lets times
// that map to one commit share one evaluation, estimates the cost, writes
// the tasks as Arrow shards under the job run and, in one transaction per
// backfill, queues the shards and marks the backfill processing.
//
// A repository that is not synced and indexed yet does not make its
// history an error: the backfill plans the repositories that are ready and
// waits for the others (backfill_waiting_repos, with the reason shown by
// status and insights show), planning each on a later run once it is
// indexed, or recording its points as incomplete after MaxWait. A retry
// backfill (insights backfill --retry-incomplete, or queued here for
// repositories indexed after their points were recorded as not indexed)
// plans only the series' repo-error incomplete points. Every backfill is
// planned on its own: one that cannot be planned fails alone, named.
//
// It does not search: jobs/runsearches executes the shards.
package planbackfills

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
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
	// MaxWait is how long a backfill waits for a repository to be synced
	// and indexed; 0 means DefaultMaxWait.
	MaxWait time.Duration
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

// DefaultMaxWait is how long a backfill waits for a repository to be
// synced and indexed before it records that repository's points as
// repo-error incomplete points (which a retry recomputes once it is).
const DefaultMaxWait = 24 * time.Hour

// Run implements jobs.Job. Each backfill is planned on its own: one that
// cannot be planned fails alone, named, and the others go on.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	counts := jobs.Counts{"backfills": 0, "resumed": 0, "retries": 0, "failed": 0, "shards": 0, "tasks": 0,
		"answers": 0, "commits": 0, "not_indexed": 0, "given_up": 0}
	now := env.Now().UTC()
	retried, err := insights.BackfillRetryIndexed(ctx, env.DB, now)
	if err != nil {
		return counts, err
	}
	if len(retried) > 0 {
		env.Logger.Info("retrying the incomplete points of repositories indexed since", "series", retried)
	}
	counts["retries"] = int64(len(retried))
	todo, err := toPlan(ctx, env)
	if err != nil || len(todo) == 0 {
		return counts, err
	}
	var (
		plans []*plan
		errs  []error
	)
	for _, b := range todo {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		p, err := j.makePlan(ctx, env, b, now)
		if err == nil {
			plans = append(plans, p)
			continue
		}
		if err := j.planFailed(ctx, env, b, err, now, counts); err != nil {
			if ctx.Err() != nil {
				return counts, ctx.Err()
			}
			errs = append(errs, err)
		}
	}
	sortPlans(plans)
	if err := j.writeShards(ctx, env, plans); err != nil {
		return counts, err
	}
	for _, p := range plans {
		recorded, err := j.enqueue(ctx, env, p, now)
		if err != nil {
			if ctx.Err() != nil {
				return counts, ctx.Err()
			}
			errs = append(errs, fmt.Errorf("record %s: %w", describe(ctx, env, p.backfill), err))
			continue
		}
		if !recorded {
			continue // planned by someone else meanwhile: theirs to count
		}
		p.count(counts)
		p.log(env)
	}
	return counts, errors.Join(errs...)
}

// toPlan lists the new backfills, then the processing ones that wait for
// repositories.
func toPlan(ctx context.Context, env *jobs.Env) ([]insights.BackfillToPlan, error) {
	news, err := insights.BackfillsNew(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	waiting, err := insights.BackfillsWaiting(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	return append(news, waiting...), nil
}

// planFailed deals with backfill b's planning error: a mistake in what the
// user declared, or data Postgres refuses, fails the backfill (if new) with
// the reason; anything else leaves it for the next run. Either way the
// error is logged with the backfill's insight. It returns the error to
// report, naming the backfill, or nil when the backfill was failed.
func (j *Job) planFailed(ctx context.Context, env *jobs.Env, b insights.BackfillToPlan, err error,
	now time.Time, counts jobs.Counts) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	name := describe(ctx, env, b)
	var ue *userError
	if !errors.As(err, &ue) && !dataError(err) {
		env.Logger.Error("backfill cannot be planned now; it is left for the next run", "backfill", name, "err", err)
		return fmt.Errorf("plan %s: %w", name, err)
	}
	counts["failed"]++
	msg := fmt.Sprintf("%s: %v", name, err)
	env.Logger.Warn("backfill cannot be planned", "backfill", name, "err", err)
	if b.Waiting != nil {
		return fmt.Errorf("plan %s: %w", name, err)
	}
	return insights.BackfillFail(ctx, env.DB, b.ID, msg, now)
}

// dataError reports whether err is Postgres refusing a value (SQLSTATE
// class 22, e.g. a timestamp out of range): retrying will not help.
func dataError(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && strings.HasPrefix(pe.Code, "22")
}

// describe names backfill b for messages: its id, series and the views
// that show the series.
func describe(ctx context.Context, env *jobs.Env, b insights.BackfillToPlan) string {
	s := fmt.Sprintf("backfill %d of series %d", b.ID, b.SeriesID)
	views, err := insights.SeriesViewNames(ctx, env.DB, b.SeriesID)
	if err == nil && len(views) > 0 {
		s += " (insight " + strings.Join(views, ", ") + ")"
	}
	return s
}

// sortPlans puts prioritized plans first, then the cheapest: shard ids
// follow queue order.
func sortPlans(plans []*plan) {
	slices.SortStableFunc(plans, func(a, b *plan) int {
		if a.backfill.Prioritized != b.backfill.Prioritized {
			if a.backfill.Prioritized {
				return -1
			}
			return 1
		}
		return cmp.Compare(a.step.Cost, b.step.Cost)
	})
}

// writeShards packs every plan's tasks into shards and stores them as
// batches of this run, and commits the run.
func (j *Job) writeShards(ctx context.Context, env *jobs.Env, plans []*plan) error {
	var all []*planning.Shard
	for _, p := range plans {
		p.pack(j.Limits, j.MaxAttempts)
		all = append(all, p.shards...)
	}
	run := env.NewRun(env.Bucket, Name, env.RunID)
	return planning.WriteShards(ctx, run, all)
}

// enqueue records p in one transaction: its step (incomplete points,
// waiting repositories, progress), its sample times, its shards, and the
// backfill's end when nothing is left to search or wait for. It returns
// false, having recorded nothing, when the backfill was planned by
// someone else meanwhile.
func (j *Job) enqueue(ctx context.Context, env *jobs.Env, p *plan, now time.Time) (bool, error) {
	return planning.Enqueue(ctx, env.DB, planning.EnqueueParams{
		SeriesID: p.step.SeriesID,
		Times:    p.times,
		// A backfill fills in the axis; it does not change what a time
		// already there is. Its sample times are on the interval's grid,
		// which recordings continue, so a restored series' earlier
		// recording times are the same points and stay as they are (as
		// does an old snapshot's time that falls on the grid).
		OnConflict: insights.KeepTime,
		Shards:     p.shards,
		Before: func(ctx context.Context, tx pgx.Tx) (bool, error) {
			return insights.BackfillRecord(ctx, tx, p.step) // false: planned by someone else meanwhile
		},
		After: func(ctx context.Context, tx pgx.Tx) error {
			_, err := insights.BackfillFinish(ctx, tx, p.backfill.ID, now)
			return err
		},
	})
}

// userError is a backfill that cannot be planned because of what the user
// declared (bad query, unknown repository): it fails that backfill only.
type userError struct{ msg string }

func (e *userError) Error() string { return e.msg }
