package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// ViewsDeleteRemoved deletes for good the views removed before before
// (ViewDelete) and returns how many. What hangs off them goes by
// foreign-key cascades.
func ViewsDeleteRemoved(ctx context.Context, db *pgxpool.Pool, before time.Time) (int64, error) {
	return deleteRemoved(ctx, db, `DELETE FROM insight_views WHERE deleted_at < $1`, "views", before)
}

// ViewSeriesDeleteRemoved deletes for good the links of series dropped
// from a view before before and returns how many.
func ViewSeriesDeleteRemoved(ctx context.Context, db *pgxpool.Pool, before time.Time) (int64, error) {
	return deleteRemoved(ctx, db, `DELETE FROM insight_view_series WHERE deleted_at < $1`, "view series", before)
}

// SeriesDeleteRemoved deletes for good the series no live view has shown
// since before and returns how many. Their points, backfills and recording
// times go by foreign-key cascades and the points tables' triggers
// (migration 00007).
func SeriesDeleteRemoved(ctx context.Context, db *pgxpool.Pool, before time.Time) (int64, error) {
	return deleteRemoved(ctx, db, `DELETE FROM insight_series WHERE deleted_at < $1`, "series", before)
}

func deleteRemoved(ctx context.Context, db *pgxpool.Pool, sql, what string, before time.Time) (int64, error) {
	tag, err := db.Exec(ctx, sql, before)
	if err != nil {
		return 0, fmt.Errorf("delete %s removed before %s: %w", what, before.Format(time.RFC3339), err)
	}
	return tag.RowsAffected(), nil
}
