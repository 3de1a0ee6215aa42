package planning

import (
	"fmt"
	"time"

	"github.com/sightline-dev/sightline/sinks/repos"
)

// Unindexed returns the times of times (in order) that r's commit index
// does not reach: every time when r is not indexed, else those after
// r.CommitsIndexedThrough. Mapping such a time to the indexed head would
// be a guess — commits may have landed since — so its point waits for the
// next index run instead.
func Unindexed(r repos.Repo, times []time.Time) []time.Time {
	if r.CommitsIndexedAt == nil || r.CommitsIndexedThrough == nil {
		return times
	}
	var out []time.Time
	for _, t := range times {
		if t.After(*r.CommitsIndexedThrough) {
			out = append(out, t)
		}
	}
	return out
}

// StaleReason says why r cannot answer at time t yet, for a repository
// that is indexed but not through t.
func StaleReason(r repos.Repo, t time.Time) string {
	return fmt.Sprintf("index-commits of %s (its commit index ends at %s, before %s)",
		r.Name, r.CommitsIndexedThrough.UTC().Format(time.DateTime), t.UTC().Format(time.DateTime))
}
