package shardqueue

import (
	"context"
	"fmt"
	"time"
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
	st := Stats{ByState: make(map[State]int64, len(States))}
	for _, s := range States {
		st.ByState[s] = 0
	}
	rows, err := db.Query(ctx, `
		SELECT state, count(*), min(created_at) FILTER (WHERE state = 'queued')
		FROM search_shards GROUP BY state`)
	if err != nil {
		return st, fmt.Errorf("read shard queue stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state State
		var n int64
		var oldest *time.Time
		if err := rows.Scan(&state, &n, &oldest); err != nil {
			return st, fmt.Errorf("read shard queue stats: %w", err)
		}
		st.ByState[state] = n
		if oldest != nil {
			st.OldestQueued = *oldest
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("read shard queue stats: %w", err)
	}
	return st, nil
}
