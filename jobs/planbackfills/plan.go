package planbackfills

import (
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

// plan is what one backfill becomes.
type plan struct {
	backfill backfill
	series   insights.Series
	times    []time.Time
	tasks    []shardqueue.Task
	shards   [][]shardqueue.Task
	keys     []string // object key of each shard, once written
	cost     float64
	// total repositories in scope; done: those finished already — with
	// nothing to search (empty, or younger than every sample time) or
	// errored; errored: those that cannot be searched, with their
	// incomplete points.
	total, done, errored int
	incomplete           []insights.Incomplete
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
	c["backfills"]++
	c["shards"] += int64(len(p.shards))
	c["tasks"] += int64(len(p.tasks))
	c["answers"] += int64(p.answers())
	c["commits"] += int64(p.commits())
	c["not_indexed"] += int64(p.errored)
}

// makePlan plans backfill b. A problem with what the user declared is a
// *userError.
func makePlan(ctx context.Context, env *jobs.Env, b backfill, now time.Time) (*plan, error) {
	s, err := insights.SeriesGet(ctx, env.DB, b.SeriesID)
	if err != nil {
		return nil, err
	}
	if s.DeletedAt != nil {
		return nil, &userError{fmt.Sprintf("series %d was deleted before its backfill was planned", s.ID)}
	}
	q, err := Query(s)
	if err != nil {
		return nil, &userError{err.Error()}
	}
	scope, err := insights.ResolveRepos(ctx, env.DB, s)
	if ScopeError(err) {
		return nil, &userError{err.Error()}
	}
	if err != nil {
		return nil, err
	}
	p := &plan{backfill: b, series: s, times: SampleTimes(s, now)}
	for _, r := range scope {
		if !q.MatchRepo(r.Name) {
			continue // the query's repo: filters narrow the scope
		}
		p.total++
		if err := p.addRepo(ctx, env, q, r); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// addRepo plans repository r: a task over the sample times it existed at,
// or incomplete points if it has no commit index yet.
func (p *plan) addRepo(ctx context.Context, env *jobs.Env, q *search.Query, r repos.Repo) error {
	if r.CommitsIndexedAt == nil {
		p.done++
		p.errored++
		for _, t := range p.times {
			p.incomplete = append(p.incomplete, insights.Incomplete{SeriesID: p.series.ID, Time: t, RepoID: r.ID,
				Reason: insights.ReasonRepoError, Detail: NotIndexed(r.Name)})
		}
		return nil
	}
	history, err := LoadHistory(ctx, env.DB, r.ID, p.times)
	if err != nil {
		return err
	}
	task, positions := MapTimes(history, p.times)
	if len(task.Times) == 0 {
		p.done++ // empty, or every sample time predates the first commit
		return nil
	}
	task.SeriesID, task.RepoID = p.series.ID, r.ID
	p.tasks = append(p.tasks, task)
	p.cost += Cost(p.series, q, positions)
	return nil
}

// ScopeError reports whether err, from insights.ResolveRepos, is the
// user's: an unknown repository or a bad repository criteria regexp.
func ScopeError(err error) bool {
	var re *syntax.Error
	return errors.Is(err, repos.ErrNotFound) || errors.As(err, &re)
}

// NotIndexed is the detail of the incomplete points of a repository that
// is not in the commit index.
func NotIndexed(name string) string {
	return fmt.Sprintf("repository %s is not synced and indexed yet: run sync-repos and index-commits", name)
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
