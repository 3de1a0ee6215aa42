package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sync/atomic"
	"time"

	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// PassQuery is one query of a Pass: a series' query, its options and,
// optionally, a time budget.
type PassQuery struct {
	Query *search.Query
	Opts  Opts
	// Budget, when not zero, is how long the query may take in the pass:
	// the pass's time from when it joins the walk (From) less the time
	// spent computing the other queries' values (see budgets). Past it, the query fails alone with an error
	// wrapping ErrDeadline, at the next blob or commit, and the others go
	// on: a slow query does not use up the others' time.
	Budget time.Duration
	// Base, when not nil, is the query's point, with the same Opts, at
	// Base.Commit (an object id): the query continues it, as Incremental
	// does, instead of evaluating the first commit from its tree. Queries
	// with bases at the same commit share the diff to the first commit and
	// the reads of the changed files' old sides. A base that cannot be
	// continued fails the query alone with an error wrapping
	// ErrBaseUnusable: evaluate it again without a Base.
	Base *Point
	// BaseFiles, when not nil, are the values of the files behind Base
	// (PassResult.Files of the pass that computed it): with them the query
	// reads only the new sides of the changed files. Files that do not sum
	// to Base fail the query alone with an error wrapping ErrBaseUnusable.
	BaseFiles *Files
	// FilesAt, when not empty, is one of the commits (an object id or
	// name as given) at which PassResult.Files are wanted: the values of
	// the query's files there, for a later pass to continue from. There
	// are none when the query continues a Base without BaseFiles.
	FilesAt string
	// From is the index of the first of the pass's commits the query is
	// evaluated at: it joins the walk there (from its Base, or from that
	// commit's tree), and its Points before From are zero values. A query
	// whose Base is at the commit before commits[From] continues through
	// the pass's own diff, reading only the changed files' old sides.
	From int
}

// PassResult is one query's outcome in a Pass: a Point per commit, in the
// order given, or the error that ended this query alone (then Points is
// nil).
type PassResult struct {
	Points []Point
	Err    error
	// Spent is the time the query was charged (see PassQuery.Budget).
	Spent time.Duration
	// Files are the values of the query's files at PassQuery.FilesAt, or
	// nil (see FilesAt).
	Files *Files
}

// ErrDeadline is wrapped by the error of a query that used up its
// budget.
var ErrDeadline = errors.New("query ran out of time")

// Pass evaluates every query at each of commits in one history walk: each
// commit's changes are listed once, each changed blob that some query has
// no cached value for is read once from git, and every such query's
// matcher runs over it. Values are cached per query (its fingerprint), as
// by Series. Commits should be in history order, as for Series. The first
// commit's tree is read only when some query has no Base.
//
// A query that fails (a nil query, its budget, an unusable base) fails
// alone, in its PassResult. When every query has a budget, the pass stops
// once they have all used theirs, even in the middle of a move, and fails
// the queries still running with ErrDeadline. Pass returns an error only for what
// fails them all: git, or ctx.
func (e *Engine) Pass(ctx context.Context, repo *gitsource.Repo, queries []PassQuery, commits []string) ([]PassResult, error) {
	if e.Cache == nil {
		e.Cache = NewCache(0)
	}
	p := &pass{repo: repo, queries: slices.Clone(queries), evs: make([]*evaluation, len(queries)),
		results: make([]PassResult, len(queries)), bytesRead: &e.bytesRead, cache: e.Cache, budgets: newBudgets(queries)}
	for k, pq := range queries {
		if pq.Query == nil {
			p.fail(k, fmt.Errorf("query %d of the pass: no query", k))
			continue
		}
		if pq.From < 0 || pq.From >= max(len(commits), 1) {
			p.fail(k, fmt.Errorf("query %d of the pass: from commit %d of %d", k, pq.From, len(commits)))
			continue
		}
		for p.queries[k].From > 0 && commits[p.queries[k].From-1] == commits[p.queries[k].From] {
			p.queries[k].From-- // a commit repeated in a row is one move
		}
		ev := newEvaluation(repo, pq.Query, pq.Opts, e.Cache)
		if pq.Base != nil {
			if err := ev.continueWith(pq.Base, pq.BaseFiles); err != nil {
				p.fail(k, err)
				continue
			}
		}
		p.evs[k] = ev
		p.results[k].Points = make([]Point, len(commits))
	}
	p.groupQueries()
	ctx, stop := p.budgets.watch(ctx)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	wait := p.prefetchDiffs(ctx, commits)
	defer wait() // after cancel: an early return stops the diffs' git
	defer cancel()
	for i, c := range commits {
		if i == 0 || c != commits[i-1] {
			if err := p.moveTo(ctx, i, c); err != nil && !p.outOfTime(ctx, c) {
				return nil, err
			}
		}
		for k, ev := range p.evs {
			if ev != nil && p.queries[k].From <= i {
				p.results[k].Points[i] = ev.totals.point(c)
				if p.queries[k].FilesAt == c && p.results[k].Files == nil {
					p.results[k].Files = ev.filesOf()
				}
			}
		}
	}
	for k := range p.results {
		p.results[k].Spent = p.budgets.charged(k)
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
	bytesRead *atomic.Int64 // bytes of the blobs git sent
	cache     *Cache        // the evaluations' (Engine.Cache)
	budgets   *budgets
	// group finds the live queries' case-insensitive literals together in
	// a blob that several read; literals counts each query's (see
	// newText).
	group    *search.Group
	literals []int
}

// fail ends query k with err.
func (p *pass) fail(k int, err error) {
	p.evs[k] = nil
	p.results[k] = PassResult{Err: err}
	p.budgets.end(k)
}

// outOfTime reports whether the pass's context ended because every query
// used up its budget (see budgets.watch); then it fails every live query
// with ErrDeadline.
func (p *pass) outOfTime(ctx context.Context, commit string) bool {
	if !errors.Is(context.Cause(ctx), errPassDeadline) {
		return false
	}
	for k, ev := range p.evs {
		if ev != nil {
			p.fail(k, p.deadlineError(k, commit))
		}
	}
	return true
}

// live fails the queries that used up their budget and returns the
// others that have joined the walk by commit i.
func (p *pass) live(i int, commit string) []int {
	var out []int
	for k, ev := range p.evs {
		if ev == nil || p.queries[k].From > i {
			continue
		}
		p.budgets.join(k)
		if p.budgets.over(k) {
			p.fail(k, p.deadlineError(k, commit))
			continue
		}
		out = append(out, k)
	}
	return out
}

// moveTo brings every live query from where it stands to commit i: the
// pass's current commit, or, for a query joining the walk, nothing (it
// reads the tree) or its base.
func (p *pass) moveTo(ctx context.Context, i int, commit string) error {
	live := p.live(i, commit)
	changes, err := p.changes(ctx, commit, live)
	if err != nil {
		return err
	}
	if err := p.loadOld(ctx, commit, live, changes); err != nil {
		return err
	}
	todo := make([][]pending, len(p.evs))
	for _, k := range live {
		if ev := p.evs[k]; ev != nil {
			todo[k] = ev.apply(changes[k])
		}
	}
	values, err := p.computeAll(ctx, todo)
	if err != nil {
		return err
	}
	p.failOut(commit)
	for k, files := range todo {
		if p.evs[k] == nil {
			continue
		}
		for i, f := range files {
			p.evs[k].track(f.path, values[k][i])
		}
	}
	p.commit = commit
	return nil
}

// loadOld tracks the old sides of the changed files of the live partial
// queries (see evaluation.oldSide), each blob read once for all of them. A
// query whose old side is missing fails alone.
func (p *pass) loadOld(ctx context.Context, commit string, live []int, changes [][]gitsource.Change) error {
	old := make([][]pending, len(p.evs))
	for _, k := range live {
		if ev := p.evs[k]; ev != nil && ev.partial {
			old[k] = ev.oldSide(changes[k])
		}
	}
	values, err := p.computeAll(ctx, old)
	if err != nil {
		return err
	}
	p.failOut(commit)
	for k, files := range old {
		if len(files) == 0 || p.evs[k] == nil {
			continue
		}
		if err := p.evs[k].trackOld(files, values[k], commit); err != nil {
			p.fail(k, err)
		}
	}
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

// changes lists, for each live query, what differs between where it
// stands and commit: the diff from the pass's current commit, shared by
// all, for the queries already walking and those joining from a base at
// that commit; for other joining queries the whole tree, as additions, or
// the diff from the query's base, shared by the queries with the same
// base. The shared diff is taken on every move, to keep the prefetched
// ones in step.
func (p *pass) changes(ctx context.Context, commit string, live []int) ([][]gitsource.Change, error) {
	out := make([][]gitsource.Change, len(p.evs))
	var shared []gitsource.Change
	if p.commit != "" {
		var err error
		if shared, err = p.next(ctx, commit); err != nil {
			return nil, err
		}
	}
	byStart := map[string][]gitsource.Change{}
	for _, k := range live {
		ev := p.evs[k]
		if ev.joined || p.commit != "" && ev.start == p.commit {
			out[k], ev.joined = shared, true
			continue
		}
		c, ok := byStart[ev.start]
		if !ok {
			var err error
			c, err = p.first(ctx, ev.start, commit)
			if err != nil && ev.start != "" && ctx.Err() == nil {
				// The base's commit cannot be diffed: its queries fail
				// alone and may be evaluated in full.
				p.fail(k, fmt.Errorf("diff from base %s to %s: %w: %w", ev.start, commit, ErrBaseUnusable, err))
				continue
			}
			if err != nil {
				return nil, err
			}
			byStart[ev.start] = c
		}
		out[k], ev.joined = c, true
	}
	return out, nil
}

// first lists the changes of the first move to commit from start: the
// whole tree, as additions, when start is "", else the diff from start.
func (p *pass) first(ctx context.Context, start, commit string) ([]gitsource.Change, error) {
	switch start {
	case "":
	case commit:
		return nil, nil
	default:
		return p.repo.Diff(ctx, start, commit)
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

// next lists what differs between the pass's current commit and commit.
func (p *pass) next(ctx context.Context, commit string) ([]gitsource.Change, error) {
	if p.diffsDone != nil {
		<-p.diffsDone
		if p.diffsErr != nil {
			return nil, p.diffsErr
		}
	}
	if len(p.diffs) > 0 {
		d := p.diffs[0]
		p.diffs = p.diffs[1:]
		return d, nil
	}
	return p.repo.Diff(ctx, p.commit, commit)
}
