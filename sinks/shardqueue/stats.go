package shardqueue

import (
	"context"
	"time"

	"github.com/sightline-dev/sightline/sinks/pgstore"
)

// States are every state a shard can be in.
var States = []State{StateQueued, StateProcessing, StateCompleted, StateFailed}

// Stats is the queue at a moment: shards per state (every state listed,
// 0 when none), and when the oldest queued shard was created (zero when
// none is queued).
type Stats struct {
	ByState      map[State]int64
	OldestQueued time.Time
}

// StatsGet reads the queue's Stats in one statement.
func StatsGet(ctx context.Context, db DB) (Stats, error) {
	byState, oldest, err := pgstore.StateCounts(ctx, db, "shard queue", `
		SELECT state, count(*), min(created_at) FILTER (WHERE state = 'queued')
		FROM search_shards GROUP BY state`, States)
	return Stats{ByState: byState, OldestQueued: oldest}, err
}
