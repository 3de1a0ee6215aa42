package planning

import (
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/search"
)

// MapTimes maps each of times to the commit history (newest first) was at
// then, with gitsource.CommitAt's semantics: the newest commit committed
// at or before the time. Times before the first commit are dropped. It
// returns the task's times and commits (no series or repository set) and
// each kept time's commit position, counted from the oldest commit of
// history (commitindex.HistoryList may leave older ones out: only the
// differences mean something, as in Cost).
func MapTimes(history []gitsource.Commit, times []time.Time) (shardqueue.Task, []int) {
	var (
		t         shardqueue.Task
		positions []int
	)
	for _, at := range times {
		for i, c := range history {
			if !c.CommittedAt.After(at) {
				t.Times = append(t.Times, at)
				t.Commits = append(t.Commits, c.OID)
				positions = append(positions, len(history)-1-i)
				break
			}
		}
	}
	return t, positions
}

// The cost model orders backfills (cheapest first) and is reported as
// estimated_cost; only its ratios matter. The engine reads a repository's
// whole tree at the first sample commit, then applies the diff between
// consecutive sample commits, whose size grows with the commits between
// them. So a task costs TreeCost plus the commits its sample commits span,
// times a factor for what each changed file costs.
const (
	// TreeCost is a full tree read, in commits' worth of diffs.
	TreeCost = 100
	// LiteralFactor: a literal pattern, found with a prefiltered scan.
	LiteralFactor = 1.0
	// RegexpFactor: a regexp pattern (and capture groups).
	RegexpFactor = 2.0
	// PathFactor: a path-only query (type:path, no pattern) reads no blob.
	PathFactor = 0.2
	// LangFactor: language usage reads and line-counts every file in scope.
	LangFactor = 3.0
)

// Cost estimates a task of series s (query q) whose sample commits have
// positions.
func Cost(s insights.Series, q *search.Query, positions []int) float64 {
	if len(positions) == 0 {
		return 0
	}
	lo, hi := positions[0], positions[0]
	for _, p := range positions {
		lo, hi = min(lo, p), max(hi, p)
	}
	return (TreeCost + float64(hi-lo)) * factor(s, q)
}

func factor(s insights.Series, q *search.Query) float64 {
	if s.Kind == insights.KindLanguageUsage {
		return LangFactor
	}
	if !q.NeedsContent() {
		return PathFactor
	}
	if _, re := q.Pattern(); re {
		return RegexpFactor
	}
	return LiteralFactor
}
