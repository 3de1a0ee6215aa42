package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// SeriesDueList returns the ids of the live series with a completed
// backfill that are due a recording or a snapshot at now
// (next_recording_after or next_snapshot_after at or before it), by id.
func SeriesDueList(ctx context.Context, db *pgxpool.Pool, now time.Time) ([]int64, error) {
	rows, err := db.Query(ctx, `
		SELECT id FROM insight_series
		WHERE deleted_at IS NULL AND backfill_completed_at IS NOT NULL
			AND (next_recording_after <= $1 OR next_snapshot_after <= $1)
		ORDER BY id`, now)
	if err != nil {
		return nil, fmt.Errorf("list series due: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list series due: %w", err)
	}
	return ids, nil
}

// SeriesStampParams are SeriesStamp's parameters.
type SeriesStampParams struct {
	SeriesID int64
	// Now is the time of the recording or snapshot that was queued.
	Now time.Time
	// NextRecording, when set, stamps a recording: last_recorded_at
	// becomes Now and next_recording_after NextRecording.
	NextRecording *time.Time
	// RecordingWaiting, with NextRecording, says why the recording due at
	// NextRecording waits (status shows it); "" clears it.
	RecordingWaiting string
	// NextSnapshot, when set, stamps a snapshot: last_snapshot_at becomes
	// Now and next_snapshot_after NextSnapshot.
	NextSnapshot *time.Time
}

// SeriesStamp sets the series' last and next recording and snapshot times,
// in the transaction that queues them; neither set is nothing to do.
func SeriesStamp(ctx context.Context, tx pgx.Tx, p SeriesStampParams) error {
	if p.NextRecording != nil {
		if _, err := tx.Exec(ctx, `UPDATE insight_series SET last_recorded_at = $2, next_recording_after = $3,
			recording_waiting = nullif($4, '') WHERE id = $1`,
			p.SeriesID, p.Now, *p.NextRecording, p.RecordingWaiting); err != nil {
			return fmt.Errorf("stamp series %d: %w", p.SeriesID, err)
		}
	}
	if p.NextSnapshot != nil {
		if _, err := tx.Exec(ctx, `UPDATE insight_series SET last_snapshot_at = $2, next_snapshot_after = $3 WHERE id = $1`,
			p.SeriesID, p.Now, *p.NextSnapshot); err != nil {
			return fmt.Errorf("stamp series %d: %w", p.SeriesID, err)
		}
	}
	return nil
}
