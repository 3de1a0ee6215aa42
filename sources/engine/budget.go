package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// budgets is the time accounting of a pass's queries (PassQuery.Budget).
// A query is charged the pass's time but not the other queries' matching:
// the time since the pass started less the time spent computing the other
// queries' values, and never less than its own computing time. One slow
// query in a shared pass thus runs out of time alone; the others are
// charged the walk they share (listing changes, reading blobs, preparing
// each for all the queries: search.Text.SharedTime) and their
// own matching, as if they had had the pass to themselves.
//
// The other queries' computing time is summed over the pass's readers,
// which compute concurrently, so it may exceed the wall time it took:
// a query is then charged less than its share of the walk, never more.
type budgets struct {
	start time.Time
	timed bool            // some query has a budget: computing is timed
	limit []time.Duration // 0: none
	own   []atomic.Int64  // nanoseconds computing each query's values
	total atomic.Int64    // the sum of own
	// out marks the queries found over budget, on any goroutine; ended
	// those that no longer run (failed, or out and failed).
	out, ended []atomic.Bool
}

func newBudgets(queries []PassQuery) *budgets {
	b := &budgets{start: time.Now(), limit: make([]time.Duration, len(queries)),
		own: make([]atomic.Int64, len(queries)), out: make([]atomic.Bool, len(queries)), ended: make([]atomic.Bool, len(queries))}
	for k, q := range queries {
		b.limit[k] = q.Budget
		b.timed = b.timed || q.Budget > 0
	}
	return b
}

// charged is the time query k has used so far.
func (b *budgets) charged(k int) time.Duration {
	own := b.own[k].Load()
	return time.Duration(max(own, int64(time.Since(b.start))-(b.total.Load()-own)))
}

// over reports whether query k has a budget and used it up; it then marks
// the query out.
func (b *budgets) over(k int) bool {
	if b.out[k].Load() {
		return true
	}
	if b.limit[k] <= 0 || b.charged(k) <= b.limit[k] {
		return false
	}
	b.out[k].Store(true)
	return true
}

// begin returns the time query k starts computing a value, when the
// pass's computing is timed.
func (b *budgets) begin() time.Time {
	if !b.timed {
		return time.Time{}
	}
	return time.Now()
}

// computed charges query k the time since began (see begin), less
// shared: the part of it spent preparing the content for every query
// reading it (search.Text.SharedTime), which is the walk's.
func (b *budgets) computed(k int, began time.Time, shared time.Duration) {
	if !b.timed {
		return
	}
	d := max(int64(time.Since(began)-shared), 0)
	b.own[k].Add(d)
	b.total.Add(d)
}

// errPassDeadline is the cause of a pass's context ending once every
// query still running has used up its budget.
var errPassDeadline = errors.New("every query's budget is used up")

// watch cancels the returned context with errPassDeadline once every
// query still running has used up its budget, so that a pass stops even
// in the middle of a move (a huge tree, a huge blob). It does nothing
// when some query has no budget. The returned stop must be called.
func (b *budgets) watch(ctx context.Context) (context.Context, func()) {
	for k, l := range b.limit {
		if l <= 0 && !b.ended[k].Load() {
			return ctx, func() {}
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	done := make(chan struct{})
	go func() {
		for {
			wait := b.untilAllOut()
			if wait <= 0 {
				cancel(errPassDeadline)
				return
			}
			select {
			case <-done:
				return
			case <-time.After(wait):
			}
		}
	}()
	return ctx, func() { close(done); cancel(nil) }
}

// untilAllOut is a lower bound of the time until every query still
// running has used up its budget: a query's charge grows no faster than
// the clock. It is 0 or less when they all have.
func (b *budgets) untilAllOut() time.Duration {
	var wait time.Duration
	for k, l := range b.limit {
		if b.ended[k].Load() || b.over(k) {
			continue
		}
		wait = max(wait, l-b.charged(k)+time.Millisecond)
	}
	return wait
}

// deadlineError is the error of query k, out of time at commit.
func (p *pass) deadlineError(k int, commit string) error {
	return fmt.Errorf("query %q at commit %s: %w (used %s of %s)", p.queries[k].Query.String(), commit, ErrDeadline,
		p.budgets.charged(k).Round(time.Millisecond), p.queries[k].Budget)
}

// failOut fails the live queries found over budget, at commit.
func (p *pass) failOut(commit string) {
	for k, ev := range p.evs {
		if ev != nil && p.budgets.over(k) {
			p.fail(k, p.deadlineError(k, commit))
		}
	}
}
