package enqueuesnapshots

import (
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// DefaultMaxWait bounds how old a repository's commit index may be for a
// due recording to wait for it: one older than that is not refreshing.
const DefaultMaxWait = 24 * time.Hour

// holdStale postpones p's due recording times from the first one that an
// indexed repository of scope has no complete history for (its commit
// index ends before it): mapping it to the indexed head would be a guess,
// as commits may have landed since. The series stays due at that time and
// p.waiting says why, until index-commits catches up. A repository whose
// index ends more than maxWait before now is not waited for (its sync or
// index is failing): recordable leaves its points incomplete instead.
// Repositories not indexed at all are recorded incomplete at once, as
// before (they may never be).
func (p *plan) holdStale(scope []repos.Repo, now time.Time, maxWait time.Duration) {
	if len(p.recordTimes) == 0 {
		return
	}
	var (
		first  time.Time
		reason string
		stale  int
	)
	for _, r := range scope {
		if r.CommitsIndexedAt == nil || now.Sub(*r.CommitsIndexedThrough) >= maxWait {
			continue
		}
		times := planning.Unindexed(r, p.recordTimes)
		if len(times) == 0 {
			continue
		}
		stale++
		if first.IsZero() || times[0].Before(first) {
			first, reason = times[0], planning.StaleReason(r, times[0])
		}
	}
	if stale == 0 {
		return
	}
	keep := p.recordTimes[:0]
	for _, t := range p.recordTimes {
		if t.Before(first) {
			keep = append(keep, t)
		}
	}
	p.recordTimes, p.nextRecording = keep, first
	p.waiting = fmt.Sprintf("recording at %s waits for %s", first.UTC().Format(time.DateTime), reason)
	if stale > 1 {
		p.waiting += fmt.Sprintf(" and %d more repositories", stale-1)
	}
}

// recordable returns the due recording times r can answer: all of them,
// unless holdStale did not wait for r; the others become incomplete points that
// insights.BackfillRetryIndexed recomputes once r is indexed through them.
func (p *plan) recordable(r repos.Repo) []time.Time {
	stale := planning.Unindexed(r, p.recordTimes)
	if len(stale) == 0 {
		return p.recordTimes
	}
	var out []time.Time
	for _, t := range p.recordTimes {
		if !t.After(*r.CommitsIndexedThrough) {
			out = append(out, t)
		}
	}
	for _, t := range stale {
		p.incomplete = append(p.incomplete, insights.Incomplete{SeriesID: p.series.ID, Time: t, RepoID: r.ID,
			Reason: insights.ReasonRepoError, Detail: insights.NotIndexedThrough(r.Name, *r.CommitsIndexedThrough)})
	}
	return out
}
