package runsearches

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/engine"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// taskResult is the outcome of one task.
type taskResult struct {
	task    shardqueue.Task
	answers []insights.Answer
	commits int // distinct commits evaluated
	// mode is how it was evaluated (modeIncremental, modeFull), bytes the
	// blob bytes git sent, state what it stores for the next evaluation.
	mode  string
	bytes int64
	state *insights.AnswerState
	// err is why the repository could not be searched.
	err error
	// gone: the series or repository was deleted; there is nothing to do.
	gone bool
}

// evaluate runs tasks, Concurrency at a time, and returns their results in
// order. It stops starting tasks once ctx is done.
func (w *worker) evaluate(ctx context.Context, tasks []shardqueue.Task) []taskResult {
	results := make([]taskResult, len(tasks))
	byID, err := repoMap(ctx, w.env)
	if err != nil {
		for i, t := range tasks {
			results[i] = taskResult{task: t, err: err}
		}
		return results
	}
	sem := make(chan struct{}, cmp.Or(w.job.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	for i, t := range tasks {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			results[i] = taskResult{task: t, err: ctx.Err()}
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			results[i] = w.evalTask(ctx, t, byID)
		}()
	}
	wg.Wait()
	return results
}

// repoMap returns the registered repositories by id.
func repoMap(ctx context.Context, env *jobs.Env) (map[int64]repos.Repo, error) {
	list, err := repos.List(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]repos.Repo, len(list))
	for _, r := range list {
		byID[r.ID] = r
	}
	return byID, nil
}

// evalTask evaluates one task: its series at each of its times in one
// repository, one engine pass over the distinct commits.
func (w *worker) evalTask(ctx context.Context, t shardqueue.Task, byID map[int64]repos.Repo) taskResult {
	res := taskResult{task: t}
	s, err := insights.SeriesGet(ctx, w.env.DB, t.SeriesID)
	r, ok := byID[t.RepoID]
	switch {
	case errors.Is(err, insights.ErrNotFound) || err == nil && s.DeletedAt != nil || !ok:
		res.gone = true
		return res
	case err != nil:
		res.err = err
		return res
	}
	q, err := planning.Query(s)
	if err != nil {
		res.err = err
		return res
	}
	commits, opts := t.Distinct(), w.opts(s, r)
	points, err := w.search(ctx, r, q, commits, opts, &res)
	if err != nil {
		res.err = err
		return res
	}
	res.commits = len(commits)
	byCommit := make(map[string]engine.Point, len(points))
	for _, p := range points {
		byCommit[p.Commit] = p
	}
	if res.state, err = answerState(t, engine.StateKey(q, opts), byCommit); err != nil {
		res.err = err
		return res
	}
	for i, at := range t.Times {
		p := byCommit[t.Commits[i]]
		res.answers = append(res.answers, insights.Answer{SeriesID: s.ID, RepoID: r.ID, Time: at, Commit: t.Commits[i],
			Values: values(s.Kind, p), Skipped: skipped(p)})
	}
	return res
}

// search opens repository r and evaluates q at commits for res's task,
// noting in res how.
func (w *worker) search(ctx context.Context, r repos.Repo, q *search.Query, commits []string, opts engine.Opts, res *taskResult) ([]engine.Point, error) {
	if r.GitDir == "" {
		return nil, fmt.Errorf("repository %s is not synced: run sync-repos", r.Name)
	}
	if err := w.wait(ctx, len(commits)); err != nil {
		return nil, err
	}
	// sync-repos recorded the repository's git dir and branch: skip the
	// three git processes of inspecting it again for every task. One
	// cat-file reader: the job already runs Concurrency searches at once,
	// and a second reader per task (the engine splits a commit's reads
	// over them) costs a process start that the parallelism does not pay
	// back here.
	dir, err := w.gitDir(ctx, r, commits)
	if err != nil {
		return nil, err
	}
	known := &gitsource.Info{GitDir: dir, DefaultBranch: r.DefaultBranch, Head: r.HeadCommit}
	g, err := gitsource.OpenWith(ctx, dir, gitsource.OpenOpts{Known: known, Readers: 1})
	if err != nil {
		return nil, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	defer g.Close()
	return w.series(ctx, g, res, q, commits, opts)
}

// wait takes n tokens of git work from the rate limiter. It waits until
// ctx ends rather than fail early as rate.Limiter.WaitN does when the wait
// would pass ctx's deadline (--max-runtime): then the run's end hands the
// shard back instead of failing an attempt.
func (w *worker) wait(ctx context.Context, n int) error {
	for n > 0 {
		k := min(n, w.limiter.Burst())
		r := w.limiter.ReserveN(time.Now(), k)
		t := time.NewTimer(r.Delay())
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			r.Cancel()
			return ctx.Err()
		}
		n -= k
	}
	return nil
}

func (w *worker) opts(s insights.Series, r repos.Repo) engine.Opts {
	return engine.Opts{
		Match:    search.MatchOpts{MaxFileSize: w.job.MaxFileSize},
		Langs:    s.Kind == insights.KindLanguageUsage,
		GroupBy:  engine.GroupBy(s.GroupBy),
		RepoName: r.Name,
	}
}

// values is what a series of kind stores from an engine point: every
// captured value, language or group (no cap: reads sort and limit).
func values(kind insights.Kind, p engine.Point) map[string]int64 {
	switch kind {
	case insights.KindCaptureGroup:
		return p.Captures
	case insights.KindGroupBy:
		return p.Groups
	case insights.KindLanguageUsage:
		out := make(map[string]int64, len(p.Langs))
		for lang, lt := range p.Langs {
			out[lang] = lt.Lines
		}
		return out
	}
	return map[string]int64{"": p.Matches}
}

// skipped describes the files a point's value leaves out: too large to
// search, or blobs missing from the object store. Binary files are not an
// undercount — a match count is over text files, as code search defines it
// — so they are not reported.
func skipped(p engine.Point) string {
	var parts []string
	for _, reason := range slices.Sorted(maps.Keys(p.Skipped)) {
		if reason != search.SkipBinary.String() && p.Skipped[reason] > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", reason, p.Skipped[reason]))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	s := strings.Join(parts, " ") + " files not searched"
	if len(p.MissingPaths) > 0 {
		s += "; missing: " + strings.Join(p.MissingPaths, ", ")
	}
	return s
}

// gitDir is where the worker reads r: sync-repos' git dir, or for a URL
// repository with a mirror cache, the worker's own mirror holding the
// newest of commits (they are oldest first).
func (w *worker) gitDir(ctx context.Context, r repos.Repo, commits []string) (string, error) {
	if r.URL == "" || w.job.Mirrors == nil || len(commits) == 0 {
		return r.GitDir, nil
	}
	return w.job.Mirrors.Dir(ctx, r.Name, r.URL, commits[len(commits)-1])
}
