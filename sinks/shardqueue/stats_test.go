package shardqueue_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// TestStatsGet counts shards per state, lists empty states as 0, and gives
// the creation time of the oldest shard still queued.
func TestStatsGet(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	st, err := shardqueue.StatsGet(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !st.OldestQueued.IsZero() || st.ByState[shardqueue.StateQueued] != 0 || len(st.ByState) != len(shardqueue.States) {
		t.Fatalf("empty queue: stats %+v, want every state at 0 and no oldest", st)
	}
	first := enqueue(t, db, shardqueue.Shard{ObjectKey: "a"})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "b"})
	enqueue(t, db, shardqueue.Shard{ObjectKey: "c"})
	if _, err := db.Exec(ctx, `UPDATE search_shards SET created_at = created_at - interval '1 hour' WHERE id = $1`, first); err != nil {
		t.Fatal(err)
	}
	claimed := claim(t, db, "w1") // the oldest: same priority and cost, lowest id
	if st, err = shardqueue.StatsGet(ctx, db); err != nil {
		t.Fatal(err)
	}
	want := map[shardqueue.State]int64{"queued": 2, "processing": 1, "completed": 0, "failed": 0}
	if diff := cmp.Diff(want, st.ByState); diff != "" {
		t.Errorf("ByState (-want +got):\n%s", diff)
	}
	if claimed.ID != first {
		t.Fatalf("claimed shard %d, want the first, %d", claimed.ID, first)
	}
	// The oldest queued shard is now one enqueued just above, not the claimed one.
	if age := time.Since(st.OldestQueued); age < 0 || age > 10*time.Minute {
		t.Errorf("OldestQueued %v is %v ago, want a shard enqueued moments ago", st.OldestQueued, age)
	}
}
