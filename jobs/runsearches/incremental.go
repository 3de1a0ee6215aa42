package runsearches

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

// How a task was evaluated, as counted in the run: incremental continued
// the stored answer of its (series, repository) over the files changed
// since; full read the tree of its first commit. Full tasks that had a
// stored answer which could not be continued (another query or options,
// a force-pushed branch, an answer unusable mid-pass) are also counted as
// fallback, so that a run says when incremental evaluation was given up;
// so are those whose stored answer has no file values (stored before they
// were kept): evaluated in full once, they store them.
const (
	modeIncremental = "incremental"
	modeFull        = "full"
	countFallback   = "fallback"
)

// evalPass evaluates the pass's queries at commits in g, in one engine
// pass, each within its task time limit, and each continuing the stored
// answer state of its (series, repository) when there is a usable one, else
// in full. Queries whose stored answer turns out unusable are evaluated
// again, in full, in a second pass of their own. It notes each query's
// mode and the bytes of blobs git sent.
func (p *repoPass) evalPass(ctx context.Context, g *gitsource.Repo, commits []string) ([]engine.PassResult, error) {
	// The pass's own cache, if any: it goes with the pass (see Job.CacheBytes).
	e := &engine.Engine{Cache: engine.NewCache(p.w.job.passCacheBytes())}
	p.modes = make([]string, len(p.queries))
	p.fellBack = make([]bool, len(p.queries))
	from, newest := p.firstNeeded(commits), p.newestCommits()
	for k := range p.queries {
		// The stored answer must be on one line of history with the
		// commit the query joins the walk at.
		base, files, unusable, err := p.w.base(ctx, g, p.task(p.firsts[k]).task, p.keys[k], commits[from[k]:])
		if err != nil {
			return nil, err
		}
		p.fellBack[k] = unusable
		q := &p.queries[k]
		q.Base, q.BaseFiles, q.From, q.FilesAt = base, files, 0, newest[k]
		q.Budget, p.modes[k] = p.limits[k].budget(), modeFull
		if base != nil {
			q.From, p.modes[k] = from[k], modeIncremental
		}
	}
	res, err := e.Pass(ctx, g, p.queries, commits)
	if err != nil {
		return nil, err
	}
	p.w.add("passes", 1)
	if err := p.again(ctx, e, g, commits, res); err != nil {
		return nil, err
	}
	p.bytes = e.BytesRead()
	return res, p.encodeFiles(res)
}

// newestCommits is, for each query, the commit of its tasks' newest
// sample time: the answer it stores (answerState), whose file values the
// pass must give.
func (p *repoPass) newestCommits() []string {
	newest := make([]string, len(p.queries))
	at := make([]time.Time, len(p.queries))
	for i, ref := range p.live {
		k, t := p.queryOf[i], p.task(ref).task
		for j, when := range t.Times {
			if newest[k] == "" || when.After(at[k]) {
				newest[k], at[k] = t.Commits[j], when
			}
		}
	}
	return newest
}

// encodeFiles encodes each query's file values, once, for the answer
// states of its tasks.
func (p *repoPass) encodeFiles(res []engine.PassResult) error {
	p.files = make([][]byte, len(res))
	for k, r := range res {
		if r.Files == nil {
			continue
		}
		data, err := r.Files.MarshalBinary()
		if err != nil {
			return fmt.Errorf("encode file values of series %d: %w", p.series[k].ID, err)
		}
		p.files[k] = data
	}
	return nil
}

// firstNeeded is, for each query, the index of the first of commits its
// tasks need: where a query continuing a stored answer joins the pass's
// walk (engine.PassQuery.From). A recording continuing its answer then
// moves from the answer's commit to the recording's only, however far
// back the pass's other tasks (a new series' backfill) start; it does not
// walk their history. Queries evaluated in full join at the first commit,
// sharing its tree's reads with the others.
func (p *repoPass) firstNeeded(commits []string) []int {
	at := make(map[string]int, len(commits))
	for i, c := range commits {
		at[c] = i
	}
	from := make([]int, len(p.queries))
	for k := range from {
		from[k] = max(len(commits)-1, 0)
	}
	for i, ref := range p.live {
		k := p.queryOf[i]
		for _, c := range p.task(ref).task.Commits {
			from[k] = min(from[k], at[c])
		}
	}
	return from
}

// again evaluates in full, in one more pass, the queries of res that
// failed because their stored answer was unusable, and puts their results
// in res.
func (p *repoPass) again(ctx context.Context, e *engine.Engine, g *gitsource.Repo, commits []string, res []engine.PassResult) error {
	var redo []int
	var queries []engine.PassQuery
	for k, r := range res {
		if errors.Is(r.Err, engine.ErrBaseUnusable) {
			t := p.task(p.firsts[k]).task
			p.w.env.Logger.Info("stored answer unusable: evaluating in full", "series", t.SeriesID, "repo", t.RepoID, "err", r.Err)
			q := p.queries[k]
			q.Base, q.BaseFiles, q.From, p.modes[k], p.fellBack[k] = nil, nil, 0, modeFull, true
			q.Budget = p.limits[k].left(r.Spent)
			redo, queries = append(redo, k), append(queries, q)
		}
	}
	if len(redo) == 0 {
		return nil
	}
	more, err := e.Pass(ctx, g, queries, commits)
	if err != nil {
		return err
	}
	p.w.add("passes", 1)
	for i, k := range redo {
		res[k] = more[i]
	}
	return nil
}

// base returns the stored point t's evaluation can continue from, with
// its file values, or nil. unusable is set when a point is stored but
// cannot be continued: stored under another state key (the query, the
// options or the engine changed), at a commit not on one line of history
// with the task's first commit (the branch was force-pushed, the
// repository replaced), unreadable, or without file values.
func (w *worker) base(ctx context.Context, g *gitsource.Repo, t shardqueue.Task, key string, commits []string) (p *engine.Point, files *engine.Files, unusable bool, err error) {
	if w.job.NoIncremental || len(commits) == 0 {
		return nil, nil, false, nil
	}
	st, err := insights.AnswerStateGet(ctx, w.env.DB, t.SeriesID, t.RepoID)
	switch {
	case errors.Is(err, insights.ErrNotFound):
		return nil, nil, false, nil
	case err != nil:
		return nil, nil, false, err
	case st.Key != key:
		return nil, nil, true, nil
	}
	ok, err := w.onOneLine(ctx, g, t.RepoID, st.Commit, commits[0])
	if err != nil || !ok {
		return nil, nil, err == nil, err
	}
	p, files, err = decodeState(st)
	if errors.Is(err, errNoFiles) {
		w.env.Logger.Info("stored answer has no file values: evaluating in full once", "series", t.SeriesID, "repo", t.RepoID)
		return nil, nil, true, nil
	}
	if err != nil {
		// A state this code cannot read is no reason to fail the task.
		w.env.Logger.Warn("stored answer unreadable: evaluating in full", "series", t.SeriesID, "repo", t.RepoID, "err", err)
		return nil, nil, true, nil
	}
	return p, files, false, nil
}

// onOneLine reports whether commits a and b of repository repoID are on
// one line of history: both in its commit index (the first-parent line
// the tasks' commits come from), without starting git; else as git says
// (gitsource.Repo.OnOneLine), for a commit the index no longer holds.
func (w *worker) onOneLine(ctx context.Context, g *gitsource.Repo, repoID int64, a, b string) (bool, error) {
	if ok, err := commitindex.Indexed(ctx, w.env.DB, repoID, a, b); err != nil || ok {
		return ok, err
	}
	return g.OnOneLine(ctx, a, b)
}

// errNoFiles: a stored answer has no file values (it was stored before
// they were kept). Evaluated in full once, the answer stores them.
var errNoFiles = errors.New("stored answer has no file values")

// decodeState decodes a stored answer's point and file values.
func decodeState(st insights.AnswerState) (*engine.Point, *engine.Files, error) {
	p := &engine.Point{}
	if err := json.Unmarshal(st.Point, p); err != nil {
		return nil, nil, fmt.Errorf("decode point: %w", err)
	}
	if p.Commit != st.Commit {
		return nil, nil, fmt.Errorf("point of commit %s stored as %s's", p.Commit, st.Commit)
	}
	if st.Files == nil {
		return nil, nil, errNoFiles
	}
	files := &engine.Files{}
	if err := files.UnmarshalBinary(st.Files); err != nil {
		return nil, nil, fmt.Errorf("decode file values: %w", err)
	}
	return p, files, nil
}

// answerState is what task t stores for its next evaluation: the point
// of its newest sample time, with files, the encoded file values of its
// query at filesAt, when that is the point's commit.
func answerState(t shardqueue.Task, key string, byCommit map[string]engine.Point, filesAt string, files []byte) (*insights.AnswerState, error) {
	if len(t.Times) == 0 {
		return nil, nil
	}
	newest := 0
	for i, at := range t.Times {
		if at.After(t.Times[newest]) {
			newest = i
		}
	}
	p := byCommit[t.Commits[newest]]
	data, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode answer of series %d in repository %d: %w", t.SeriesID, t.RepoID, err)
	}
	st := &insights.AnswerState{SeriesID: t.SeriesID, RepoID: t.RepoID, Time: t.Times[newest],
		Commit: p.Commit, Key: key, Point: data}
	if p.Commit == filesAt {
		st.Files = files
	}
	return st, nil
}
