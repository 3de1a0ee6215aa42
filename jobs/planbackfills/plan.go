package planbackfills

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"regexp/syntax"
	"strings"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/repos"
	"github.com/sightline-dev/sightline/sources/search"
)

// plan is what one backfill becomes in this run.
type plan struct {
	backfill insights.BackfillToPlan
	series   insights.Series
	query    *search.Query
	tasks    []shardqueue.Task
	shards   [][]shardqueue.Task
	keys     []string // object key of each shard, once written
	// step is what the run records; its Done counts the repositories
	// finished already — with nothing to search (empty, or younger than
	// every sample time), gone, or given up — and Errored the given up.
	step insights.BackfillStep
	// waits says why each repository of step.Wait is not ready.
	waits   []string
	givenUp int
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
	if err := CheckSampleRange(s); err != nil {
		return nil, &userError{err.Error()}
	}
	if p.query, err = Query(s); err != nil {
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
	if ScopeError(err) {
		return &userError{err.Error()}
	}
	if err != nil {
		return err
	}
	p.step.Times = SampleTimes(p.series, now)
	for _, r := range scope {
		if !p.query.MatchRepo(r.Name) {
			continue // the query's repo: filters narrow the scope
		}
		p.step.Total++
		if err := p.addRepo(ctx, env, r, p.step.Times, 0, 0); err != nil {
			return err
		}
	}
	return nil
}

// addRepo plans repository r at times: a task over the times it existed
// at, once it is indexed. Before that the backfill waits for it, up to
// maxWait (0: the first planning, which always waits); then its points
// are recorded as incomplete. A retry clears the points it recomputes.
func (p *plan) addRepo(ctx context.Context, env *jobs.Env, r repos.Repo, times []time.Time, waited, maxWait time.Duration) error {
	if r.CommitsIndexedAt == nil {
		if maxWait > 0 && waited >= maxWait {
			p.giveUp(r, times, waited)
			return nil
		}
		p.step.Wait = append(p.step.Wait, insights.WaitingRepo{RepoID: r.ID, Times: times})
		p.waits = append(p.waits, waitReason(r))
		return nil
	}
	history, err := LoadHistory(ctx, env.DB, r.ID, times)
	if err != nil {
		return err
	}
	if p.backfill.Retry {
		for _, t := range times {
			p.step.Clear = append(p.step.Clear, insights.Incomplete{SeriesID: p.series.ID, Time: t, RepoID: r.ID})
		}
	}
	task, positions := MapTimes(history, times)
	if len(task.Times) == 0 {
		p.step.Done++ // empty, or every time predates the first commit
		return nil
	}
	task.SeriesID, task.RepoID = p.series.ID, r.ID
	p.tasks = append(p.tasks, task)
	p.step.Cost += Cost(p.series, p.query, positions)
	return nil
}

// giveUp records repository r, not indexed after waiting, as incomplete at
// times; insights.BackfillRetryIndexed retries them once it is indexed.
func (p *plan) giveUp(r repos.Repo, times []time.Time, waited time.Duration) {
	p.step.Done++
	p.step.Errored++
	p.givenUp++
	detail := fmt.Sprintf("%s (the backfill stopped waiting after %s)", insights.NotIndexed(r.Name), waited.Round(time.Minute))
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

// ScopeError reports whether err, from insights.ResolveRepos, is the
// user's: an unknown repository or a bad repository criteria regexp.
func ScopeError(err error) bool {
	var re *syntax.Error
	return errors.Is(err, repos.ErrNotFound) || errors.As(err, &re)
}

// Query parses s's query and checks that it suits s's kind; a
// language-usage series may have none (every file). Errors name the
// series and say what to change.
func Query(s insights.Series) (*search.Query, error) {
	text := s.Query
	if s.Kind == insights.KindLanguageUsage && strings.TrimSpace(text) == "" {
		text = "file:." // every file, as `sightline search langs` without a query
	}
	q, err := search.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("series %d: query %s: %w", s.ID, search.Abbrev(s.Query), err)
	}
	if s.Kind == insights.KindCaptureGroup && !q.HasCaptures() {
		return nil, fmt.Errorf("series %d: query %s is a capture-group series without a capture group: use a regexp pattern (/…/ or patterntype:regexp) with a (group)",
			s.ID, search.Abbrev(s.Query))
	}
	return q, nil
}

// SampleTimes returns the backfill's sample times for series s planned at
// now: s.NumPoints times one interval apart, oldest first, ending at now
// truncated to the interval's unit (the hour; midnight UTC for days;
// Monday midnight UTC for weeks; the first of the month; January 1). The
// reference anchored at the series' creation minute instead; aligning to
// the unit gives every series with the same interval the same x-axis
// whenever it was planned, so a view's series line up, and the forward
// recordings continue on that grid.
func SampleTimes(s insights.Series, now time.Time) []time.Time {
	return s.Interval.SampleTimes(Anchor(s.Interval.Unit, now), s.NumPoints)
}

// Anchor truncates now (in UTC) to the start of its unit.
func Anchor(unit string, now time.Time) time.Time {
	now = now.UTC()
	y, m, d := now.Date()
	switch unit {
	case "hour":
		return now.Truncate(time.Hour)
	case "day":
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	case "week":
		back := (int(now.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
	case "month":
		return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
}
