package runsearches

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// DefaultTaskTimeout bounds the evaluation of one task (a series over one
// repository's sample commits) when its query has no timeout: filter.
const DefaultTaskTimeout = 10 * time.Minute

// errTaskDeadline is the cause of a task's context ending at its deadline.
var errTaskDeadline = errors.New("task deadline")

// timeoutError is a task that ran out of time. It is the query's or the
// job's limit, not a fault of the repository, so it is recorded as timeout
// incomplete points at once rather than retried.
type timeoutError struct {
	repo   string
	limit  time.Duration
	source string // which limit: the query's or the job's
}

func (e *timeoutError) Error() string {
	return fmt.Sprintf("repository %s: search ran out of time after %s (%s)", e.repo, e.limit, e.source)
}

// taskTimeout is how long evaluating a task of q may take, and where that
// limit comes from: the query's timeout: wins over the job's TaskTimeout.
// 0 means no limit.
func (j *Job) taskTimeout(q *search.Query) (time.Duration, string) {
	if d := q.RepoFilters().Timeout; d > 0 {
		return d, "the query's timeout:"
	}
	if j.TaskTimeout < 0 {
		return 0, ""
	}
	return cmp.Or(j.TaskTimeout, DefaultTaskTimeout), "the per-task default, --search-timeout"
}

// series evaluates q at commits of g (incrementally when it can, see
// evalSeries) within the task's time limit. Running
// out of time returns a *timeoutError; the run's own cancellation returns
// ctx's error as before.
func (w *worker) series(ctx context.Context, g *gitsource.Repo, res *taskResult, q *search.Query, commits []string, opts engine.Opts) ([]engine.Point, error) {
	limit, source := w.job.taskTimeout(q)
	work := ctx
	if limit > 0 {
		var cancel context.CancelFunc
		work, cancel = context.WithTimeoutCause(ctx, limit, errTaskDeadline)
		defer cancel()
	}
	points, mode, bytes, err := w.evalSeries(work, g, res.task, q, commits, opts)
	res.mode, res.bytes = mode, bytes
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(work), errTaskDeadline) {
		return nil, &timeoutError{repo: opts.RepoName, limit: limit, source: source}
	}
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", opts.RepoName, err)
	}
	return points, nil
}

// timedOutTimes are the timeout incomplete points of a task that ran out
// of time.
func timedOutTimes(t shardqueue.Task, err *timeoutError) []insights.Incomplete {
	out := lostTimes(t, err.Error())
	for i := range out {
		out[i].Reason = insights.ReasonTimeout
	}
	return out
}
