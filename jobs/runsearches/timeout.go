package runsearches

import (
	"cmp"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/search"
)

// DefaultTaskTimeout bounds the evaluation of one task (a series over one
// repository's sample commits) when its query has no timeout: filter.
const DefaultTaskTimeout = 10 * time.Minute

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

// taskLimit is how long evaluating a task of a query may take, and where
// that limit comes from. A limit of 0 is none.
type taskLimit struct {
	limit  time.Duration
	source string
}

// taskTimeout is how long evaluating a task of q may take: the query's
// timeout: wins over the job's TaskTimeout.
func (j *Job) taskTimeout(q *search.Query) taskLimit {
	if d := q.RepoFilters().Timeout; d > 0 {
		return taskLimit{d, "the query's timeout:"}
	}
	if j.TaskTimeout < 0 {
		return taskLimit{}
	}
	return taskLimit{cmp.Or(j.TaskTimeout, DefaultTaskTimeout), "the per-task default, --search-timeout"}
}

// budget is the engine.PassQuery budget of a query with this limit (0:
// none): the query's time in its pass, not counting the other queries'
// matching. A query that uses it up fails alone with engine.ErrDeadline.
func (l taskLimit) budget() time.Duration { return max(l.limit, 0) }

// left is the budget of a query evaluated again after it was charged
// spent in an earlier pass: what is left of its limit, at least a
// nanosecond (an exhausted budget, not none).
func (l taskLimit) left(spent time.Duration) time.Duration {
	if l.limit <= 0 {
		return 0
	}
	return max(l.limit-spent, time.Nanosecond)
}

// error is the error of a task of repository repo that ran out of time.
func (l taskLimit) error(repo string) *timeoutError {
	return &timeoutError{repo: repo, limit: l.limit, source: l.source}
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
