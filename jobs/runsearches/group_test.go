package runsearches_test

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/pipeline/bucket"
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

// stealOnPut takes a shard from the worker, as a run resetting a stalled
// claim would, while the first points batch of the run is written.
type stealOnPut struct {
	bucket.Bucket
	steal func()
	once  sync.Once
}

func (b *stealOnPut) Put(ctx context.Context, key string, r io.Reader) error {
	if strings.HasSuffix(key, "/points.arrow") {
		b.once.Do(b.steal)
	}
	return b.Bucket.Put(ctx, key, r)
}

// TestGroupShardTakenBackWhileStoring takes the last shard of a claim
// group from its worker while the first is being stored: the shards not
// stored yet go back to the queue uncounted, as when a group is lost
// while it is evaluated, and are done again; no attempt of theirs fails.
func TestGroupShardTakenBackWhileStoring(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c", map[string]string{"a.go": "// TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	const n = 4
	for i := range n {
		e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3 + i})
	}
	e.run(&planbackfills.Job{})
	e.r.Bucket = &stealOnPut{Bucket: e.r.Bucket, steal: func() {
		// On the worker's goroutine: t.Error, not t.Fatal.
		if _, err := e.db.Exec(e.ctx, `UPDATE search_shards SET claimed_by = 'another run' WHERE id = (SELECT max(id) FROM search_shards)`); err != nil {
			t.Error(err)
		}
		time.Sleep(100 * time.Millisecond) // for a heartbeat to find it gone
	}}
	c := e.run(&runsearches.Job{HeartbeatInterval: time.Millisecond, Concurrency: 1, RetryAfter: time.Hour})
	if c["retried"] != 0 || c["lost"] == 0 || c["shards"] != n-1 {
		t.Errorf("counts %v: want the %d shards still held done, none retried, the loss counted", c, n-1)
	}
	var failed int
	if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM search_shards WHERE last_error LIKE '%context canceled%'`).Scan(&failed); err != nil || failed != 0 {
		t.Errorf("%d shards failed an attempt for another's loss (%v)", failed, err)
	}
}
