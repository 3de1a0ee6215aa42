package runsearches_test

import (
	"testing"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
)

// TestReportsProgress checks the progress log lines of a run: the shards
// ready at its start, then one more done at a time.
func TestReportsProgress(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	alpha, beta := scriptedRepos(t)
	e.addRepo("alpha", alpha.Dir)
	e.addRepo("beta", beta.Dir)
	e.syncAndIndex()
	e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 4})
	e.addSeries(series{query: "func", kind: "search", unit: "week", points: 4})
	e.run(&planbackfills.Job{})
	p := jobstest.CaptureProgress(e.r)
	counts := e.run(&runsearches.Job{})
	if counts["shards"] < 2 {
		t.Fatalf("counts %v: want at least 2 shards", counts)
	}
	p.CheckProgress(t, runsearches.Name, "shards", counts["shards"])
}
