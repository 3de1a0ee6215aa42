package runsearches

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sightline-dev/sightline/jobs"
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
	// commits is the distinct commits evaluated and bytes the blob bytes
	// git sent, both counted on one task of a pass; mode is how the task's
	// series was evaluated (modeIncremental, modeFull), fallback whether
	// that was in full for want of a usable stored answer, state what it
	// stores for the next evaluation.
	commits  int
	bytes    int64
	mode     string
	fallback bool
	state    *insights.AnswerState
	// err is why the repository could not be searched.
	err error
	// gone: the series or repository was deleted; there is nothing to do.
	gone bool
}

// taskRef is a task of a claim group: claim i's task j.
type taskRef struct{ claim, task int }

// evaluate runs the claimed shards' tasks — one engine pass per
// repository over every task of that repository, whatever its shard,
// Concurrency repositories at a time — and returns each claim's results,
// in task order. It stops starting passes once ctx is done.
func (w *worker) evaluate(ctx context.Context, held []claim) [][]taskResult {
	results := make([][]taskResult, len(held))
	for i, c := range held {
		results[i] = make([]taskResult, len(c.tasks))
		for j, t := range c.tasks {
			results[i][j].task = t
		}
	}
	set := func(refs []taskRef, err error) {
		for _, ref := range refs {
			results[ref.claim][ref.task].err = err
		}
	}
	byID, err := repoMap(ctx, w.env)
	groups := byRepo(held)
	if err != nil {
		for _, refs := range groups {
			set(refs, err)
		}
		return results
	}
	sem := make(chan struct{}, cmp.Or(w.job.Concurrency, DefaultConcurrency))
	var wg sync.WaitGroup
	for _, refs := range groups {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			set(refs, ctx.Err())
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			p := &repoPass{w: w, held: held, refs: refs, results: results}
			p.run(ctx, byID)
		}()
	}
	wg.Wait()
	return results
}

// byRepo groups the claims' tasks by repository, in order of first
// appearance.
func byRepo(held []claim) [][]taskRef {
	index := map[int64]int{}
	var groups [][]taskRef
	for i, c := range held {
		for j, t := range c.tasks {
			k, ok := index[t.RepoID]
			if !ok {
				k = len(groups)
				index[t.RepoID] = k
				groups = append(groups, nil)
			}
			groups[k] = append(groups[k], taskRef{i, j})
		}
	}
	return groups
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

// open opens repository r for a pass over commits, once the rate limiter
// lets it.
func (w *worker) open(ctx context.Context, r repos.Repo, commits []string) (*gitsource.Repo, error) {
	if r.GitDir == "" {
		return nil, fmt.Errorf("repository %s is not synced: run sync-repos", r.Name)
	}
	if err := w.wait(ctx, len(commits)); err != nil {
		return nil, err
	}
	// sync-repos recorded the repository's git dir and branch: skip the
	// three git processes of inspecting it again for every pass. One
	// cat-file reader: the job already runs Concurrency passes at once,
	// and a second reader per pass (the engine splits a commit's reads
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
	return g, nil
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
