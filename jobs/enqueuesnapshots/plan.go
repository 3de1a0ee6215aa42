package enqueuesnapshots

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// plan is what one due series gets.
type plan struct {
	series insights.Series

	recording     bool
	recordTimes   []time.Time // due recording times, oldest first
	nextRecording time.Time
	snapshot      bool
	snapshotAt    time.Time // now, to the second

	shards     []*planning.Shard
	incomplete []insights.Incomplete
	notIndexed int
	// waiting says why due recording times wait (holdStale); "" when none.
	waiting string
}

// addShard adds a shard of kind, at the forward priority, to p.
func (p *plan) addShard(kind shardqueue.Kind, tasks []shardqueue.Task, cost float64, maxAttempts int) {
	name := fmt.Sprintf("series-%d-%s-%d", p.series.ID, kind, len(p.shards))
	p.shards = append(p.shards, &planning.Shard{Name: name, Tasks: tasks, Row: shardqueue.Shard{Kind: kind,
		Priority: shardqueue.PriorityForward, Cost: cost, MaxAttempts: maxAttempts}})
}

func (p *plan) count(c jobs.Counts) {
	c["series"]++
	c["recordings"] += int64(len(p.recordTimes))
	if p.snapshot {
		c["snapshots"]++
	}
	c["shards"] += int64(len(p.shards))
	for _, sh := range p.shards {
		c["tasks"] += int64(len(sh.Tasks))
	}
	c["not_indexed"] += int64(p.notIndexed)
	if p.waiting != "" {
		c["waiting"]++
	}
}

// dueTimes returns s's recording times due at now — its grid from
// next_recording_after on — and the next one after now. A series that
// missed more than NumPoints (the job was off for a long time) gets the
// latest NumPoints, those a chart shows.
func dueTimes(s insights.Series, now time.Time) (due []time.Time, next time.Time) {
	if s.NextRecordingAfter == nil {
		return nil, time.Time{}
	}
	t := s.NextRecordingAfter.UTC()
	for !t.After(now) {
		due = append(due, t)
		t = s.Interval.Next(t)
	}
	if len(due) > s.NumPoints {
		due = due[len(due)-s.NumPoints:]
	}
	return due, t
}

// makePlan plans series id's due recording and snapshot.
func (j *Job) makePlan(ctx context.Context, env *jobs.Env, id int64, now time.Time) (*plan, error) {
	s, err := insights.SeriesGet(ctx, env.DB, id)
	if err != nil {
		return nil, err
	}
	p := &plan{series: s}
	if s.NextRecordingAfter != nil && !s.NextRecordingAfter.After(now) {
		p.recording = true
		p.recordTimes, p.nextRecording = dueTimes(s, now)
	}
	p.snapshot = s.NextSnapshotAfter != nil && !s.NextSnapshotAfter.After(now)
	p.snapshotAt = now.Truncate(time.Second)
	q, scope, err := resolve(ctx, env, s)
	var ue *userError
	if errors.As(err, &ue) {
		// The series can no longer be computed (a listed repository was
		// removed): say so at each time it misses, rather than skip it.
		env.Logger.Warn("series cannot be recorded", "series", s.ID, "err", err)
		for _, t := range p.times() {
			p.incomplete = append(p.incomplete, insights.Incomplete{SeriesID: s.ID, Time: t,
				Reason: insights.ReasonRepoError, Detail: err.Error()})
		}
		return p, nil
	}
	if err != nil {
		return nil, err
	}
	p.holdStale(scope, now, j.maxWait())
	var rec, snap []shardqueue.Task
	var recCost, snapCost float64
	times := p.times()
	for _, r := range scope {
		if r.CommitsIndexedAt == nil {
			p.notIndexed++
			for _, t := range p.times() {
				p.incomplete = append(p.incomplete, insights.Incomplete{SeriesID: s.ID, Time: t, RepoID: r.ID,
					Reason: insights.ReasonRepoError, Detail: insights.NotIndexed(r.Name)})
			}
			continue
		}
		history, err := commitindex.HistoryList(ctx, env.DB, r.ID, times)
		if err != nil {
			return nil, err
		}
		if t, cost, ok := task(s, q, r, history, p.recordable(r)); ok {
			rec, recCost = append(rec, t), recCost+cost
		}
		if p.snapshot {
			if t, cost, ok := task(s, q, r, history, []time.Time{p.snapshotAt}); ok {
				snap, snapCost = append(snap, t), snapCost+cost
			}
		}
	}
	for _, tasks := range shardqueue.Pack(rec, j.Limits) {
		p.addShard(shardqueue.KindRecording, tasks, recCost, j.MaxAttempts)
	}
	if len(snap) > 0 {
		p.addShard(shardqueue.KindSnapshot, snap, snapCost, j.MaxAttempts)
	}
	return p, nil
}

// times are the times p computes: the due recording times and the
// snapshot time.
func (p *plan) times() []time.Time {
	out := append([]time.Time(nil), p.recordTimes...)
	if p.snapshot {
		out = append(out, p.snapshotAt)
	}
	return out
}

// userError is a series that can no longer be computed because of what
// the user declared.
type userError struct{ err error }

func (e *userError) Error() string { return e.err.Error() }

// resolve parses s's query and returns its repositories. A bad query or an
// unknown repository is a *userError.
func resolve(ctx context.Context, env *jobs.Env, s insights.Series) (*search.Query, []repos.Repo, error) {
	q, err := planning.Query(s)
	if err != nil {
		return nil, nil, &userError{err}
	}
	scope, err := insights.ResolveRepos(ctx, env.DB, s)
	if planning.ScopeError(err) {
		return nil, nil, &userError{err}
	}
	if err != nil {
		return nil, nil, err
	}
	out := scope[:0]
	for _, r := range scope {
		if q.MatchRepo(r.Name) {
			out = append(out, r)
		}
	}
	return q, out, nil
}

// task maps times to r's commits; ok is false when r had no commit yet at
// any of them.
func task(s insights.Series, q *search.Query, r repos.Repo, history []gitsource.Commit, times []time.Time) (shardqueue.Task, float64, bool) {
	t, positions := planning.MapTimes(history, times)
	if len(t.Times) == 0 {
		return t, 0, false
	}
	t.SeriesID, t.RepoID = s.ID, r.ID
	return t, planning.Cost(s, q, positions), true
}
