package pgstore

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Querier runs a query; pools, connections and transactions are Queriers.
type Querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// StateCounts runs query, which must select (state, count, oldest) rows —
// oldest NULL in every row but the queued one's — and returns the count
// of each of states (0 for a state with no row) and the oldest time (zero
// when none). The work queues' stats (shards, uploads) read this way; what
// names them is the error's prefix.
func StateCounts[S ~string](ctx context.Context, db Querier, what, query string, states []S) (map[S]int64, time.Time, error) {
	counts := make(map[S]int64, len(states))
	for _, s := range states {
		counts[s] = 0
	}
	var oldest time.Time
	rows, err := db.Query(ctx, query)
	if err != nil {
		return counts, oldest, fmt.Errorf("read %s stats: %w", what, err)
	}
	var state S
	var n int64
	var at *time.Time
	_, err = pgx.ForEachRow(rows, []any{&state, &n, &at}, func() error {
		counts[state] = n
		if at != nil {
			oldest = *at
		}
		return nil
	})
	if err != nil {
		return counts, oldest, fmt.Errorf("read %s stats: %w", what, err)
	}
	return counts, oldest, nil
}
