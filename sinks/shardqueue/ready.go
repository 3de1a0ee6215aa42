package shardqueue

import (
	"context"
	"fmt"
)

// ReadyCount returns how many shards are queued and ready now (their
// process_after has passed): what a run starting now has before it, the
// total of its progress report. Shards claimed meanwhile by other workers
// are in it, so it is an estimate once several workers run.
func ReadyCount(ctx context.Context, db DB) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `SELECT count(*) FROM search_shards WHERE state = 'queued' AND process_after <= now()`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count ready shards: %w", err)
	}
	return n, nil
}
