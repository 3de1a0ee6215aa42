package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// OldPointsDeleted counts what OldPointsDelete removed.
type OldPointsDeleted struct {
	Points, Incomplete, Times int64
}

// oldPointsSQL deletes, per live series, the points, incomplete points and
// recording times before its cutoff: factor × num_points intervals before
// now, in calendar arithmetic, but never after its num_points-th newest
// recording time, because reads show the last num_points recording times
// however old they are (a series whose recordings stopped keeps them). A
// series with fewer recording times than that keeps everything. Snapshot
// times and their incomplete points are not touched: replaceSnapshots
// keeps one per series.
const oldPointsSQL = `
	WITH w AS (
		SELECT s.id, least(
			@now::timestamptz - ceil(@factor * s.num_points * s.interval_value)::int * ('1 ' || s.interval_unit)::interval,
			coalesce((SELECT r.time FROM series_recording_times r WHERE r.series_id = s.id AND NOT r.snapshot
				ORDER BY r.time DESC OFFSET s.num_points - 1 LIMIT 1), '-infinity')) AS cutoff
		FROM insight_series s WHERE s.deleted_at IS NULL
	),
	p AS (
		DELETE FROM series_points p USING w WHERE p.series_id = w.id AND p.time < w.cutoff RETURNING 1
	),
	i AS (
		DELETE FROM incomplete_points i USING w WHERE i.series_id = w.id AND i.time < w.cutoff
			AND NOT EXISTS (SELECT FROM series_recording_times r WHERE r.series_id = i.series_id AND r.time = i.time AND r.snapshot)
		RETURNING 1
	),
	t AS (
		DELETE FROM series_recording_times r USING w WHERE r.series_id = w.id AND r.time < w.cutoff AND NOT r.snapshot
		RETURNING 1
	)
	SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM i), (SELECT count(*) FROM t)`

// OldPointsDelete deletes every live series' points, incomplete points and
// recording times older than its window, factor (at least 1) times its
// num_points intervals before now, in one statement: a reader sees them all
// or none gone. What a series shows — its last num_points recording times
// and their points — is never deleted, whatever its age, so pruning never
// leaves a gap in a series.
func OldPointsDelete(ctx context.Context, db *pgxpool.Pool, now time.Time, factor float64) (OldPointsDeleted, error) {
	var d OldPointsDeleted
	if factor < 1 {
		return d, fmt.Errorf("delete old points: window factor %g is below 1", factor)
	}
	err := db.QueryRow(ctx, oldPointsSQL, pgx.NamedArgs{"now": now, "factor": factor}).
		Scan(&d.Points, &d.Incomplete, &d.Times)
	if err != nil {
		return OldPointsDeleted{}, fmt.Errorf("delete points older than %g series windows before %s: %w", factor, now.Format(time.RFC3339), err)
	}
	return d, nil
}
