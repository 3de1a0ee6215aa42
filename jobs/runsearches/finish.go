package runsearches

import (
	"context"
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// finish stores what s's tasks found and completes s — or, when some
// repositories failed and s has attempts left, stores the rest (so their
// points show at once) and fails s for a retry. Storing stops when work
// ends (the claim was lost). It calls leave once stored, before s is
// completed, failed or released: the heartbeat must no longer renew it.
func (w *worker) finish(ctx, work context.Context, s *shardqueue.Shard, results []taskResult, leave func()) error {
	var (
		failures []error
		answers  []insights.Answer
		states   []insights.AnswerState
		modes    = map[string]int{}
		fallback int
		bytes    int64
		lost     []insights.Incomplete
		errored  int
		timeouts int
		commits  int
	)
	for _, r := range results {
		var timedOut *timeoutError
		switch {
		case errors.As(r.err, &timedOut):
			lost = append(lost, timedOutTimes(r.task, timedOut)...)
			timeouts++
		case r.err != nil && !s.LastAttempt():
			failures = append(failures, r.err)
		case r.err != nil:
			errored++
			detail := fmt.Sprintf("%v (after %d attempts)", r.err, s.Attempts)
			lost = append(lost, lostTimes(r.task, detail)...)
		default:
			answers = append(answers, r.answers...)
			commits += r.commits
			if r.state != nil {
				states = append(states, *r.state)
			}
			modes[r.mode]++
			if r.fallback {
				fallback++
			}
			bytes += r.bytes
		}
	}
	err := w.store(work, s, answers, lost, states)
	leave()
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(work), shardqueue.ErrLost) {
		// Another shard of the group was taken back and work ended: hand
		// s back uncounted, as process does with a group lost while it is
		// evaluated, rather than fail an attempt that did nothing wrong.
		w.releaseAll(ctx, []claim{{shard: s}})
		return nil
	}
	if err != nil {
		return w.fail(ctx, s, err)
	}
	// Counted once stored: an attempt whose load failed stored nothing.
	w.add("commits", commits)
	w.add("timeouts", timeouts)
	w.add(modeIncremental, modes[modeIncremental])
	w.add(modeFull, modes[modeFull])
	w.add(countFallback, fallback)
	w.add("blob_bytes", int(bytes))
	if len(failures) > 0 {
		return w.fail(ctx, s, summarize(failures))
	}
	if err := w.complete(ctx, s, len(results), errored); err != nil {
		if ctx.Err() != nil {
			return w.release(ctx, s)
		}
		return err
	}
	w.add("shards", 1)
	w.add("tasks", len(results))
	w.add("errored", errored)
	return nil
}

// lostTimes are the incomplete points of a task that could not be done.
func lostTimes(t shardqueue.Task, detail string) []insights.Incomplete {
	out := make([]insights.Incomplete, len(t.Times))
	for i, at := range t.Times {
		out[i] = insights.Incomplete{SeriesID: t.SeriesID, Time: at, RepoID: t.RepoID,
			Reason: insights.ReasonRepoError, Detail: detail}
	}
	return out
}

// summarize joins task errors into one shard error of bounded length.
func summarize(errs []error) error {
	const show = 3
	if len(errs) <= show {
		return errors.Join(errs...)
	}
	return fmt.Errorf("%w\n(and %d more repositories)", errors.Join(errs[:show]...), len(errs)-show)
}

// store writes answers, incomplete points and answer states as batches of
// a run of their own — the shard's attempt, so that they can be loaded now — and loads
// them in one transaction: an attempt's results are stored whole or not at
// all. Loading is idempotent: a redone shard upserts the same rows.
func (w *worker) store(ctx context.Context, s *shardqueue.Shard, answers []insights.Answer, lost []insights.Incomplete,
	states []insights.AnswerState) error {
	if len(answers)+len(lost) == 0 {
		return nil
	}
	run := w.env.NewRun(w.env.Bucket, Name, fmt.Sprintf("%s-shard-%d-%d", w.id, s.ID, s.Attempts))
	kind := insights.PointsKind
	if s.Kind == shardqueue.KindSnapshot {
		kind = insights.SnapshotPointsKind
	}
	points := 0
	err := writeBatch(ctx, run, "points", kind, len(answers), func(b *batch.Builder, i int) error {
		for _, v := range answers[i].Values {
			if v != 0 {
				points++
			}
		}
		return insights.AppendAnswer(b, answers[i])
	})
	if err != nil {
		return err
	}
	err = writeBatch(ctx, run, "incomplete", insights.IncompleteKind, len(lost), func(b *batch.Builder, i int) error {
		return insights.AppendIncomplete(b, lost[i])
	})
	if err != nil {
		return err
	}
	err = writeBatch(ctx, run, "states", insights.AnswerStatesKind, len(states), func(b *batch.Builder, i int) error {
		return insights.AppendAnswerState(b, states[i])
	})
	if err != nil {
		return err
	}
	m, err := run.Commit(ctx)
	if err != nil {
		return err
	}
	l := &loader.Loader{DB: w.env.DB, Bucket: w.env.Bucket, Targets: insights.PointTargets(), Logger: w.env.Logger, Atomic: true}
	if _, err := l.LoadRun(ctx, m); err != nil {
		return err
	}
	w.add("answers", len(answers))
	w.add("points", points)
	w.add("incomplete", len(lost))
	return nil
}

func writeBatch(ctx context.Context, run *batch.Run, name string, kind batch.Kind, n int,
	row func(*batch.Builder, int) error) error {
	if n == 0 {
		return nil
	}
	bw, err := run.Create(ctx, name, kind)
	if err != nil {
		return err
	}
	defer bw.Abort(nil)
	for i := range n {
		if err := row(bw.Builder(), i); err != nil {
			return err
		}
	}
	_, err = bw.Close()
	return err
}

// complete marks s completed and, for a backfill shard, counts its tasks
// in the backfill and finishes the backfill after its last shard — all in
// one transaction, so a crash never counts a shard twice.
func (w *worker) complete(ctx context.Context, s *shardqueue.Shard, tasks, errored int) error {
	tx, err := w.env.DB.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	err = shardqueue.Complete(ctx, tx, s.ID, w.id)
	if errors.Is(err, shardqueue.ErrLost) {
		w.add("lost", 1)
		return nil
	}
	if err != nil {
		return err
	}
	if s.Kind == shardqueue.KindBackfill {
		if err := w.countBackfill(ctx, tx, s.BackfillID, tasks, errored); err != nil {
			return err
		}
	}
	return tx.Commit(ctx)
}
