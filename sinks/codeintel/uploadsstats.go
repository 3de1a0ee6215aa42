package codeintel

import (
	"context"
	"fmt"
	"time"
)

// UploadsStats is the upload queue at a moment: uploads per state (every
// state listed, 0 when none), and when the oldest queued upload was queued
// (zero when none is queued).
type UploadsStats struct {
	ByState      map[State]int64
	OldestQueued time.Time
}

// UploadsStatsGet reads the upload queue's UploadsStats in one statement.
func UploadsStatsGet(ctx context.Context, db DB) (UploadsStats, error) {
	st := UploadsStats{ByState: make(map[State]int64, len(States))}
	for _, s := range States {
		st.ByState[s] = 0
	}
	rows, err := db.Query(ctx, `
		SELECT state, count(*), min(coalesce(queued_at, uploaded_at)) FILTER (WHERE state = 'queued')
		FROM lsif_uploads GROUP BY state`)
	if err != nil {
		return st, fmt.Errorf("read upload queue stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state State
		var n int64
		var oldest *time.Time
		if err := rows.Scan(&state, &n, &oldest); err != nil {
			return st, fmt.Errorf("read upload queue stats: %w", err)
		}
		st.ByState[state] = n
		if oldest != nil {
			st.OldestQueued = *oldest
		}
	}
	if err := rows.Err(); err != nil {
		return st, fmt.Errorf("read upload queue stats: %w", err)
	}
	return st, nil
}
