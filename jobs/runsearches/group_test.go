package runsearches_test

import (
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestGroupFinishesUnderHeartbeats has heartbeats beat while a claim
// group's shards are being stored one after the other: a shard already
// completed is no longer held, but that is not a lost claim, so the
// shards after it are still stored and completed on their first attempt.
func TestGroupFinishesUnderHeartbeats(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c", map[string]string{"a.go": "// TODO\n"})
	repo.Commit(day(2, 20), "d", map[string]string{"b.go": "// TODO TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	const n = 6
	for i := range n {
		// Series of their own, each with its backfill's shard.
		e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 4 + i})
	}
	e.run(&planbackfills.Job{})
	c := e.run(&runsearches.Job{HeartbeatInterval: time.Millisecond, Concurrency: 1})
	if c["claims"] != 1 || c["shards"] != n || c["retried"] != 0 || c["lost"] != 0 {
		t.Errorf("counts %v: want %d shards completed in 1 claim, none retried or lost", c, n)
	}
	var attempts int
	if err := e.db.QueryRow(e.ctx, `SELECT max(attempts) FROM search_shards`).Scan(&attempts); err != nil || attempts != 1 {
		t.Errorf("shards took %d attempts (%v), want 1", attempts, err)
	}
}
