package runsearches

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/engine"
)

// repoPass is one engine pass over one repository: every task of the claim
// group over that repository, each series a query of the pass. A task
// whose series is gone or cannot be searched, or whose query fails in the
// pass, fails alone.
type repoPass struct {
	w       *worker
	held    []claim
	refs    []taskRef
	results [][]taskResult

	queries  []engine.PassQuery
	series   []insights.Series
	keys     []string      // each query's engine.StateKey
	limits   []taskLimit   // each query's time limit
	modes    []string      // how each query was evaluated
	fellBack []bool        // each query's countFallback
	firsts   []taskRef     // each query's first task
	bySeries map[int64]int // query index by series id
	live     []taskRef     // the tasks the pass answers
	queryOf  []int         // query index of each live task
	bytes    int64         // blob bytes git sent the pass
	files    [][]byte      // each query's encoded engine.Files, or nil
}

func (p *repoPass) task(ref taskRef) *taskResult { return &p.results[ref.claim][ref.task] }

// run evaluates the pass and records each task's result.
func (p *repoPass) run(ctx context.Context, byID map[int64]repos.Repo) {
	r, ok := byID[p.task(p.refs[0]).task.RepoID]
	if !ok {
		for _, ref := range p.refs {
			p.task(ref).gone = true
		}
		return
	}
	p.bySeries = map[int64]int{}
	for _, ref := range p.refs {
		p.add(ctx, ref, r)
	}
	if len(p.live) == 0 {
		return
	}
	commits := p.commits()
	res, err := p.search(ctx, r, commits)
	if err != nil {
		for _, ref := range p.live {
			p.task(ref).err = err
		}
		return
	}
	counted := false
	for i, ref := range p.live {
		p.answer(ref, r, p.queryOf[i], res[p.queryOf[i]], commits)
		if tr := p.task(ref); tr.err == nil && !counted {
			// The pass's work, counted once, on a task that is stored.
			tr.commits, tr.bytes, counted = len(commits), p.bytes, true
		}
	}
}

// search opens r and evaluates the pass's queries at commits (see
// evalPass).
func (p *repoPass) search(ctx context.Context, r repos.Repo, commits []string) ([]engine.PassResult, error) {
	g, err := p.w.open(ctx, r, commits)
	if err != nil {
		return nil, err
	}
	defer g.Close()
	res, err := p.evalPass(ctx, g, commits)
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	return res, nil
}

// add adds task ref's series to the pass, once per series, or records why
// the task cannot join it.
func (p *repoPass) add(ctx context.Context, ref taskRef, r repos.Repo) {
	res := p.task(ref)
	if k, ok := p.bySeries[res.task.SeriesID]; ok {
		p.live, p.queryOf = append(p.live, ref), append(p.queryOf, k)
		return
	}
	s, err := insights.SeriesGet(ctx, p.w.env.DB, res.task.SeriesID)
	switch {
	case errors.Is(err, insights.ErrNotFound) || err == nil && s.DeletedAt != nil:
		res.gone = true
		return
	case err != nil:
		res.err = err
		return
	}
	q, err := planning.Query(s)
	if err != nil {
		res.err = err
		return
	}
	k, opts := len(p.queries), p.w.opts(s, r)
	p.bySeries[s.ID] = k
	p.queries = append(p.queries, engine.PassQuery{Query: q, Opts: opts})
	p.series = append(p.series, s)
	p.keys = append(p.keys, engine.StateKey(q, opts))
	p.limits = append(p.limits, p.w.job.taskTimeout(q))
	p.firsts = append(p.firsts, ref)
	p.live, p.queryOf = append(p.live, ref), append(p.queryOf, k)
}

// commits are the distinct commits of the live tasks in the order of
// their sample times: history order, for small diffs between them.
func (p *repoPass) commits() []string {
	type sample struct {
		at     time.Time
		commit string
	}
	var samples []sample
	for _, ref := range p.live {
		t := p.task(ref).task
		for i, at := range t.Times {
			samples = append(samples, sample{at, t.Commits[i]})
		}
	}
	slices.SortStableFunc(samples, func(a, b sample) int { return a.at.Compare(b.at) })
	seen := map[string]bool{}
	var out []string
	for _, s := range samples {
		if !seen[s.commit] {
			seen[s.commit] = true
			out = append(out, s.commit)
		}
	}
	return out
}

// answer records task ref's answers, and the answer state it stores,
// from the result of query k in the pass.
func (p *repoPass) answer(ref taskRef, r repos.Repo, k int, res engine.PassResult, commits []string) {
	tr, s := p.task(ref), p.series[k]
	switch {
	case errors.Is(res.Err, engine.ErrDeadline):
		tr.err = p.limits[k].error(r.Name)
		return
	case res.Err != nil:
		tr.err = fmt.Errorf("repository %s: series %d: %w", r.Name, s.ID, res.Err)
		return
	}
	byCommit := make(map[string]engine.Point, len(commits))
	for i, c := range commits {
		byCommit[c] = res.Points[i]
	}
	t := tr.task
	state, err := answerState(t, p.keys[k], byCommit, p.queries[k].FilesAt, p.files[k])
	if err != nil {
		tr.err = err
		return
	}
	tr.mode, tr.fallback, tr.state = p.modes[k], p.fellBack[k], state
	for i, when := range t.Times {
		pt := byCommit[t.Commits[i]]
		tr.answers = append(tr.answers, insights.Answer{SeriesID: s.ID, RepoID: r.ID, Time: when, Commit: t.Commits[i],
			Values: values(s.Kind, pt), Skipped: skipped(pt)})
	}
}
