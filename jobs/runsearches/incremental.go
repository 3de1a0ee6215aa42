package runsearches

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// How a task was evaluated, as counted in the run: incremental continued
// the stored answer of its (series, repository) over the files changed
// since; full read the tree of its first commit.
const (
	modeIncremental = "incremental"
	modeFull        = "full"
)

// evalSeries evaluates q at commits in g for task t: incrementally from
// the stored answer state of t's (series, repository) when there is a
// usable one, else in full. It returns the points, the mode, and the bytes
// of blobs git sent.
func (w *worker) evalSeries(ctx context.Context, g *gitsource.Repo, t shardqueue.Task, q *search.Query,
	commits []string, opts engine.Opts) ([]engine.Point, string, int64, error) {
	e := &engine.Engine{Cache: w.cache}
	base, err := w.base(ctx, g, t, engine.StateKey(q, opts), commits)
	if err != nil {
		return nil, "", 0, err
	}
	if base != nil {
		points, err := e.Incremental(ctx, g, q, *base, commits, opts)
		if err == nil {
			return points, modeIncremental, e.BytesRead(), nil
		}
		if !errors.Is(err, engine.ErrBaseUnusable) {
			return nil, "", 0, err
		}
		w.env.Logger.Info("stored answer unusable: evaluating in full", "series", t.SeriesID, "repo", t.RepoID, "err", err)
	}
	points, err := e.Series(ctx, g, q, commits, opts)
	return points, modeFull, e.BytesRead(), err
}

// base returns the stored point t's evaluation can continue from, or nil:
// none stored, stored under another state key (the query, the options or
// the engine changed), or at a commit not on one line of history with the
// task's first commit (the branch was force-pushed, the repository
// replaced).
func (w *worker) base(ctx context.Context, g *gitsource.Repo, t shardqueue.Task, key string, commits []string) (*engine.Point, error) {
	if w.job.NoIncremental || len(commits) == 0 {
		return nil, nil
	}
	st, err := insights.AnswerStateGet(ctx, w.env.DB, t.SeriesID, t.RepoID)
	switch {
	case errors.Is(err, insights.ErrNotFound):
		return nil, nil
	case err != nil:
		return nil, err
	case st.Key != key:
		return nil, nil
	}
	ok, err := g.OnOneLine(ctx, st.Commit, commits[0])
	if err != nil || !ok {
		return nil, err
	}
	var p engine.Point
	if err := json.Unmarshal(st.Point, &p); err != nil || p.Commit != st.Commit {
		// A state this code cannot read is no reason to fail the task.
		w.env.Logger.Warn("stored answer unreadable: evaluating in full", "series", t.SeriesID, "repo", t.RepoID, "err", err)
		return nil, nil
	}
	return &p, nil
}

// answerState is what task t stores for its next evaluation: the point
// of its newest sample time.
func answerState(t shardqueue.Task, key string, byCommit map[string]engine.Point) (*insights.AnswerState, error) {
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
	return &insights.AnswerState{SeriesID: t.SeriesID, RepoID: t.RepoID, Time: t.Times[newest],
		Commit: p.Commit, Key: key, Point: data}, nil
}
