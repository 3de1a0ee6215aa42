package engine

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// budgets is the time accounting of a pass's queries (PassQuery.Budget).
// A query is charged the pass's time from when it joins the walk (the
// pass's start, or its From commit) but not the other queries' matching:
// the time since it joined less the time spent meanwhile computing the
// other queries' values, never less than its own computing time and never
// more than the time since it joined. One slow query in a shared pass thus
// runs out of time alone; the others are charged the walk they share
// (listing changes, reading blobs, preparing each for all the queries:
// search.Text.SharedTime) and their own matching, as if they had
// had the pass to themselves, and a query joining late (a recording
// continuing its answer in a backfill's pass) is not charged the history
// it does not walk. A query's charge stops when it ends.
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
	// joined is, per query, 1 + the nanoseconds from start to when it
	// joined the walk (0: not yet), and before the total when it joined.
	joined, before []atomic.Int64
	// final is the charge of a query that ended.
	final []atomic.Int64
	// out marks the queries found over budget, on any goroutine; ended
	// those that no longer run (failed, or out and failed).
	out, ended []atomic.Bool
}

func newBudgets(queries []PassQuery) *budgets {
	n := len(queries)
	b := &budgets{start: time.Now(), limit: make([]time.Duration, n), own: make([]atomic.Int64, n),
		joined: make([]atomic.Int64, n), before: make([]atomic.Int64, n), final: make([]atomic.Int64, n),
		out: make([]atomic.Bool, n), ended: make([]atomic.Bool, n)}
	for k, q := range queries {
		b.limit[k] = q.Budget
		b.timed = b.timed || q.Budget > 0
		if q.From == 0 {
			b.joined[k].Store(1)
		}
	}
	return b
}

// join records that query k joins the walk now, unless it has already.
func (b *budgets) join(k int) {
	if b.joined[k].Load() != 0 {
		return
	}
	b.before[k].Store(b.total.Load())
	b.joined[k].Store(1 + int64(time.Since(b.start)))
}

// end stops query k's charge where it is.
func (b *budgets) end(k int) {
	if !b.ended[k].Load() {
		b.final[k].Store(int64(b.charged(k)))
		b.ended[k].Store(true)
	}
}

// charged is the time query k has used so far: none before it joined.
func (b *budgets) charged(k int) time.Duration {
	if b.ended[k].Load() {
		return time.Duration(b.final[k].Load())
	}
	at := b.joined[k].Load()
	if at == 0 {
		return 0
	}
	since := int64(time.Since(b.start)) - (at - 1)
	own := b.own[k].Load()
	others := b.total.Load() - b.before[k].Load() - own
	return time.Duration(max(min(since, max(own, since-others)), 0))
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
