package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RecordingWait is a live series whose due recording waits, and why (a
// repository's commit index does not reach the recording's time yet).
type RecordingWait struct {
	SeriesID int64 `json:"series_id"`
	// Views are the live views showing the series, as "VIEW/LABEL".
	Views []string `json:"views"`
	// Due is the recording time that waits.
	Due    time.Time `json:"due"`
	Reason string    `json:"reason"`
}

func recordingWaits(ctx context.Context, tx pgx.Tx) ([]RecordingWait, error) {
	rows, err := tx.Query(ctx, `
		SELECT s.id,
			coalesce((SELECT array_agg(v.unique_id || '/' || vs.label ORDER BY v.unique_id, vs.position)
				FROM insight_view_series vs JOIN insight_views v ON v.id = vs.view_id
				WHERE vs.series_id = s.id AND vs.deleted_at IS NULL AND v.deleted_at IS NULL), '{}'),
			s.next_recording_after, s.recording_waiting
		FROM insight_series s
		WHERE s.deleted_at IS NULL AND s.recording_waiting IS NOT NULL AND s.next_recording_after IS NOT NULL
		ORDER BY s.id`)
	if err != nil {
		return nil, fmt.Errorf("recordings waiting: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (RecordingWait, error) {
		var w RecordingWait
		err := row.Scan(&w.SeriesID, &w.Views, &w.Due, &w.Reason)
		return w, err
	})
}
