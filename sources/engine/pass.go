package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// PassQuery is one query of a Pass: a series' query, its options and,
// optionally, a deadline.
type PassQuery struct {
	Query *search.Query
	Opts  Opts
	// Deadline, when not zero, is when the query gives up: past it, the
	// query fails alone with an error wrapping ErrDeadline at the next
	// commit, and the others go on.
	Deadline time.Time
}

// PassResult is one query's outcome in a Pass: a Point per commit, in the
// order given, or the error that ended this query alone (then Points is
// nil).
type PassResult struct {
	Points []Point
	Err    error
}

// ErrDeadline is wrapped by the error of a query whose deadline passed.
var ErrDeadline = errors.New("query deadline passed")

// Pass evaluates every query at each of commits in one history walk: each
// commit's changes are listed once, each changed blob that some query has
// no cached value for is read once from git, and every such query's
// matcher runs over it. Values are cached per query (its fingerprint), as
// by Series. Commits should be in history order, as for Series.
//
// A query that fails (a nil query, its deadline) fails alone, in its
// PassResult. Pass returns an error only for what fails them all: git, or
// ctx.
func (e *Engine) Pass(ctx context.Context, repo *gitsource.Repo, queries []PassQuery, commits []string) ([]PassResult, error) {
	if e.Cache == nil {
		e.Cache = NewCache(0)
	}
	p := &pass{repo: repo, queries: queries, evs: make([]*evaluation, len(queries)),
		results: make([]PassResult, len(queries))}
	for k, pq := range queries {
		if pq.Query == nil {
			p.results[k].Err = fmt.Errorf("query %d of the pass: no query", k)
			continue
		}
		p.evs[k] = newEvaluation(repo, pq.Query, pq.Opts, e.Cache)
		p.results[k].Points = make([]Point, len(commits))
	}
	ctx, cancel := context.WithCancel(ctx)
	wait := p.prefetchDiffs(ctx, commits)
	defer wait() // after cancel: an early return stops the diffs' git
	defer cancel()
	for i, c := range commits {
		if i == 0 || c != commits[i-1] {
			if err := p.moveTo(ctx, c); err != nil {
				return nil, err
			}
		}
		for k, ev := range p.evs {
			if ev != nil {
				p.results[k].Points[i] = ev.totals.point(c)
			}
		}
	}
	return p.results, nil
}

// pass is the state of one Pass: the walk's current commit and diffs, and
// an evaluation per live query (nil once it failed).
type pass struct {
	repo    *gitsource.Repo
	queries []PassQuery
	evs     []*evaluation
	results []PassResult
	commit  string
	// diffs are prefetched changes for the next moves, in order, once
	// diffsDone is closed (see prefetchDiffs).
	diffs     [][]gitsource.Change
	diffsErr  error
	diffsDone chan struct{}
}

// fail ends query k with err.
func (p *pass) fail(k int, err error) {
	p.evs[k] = nil
	p.results[k] = PassResult{Err: err}
}

// moveTo brings every live query from the current commit to commit.
func (p *pass) moveTo(ctx context.Context, commit string) error {
	changes, err := p.changes(ctx, commit)
	if err != nil {
		return err
	}
	now := time.Now()
	todo := make([][]pending, len(p.evs))
	for k, ev := range p.evs {
		if ev == nil {
			continue
		}
		if d := p.queries[k].Deadline; !d.IsZero() && now.After(d) {
			p.fail(k, fmt.Errorf("query %q at commit %s: %w (%s)", p.queries[k].Query.String(), commit, ErrDeadline, d.Format(time.RFC3339)))
			continue
		}
		todo[k] = ev.apply(changes)
	}
	if err := p.readAndCompute(ctx, todo); err != nil {
		return err
	}
	p.commit = commit
	return nil
}

// prefetchDiffs starts computing, with one git process, the diffs between
// the consecutive distinct commits moveTo will visit, when they are all
// object ids (diff-tree --stdin takes no revision names); otherwise each
// move diffs on its own. The diffs are computed while the first commit's
// tree is read; the returned function waits for them to be done.
func (p *pass) prefetchDiffs(ctx context.Context, commits []string) (wait func()) {
	var seq []string
	for i, c := range commits {
		if !objectID.MatchString(c) {
			return func() {}
		}
		if i == 0 || c != commits[i-1] {
			seq = append(seq, c)
		}
	}
	done := make(chan struct{})
	p.diffsDone = done
	go func() {
		defer close(done)
		p.diffs, p.diffsErr = p.repo.DiffChain(ctx, seq)
	}()
	return func() { <-done }
}

var objectID = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// changes lists what differs between the current commit and commit: the
// whole tree, as additions, for the first.
func (p *pass) changes(ctx context.Context, commit string) ([]gitsource.Change, error) {
	if p.commit != "" && p.diffsDone != nil {
		<-p.diffsDone
		if p.diffsErr != nil {
			return nil, p.diffsErr
		}
	}
	if p.commit != "" && len(p.diffs) > 0 {
		d := p.diffs[0]
		p.diffs = p.diffs[1:]
		return d, nil
	}
	if p.commit != "" {
		return p.repo.Diff(ctx, p.commit, commit)
	}
	entries, err := p.repo.Tree(ctx, commit)
	if err != nil {
		return nil, err
	}
	changes := make([]gitsource.Change, len(entries))
	for i, e := range entries {
		changes[i] = gitsource.Change{Status: gitsource.Added, Path: e.Path, NewOID: e.OID, NewMode: e.Mode}
	}
	return changes, nil
}
