package shardqueue_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

func enqueue(t *testing.T, db *pgxpool.Pool, s shardqueue.Shard) int64 {
	t.Helper()
	if s.Kind == "" {
		s.Kind = shardqueue.KindRecording
	}
	if s.Tasks == 0 {
		s.Tasks = 1
	}
	id, err := shardqueue.Enqueue(context.Background(), db, s)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func claim(t *testing.T, db *pgxpool.Pool, worker string, kinds ...shardqueue.Kind) *shardqueue.Shard {
	t.Helper()
	s, err := shardqueue.Claim(context.Background(), db, worker, kinds...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestClaimConcurrentClaimersNeverShare(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	const shards, workers = 120, 8
	for i := range shards {
		enqueue(t, db, shardqueue.Shard{ObjectKey: fmt.Sprint("k", i), Priority: i % 3, Cost: float64(i % 7)})
	}
	var (
		mu      sync.Mutex
		claimed = map[int64]string{}
		wg      sync.WaitGroup
		errs    = make(chan error, workers)
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			worker := fmt.Sprint("w", w)
			for {
				s, err := shardqueue.Claim(ctx, db, worker)
				if err != nil {
					errs <- err
					return
				}
				if s == nil {
					return
				}
				mu.Lock()
				if prev, dup := claimed[s.ID]; dup {
					mu.Unlock()
					errs <- fmt.Errorf("shard %d claimed by %s and %s", s.ID, prev, worker)
					return
				}
				claimed[s.ID] = worker
				mu.Unlock()
				if err := shardqueue.Complete(ctx, db, s.ID, worker); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(claimed) != shards {
		t.Fatalf("%d shards claimed, want %d", len(claimed), shards)
	}
	var left int
	if err := db.QueryRow(ctx, `SELECT count(*) FROM search_shards WHERE state <> 'completed' OR attempts <> 1`).Scan(&left); err != nil {
		t.Fatal(err)
	}
	if left != 0 {
		t.Fatalf("%d shards not completed after exactly one attempt", left)
	}
}

func TestClaimOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	enqueue(t, db, shardqueue.Shard{ObjectKey: "backfill-cheap", Priority: 100, Cost: 1})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "backfill-dear", Priority: 100, Cost: 50})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "backfill-cheap-2", Priority: 100, Cost: 1})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "snapshot", Kind: shardqueue.KindSnapshot, Priority: 10, Cost: 99})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "top", Priority: 0, Cost: 1000})
	later := enqueue(t, db, shardqueue.Shard{ObjectKey: "later", Priority: 0})
	if _, err := db.Exec(ctx, `UPDATE search_shards SET process_after = now() + interval '1 hour' WHERE id = $1`, later); err != nil {
		t.Fatal(err)
	}

	// A claimer of recordings only skips the snapshot.
	if s := claim(t, db, "w", shardqueue.KindRecording); s.ObjectKey != "top" {
		t.Fatalf("first recording claimed = %q, want top", s.ObjectKey)
	}
	var got []string
	for s := claim(t, db, "w"); s != nil; s = claim(t, db, "w") {
		got = append(got, s.ObjectKey)
	}
	want := []string{"snapshot", "backfill-cheap", "backfill-cheap-2", "backfill-dear"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("claim order (-want +got):\n%s", d)
	}
}

func TestFailRetriesThenFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	id := enqueue(t, db, shardqueue.Shard{ObjectKey: "k", MaxAttempts: 2})
	s := claim(t, db, "w")
	if s.Attempts != 1 || s.LastAttempt() {
		t.Fatalf("first claim: attempts %d, last %v", s.Attempts, s.LastAttempt())
	}
	st, err := shardqueue.Fail(ctx, db, shardqueue.FailParams{ID: id, Worker: "w", Cause: errors.New("boom"), RetryAfter: time.Hour})
	if err != nil || st != shardqueue.StateQueued {
		t.Fatalf("fail = %v, %v; want queued", st, err)
	}
	if s := claim(t, db, "w"); s != nil {
		t.Fatalf("claimed %d before its retry delay", s.ID)
	}
	if _, err := db.Exec(ctx, `UPDATE search_shards SET process_after = now()`); err != nil {
		t.Fatal(err)
	}
	s = claim(t, db, "w2")
	if s == nil || s.Attempts != 2 || !s.LastAttempt() || s.LastError != "boom" {
		t.Fatalf("second claim = %+v", s)
	}
	// The first worker no longer holds it.
	if err := shardqueue.HeartbeatGroup(ctx, db, []int64{id}, "w"); !errors.Is(err, shardqueue.ErrLost) {
		t.Fatalf("heartbeat by the old worker = %v, want ErrLost", err)
	}
	if st, err := shardqueue.Fail(ctx, db, shardqueue.FailParams{ID: id, Worker: "w2", Cause: errors.New("boom again")}); err != nil || st != shardqueue.StateFailed {
		t.Fatalf("last fail = %v, %v; want failed", st, err)
	}
	if s := claim(t, db, "w"); s != nil {
		t.Fatalf("claimed failed shard %d", s.ID)
	}
	un, err := shardqueue.Unsettled(ctx, db)
	if err != nil || len(un) != 1 || un[0].ID != id {
		t.Fatalf("unsettled = %v, %v", un, err)
	}
	for want := range []bool{true, false} {
		ok, err := shardqueue.Settle(ctx, db, id)
		if err != nil || ok != (want == 0) {
			t.Fatalf("settle #%d = %v, %v", want+1, ok, err)
		}
	}
	if un, _ := shardqueue.Unsettled(ctx, db); len(un) != 0 {
		t.Fatalf("still unsettled: %v", un)
	}
}

func TestResetStalled(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	fresh := enqueue(t, db, shardqueue.Shard{ObjectKey: "fresh"})
	stale := enqueue(t, db, shardqueue.Shard{ObjectKey: "stale"})
	spent := enqueue(t, db, shardqueue.Shard{ObjectKey: "spent", MaxAttempts: 1})
	for range 3 {
		claim(t, db, "w")
	}
	if _, err := db.Exec(ctx, `UPDATE search_shards SET heartbeat_at = now() - interval '10 minutes' WHERE id <> $1`, fresh); err != nil {
		t.Fatal(err)
	}
	n, err := shardqueue.ResetStalled(ctx, db, time.Minute)
	if err != nil || n != 2 {
		t.Fatalf("reset = %d, %v; want 2", n, err)
	}
	states := map[int64]shardqueue.State{}
	for _, id := range []int64{fresh, stale, spent} {
		s, err := shardqueue.Get(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		states[id] = s.State
	}
	want := map[int64]shardqueue.State{fresh: shardqueue.StateProcessing, stale: shardqueue.StateQueued, spent: shardqueue.StateFailed}
	if d := cmp.Diff(want, states); d != "" {
		t.Fatalf("states after reset (-want +got):\n%s", d)
	}
	// The stalled worker's late completion is refused.
	if err := shardqueue.Complete(ctx, db, stale, "w"); !errors.Is(err, shardqueue.ErrLost) {
		t.Fatalf("complete after reset = %v, want ErrLost", err)
	}
	if s := claim(t, db, "w2"); s == nil || s.ID != stale || s.Attempts != 2 {
		t.Fatalf("reclaim = %+v", s)
	}
}

func TestResetWorkersAndRelease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	a := enqueue(t, db, shardqueue.Shard{ObjectKey: "a"})
	b := enqueue(t, db, shardqueue.Shard{ObjectKey: "b"})
	claim(t, db, "dead")
	claim(t, db, "alive")
	if n, err := shardqueue.ResetWorkers(ctx, db, []string{"dead"}); err != nil || n != 1 {
		t.Fatalf("reset workers = %d, %v", n, err)
	}
	if err := shardqueue.Release(ctx, db, b, "alive"); err != nil {
		t.Fatal(err)
	}
	for id, attempts := range map[int64]int{a: 1, b: 0} {
		s, err := shardqueue.Get(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.State != shardqueue.StateQueued || s.Attempts != attempts {
			t.Errorf("shard %s: %s after %d attempts, want queued after %d", s.ObjectKey, s.State, s.Attempts, attempts)
		}
	}
	if _, err := shardqueue.Get(ctx, db, 999); !errors.Is(err, shardqueue.ErrNotFound) {
		t.Fatalf("get unknown = %v", err)
	}
}

func TestPromotePrioritized(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	var series, raised, other int64
	if err := db.QueryRow(ctx, `INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value)
		VALUES ('k', 'x', 'search', 'all', 'day', 1) RETURNING id`).Scan(&series); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `INSERT INTO backfills (series_id, state, prioritized_at) VALUES ($1, 'processing', now()) RETURNING id`, series).Scan(&raised); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(ctx, `INSERT INTO backfills (series_id, state) VALUES ($1, 'completed') RETURNING id`, series).Scan(&other); err != nil {
		t.Fatal(err)
	}
	running := enqueue(t, db, shardqueue.Shard{Kind: shardqueue.KindBackfill, BackfillID: raised, ObjectKey: "running", Priority: 100})
	claim(t, db, "w")
	queued := enqueue(t, db, shardqueue.Shard{Kind: shardqueue.KindBackfill, BackfillID: raised, ObjectKey: "queued", Priority: 100})
	plain := enqueue(t, db, shardqueue.Shard{Kind: shardqueue.KindBackfill, BackfillID: other, ObjectKey: "plain", Priority: 100})
	if n, err := shardqueue.PromotePrioritized(ctx, db); err != nil || n != 1 {
		t.Fatalf("promote = %d, %v; want 1", n, err)
	}
	for id, want := range map[int64]int{running: 100, queued: shardqueue.PriorityTop, plain: 100} {
		s, err := shardqueue.Get(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		if s.Priority != want {
			t.Errorf("shard %s: priority %d, want %d", s.ObjectKey, s.Priority, want)
		}
	}
}

// TestDeadWorkers finds the workers whose job run is not running: ended
// (failed by the runner after a crash) or never recorded.
func TestDeadWorkers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	if _, err := db.Exec(ctx, `INSERT INTO job_runs (job, run_id, status, started_at)
		VALUES ('run-searches', 'live', 'running', now()), ('run-searches', 'crashed', 'failed', now())`); err != nil {
		t.Fatal(err)
	}
	for i, worker := range []string{"live", "crashed", "crashed", "unknown"} {
		enqueue(t, db, shardqueue.Shard{ObjectKey: fmt.Sprint("k", i)})
		claim(t, db, worker)
	}
	enqueue(t, db, shardqueue.Shard{ObjectKey: "queued"})
	got, err := shardqueue.DeadWorkers(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"crashed", "unknown"}, got, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("DeadWorkers (-want +got):\n%s", d)
	}
}
