package codeintel

import (
	"context"
	"time"

	"github.com/sightline-dev/sightline/sinks/pgstore"
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
	byState, oldest, err := pgstore.StateCounts(ctx, db, "upload queue", `
		SELECT state, count(*), min(coalesce(queued_at, uploaded_at)) FILTER (WHERE state = 'queued')
		FROM lsif_uploads GROUP BY state`, States)
	return UploadsStats{ByState: byState, OldestQueued: oldest}, err
}
