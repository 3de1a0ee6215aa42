package planbackfills

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/search"
)

// plan is what one backfill becomes in this run.
type plan struct {
	backfill insights.BackfillToPlan
	series   insights.Series
	query    *search.Query
	tasks    []shardqueue.Task
	shards   []*planning.Shard
	// times are the sample times a first step adds to the series' axis.
	times []time.Time
	// step is what the run records; its Done counts the repositories
	// finished already — with nothing to search (empty, or younger than
	// every sample time), gone, or given up — and Errored the given up.
	step insights.BackfillStep
	// waits says why each repository of step.Wait is not ready.
	waits   []string
	givenUp int
}

// pack splits p's tasks into shards within limits, each with its queue
// row: prioritized backfills first.
func (p *plan) pack(limits shardqueue.Limits, maxAttempts int) {
	priority := shardqueue.PriorityBackfill
	if p.backfill.Prioritized {
		priority = shardqueue.PriorityTop
	}
	for i, tasks := range shardqueue.Pack(p.tasks, limits) {
		p.shards = append(p.shards, &planning.Shard{Name: fmt.Sprintf("backfill-%d-shard-%d", p.backfill.ID, i), Tasks: tasks,
			Row: shardqueue.Shard{Kind: shardqueue.KindBackfill, BackfillID: p.backfill.ID, Priority: priority,
				Cost: p.step.Cost, MaxAttempts: maxAttempts}})
	}
}

func (p *plan) answers() (n int) {
	for _, t := range p.tasks {
		n += len(t.Times)
	}
	return n
}

func (p *plan) commits() (n int) {
	for _, t := range p.tasks {
		n += len(t.Distinct())
	}
	return n
}

func (p *plan) count(c jobs.Counts) {
	if p.step.First {
		c["backfills"]++
	} else if len(p.step.Resolved) > 0 {
		c["resumed"]++
	}
	c["shards"] += int64(len(p.shards))
	c["tasks"] += int64(len(p.tasks))
	c["answers"] += int64(p.answers())
	c["commits"] += int64(p.commits())
	c["not_indexed"] += int64(len(p.step.Wait))
	c["given_up"] += int64(p.givenUp)
}

func (p *plan) log(env *jobs.Env) {
	if !p.step.First && len(p.step.Resolved) == 0 {
		return // still waiting for the same repositories
	}
	env.Logger.Info("backfill planned", "backfill", p.backfill.ID, "series", p.series.ID, "retry", p.backfill.Retry,
		"first", p.step.First, "repos", p.step.Total, "shards", len(p.shards), "answers", p.answers(),
		"commits", p.commits(), "cost", p.step.Cost, "waiting", p.step.Waiting)
}

// makePlan plans backfill b: a new one in full, a new retry over the
// series' repo-error points, or the waiting part of a processing one. A
// problem with what the user declared is a *userError.
func (j *Job) makePlan(ctx context.Context, env *jobs.Env, b insights.BackfillToPlan, now time.Time) (*plan, error) {
	p := &plan{backfill: b, step: insights.BackfillStep{ID: b.ID, SeriesID: b.SeriesID, First: b.Waiting == nil, Now: now}}
	s, err := insights.SeriesGet(ctx, env.DB, b.SeriesID)
	if err != nil {
		return nil, err
	}
	p.series = s
	if s.DeletedAt != nil {
		if !p.step.First {
			p.dropWaiting() // nothing to compute any more
			return p, nil
		}
		return nil, &userError{fmt.Sprintf("series %d was deleted before its backfill was planned", s.ID)}
	}
	if err := planning.CheckSampleRange(s); err != nil {
		return nil, &userError{err.Error()}
	}
	if p.query, err = planning.Query(s); err != nil {
		return nil, &userError{err.Error()}
	}
	byID, err := repoMap(ctx, env)
	if err != nil {
		return nil, err
	}
	switch {
	case !p.step.First:
		err = p.resume(ctx, env, byID, j.maxWait())
	case b.Retry:
		err = p.retry(ctx, env)
	default:
		err = p.full(ctx, env, now)
	}
	if err != nil {
		return nil, err
	}
	p.step.Waiting = waitingText(p.waits)
	return p, nil
}

func (j *Job) maxWait() time.Duration { return cmp.Or(j.MaxWait, DefaultMaxWait) }

// full plans every repository in scope at the series' sample times.
func (p *plan) full(ctx context.Context, env *jobs.Env, now time.Time) error {
	scope, err := insights.ResolveRepos(ctx, env.DB, p.series)
	if planning.ScopeError(err) {
		return &userError{err.Error()}
	}
	if err != nil {
		return err
	}
	p.times = planning.SampleTimes(p.series, now)
	for _, r := range scope {
		if !p.query.MatchRepo(r.Name) {
			continue // the query's repo: filters narrow the scope
		}
		p.step.Total++
		if err := p.addRepo(ctx, env, r, p.times, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// addRepo plans repository r at times: a task over the times it existed
// at, once it is indexed through the last of them (a sample time after
// what the index knows is not mapped to the old head). Before that the
// backfill waits for it, up to
// maxWait (0: the first planning, which always waits); then its points
// are recorded as incomplete. A retry clears the points it recomputes.
func (p *plan) addRepo(ctx context.Context, env *jobs.Env, r repos.Repo, times []time.Time, waited, maxWait time.Duration) error {
	if stale := planning.Unindexed(r, times); len(stale) > 0 {
		if maxWait > 0 && waited >= maxWait {
			p.giveUp(r, times, waited)
			return nil
		}
		p.step.Wait = append(p.step.Wait, insights.WaitingRepo{RepoID: r.ID, Times: times})
		p.waits = append(p.waits, waitReason(r, stale[len(stale)-1]))
		return nil
	}
	history, err := commitindex.HistoryList(ctx, env.DB, r.ID, times)
	if err != nil {
		return err
	}
	if p.backfill.Retry {
		for _, t := range times {
			p.step.Clear = append(p.step.Clear, insights.Incomplete{SeriesID: p.series.ID, Time: t, RepoID: r.ID})
		}
	}
	task, positions := planning.MapTimes(history, times)
	if len(task.Times) == 0 {
		p.step.Done++ // empty, or every time predates the first commit
		return nil
	}
	task.SeriesID, task.RepoID = p.series.ID, r.ID
	p.tasks = append(p.tasks, task)
	p.step.Cost += planning.Cost(p.series, p.query, positions)
	return nil
}

// giveUp records repository r, not indexed after waiting, as incomplete at
// times; insights.BackfillRetryIndexed retries them once it is indexed.
func (p *plan) giveUp(r repos.Repo, times []time.Time, waited time.Duration) {
	p.step.Done++
	p.step.Errored++
	p.givenUp++
	why := insights.NotIndexed(r.Name)
	if r.CommitsIndexedThrough != nil {
		why = insights.NotIndexedThrough(r.Name, *r.CommitsIndexedThrough)
	}
	detail := fmt.Sprintf("%s (the backfill stopped waiting after %s)", why, waited.Round(time.Minute))
	for _, t := range times {
		p.step.Incomplete = append(p.step.Incomplete, insights.Incomplete{SeriesID: p.series.ID, Time: t, RepoID: r.ID,
			Reason: insights.ReasonRepoError, Detail: detail})
	}
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
