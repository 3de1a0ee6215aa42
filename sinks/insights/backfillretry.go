package insights

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// notIndexedMark is the part of NotIndexed's text that
// BackfillRetryIndexed looks for.
const notIndexedMark = "is not synced and indexed yet"

// NotIndexed is the detail of the repo-error points of a repository that
// was not in the commit index when they were due. Once it is,
// BackfillRetryIndexed recomputes them.
func NotIndexed(name string) string {
	return fmt.Sprintf("repository %s %s: run sync-repos and index-commits", name, notIndexedMark)
}

// NotIndexedThrough is NotIndexed for a repository whose commit index ends
// at through, before the points' time. Once it is indexed through their
// time, BackfillRetryIndexed recomputes them.
func NotIndexedThrough(name string, through time.Time) string {
	return fmt.Sprintf("repository %s %s through this time (its commit index ends at %s): run sync-repos and index-commits",
		name, notIndexedMark, through.UTC().Format(time.DateTime))
}

// RetryPoints returns the repo-error incomplete points of series id at its
// sample and recording times (not snapshots, which the next snapshot
// replaces anyway), by time and repository: what a retry backfill
// recomputes.
func RetryPoints(ctx context.Context, db *pgxpool.Pool, seriesID int64) ([]Incomplete, error) {
	rows, err := db.Query(ctx, `
		SELECT i.series_id, i.time, coalesce(i.repo_id, 0), i.reason, i.detail FROM incomplete_points i
		JOIN series_recording_times t ON t.series_id = i.series_id AND t.time = i.time AND NOT t.snapshot
		WHERE i.series_id = $1 AND i.reason = 'repo-error'
		ORDER BY i.time, i.repo_id NULLS FIRST`, seriesID)
	if err != nil {
		return nil, fmt.Errorf("incomplete points of series %d to retry: %w", seriesID, err)
	}
	out, err := pgx.CollectRows(rows, scanIncomplete)
	if err != nil {
		return nil, fmt.Errorf("incomplete points of series %d to retry: %w", seriesID, err)
	}
	return out, nil
}

// RetryResult is what BackfillRetry did for one series.
type RetryResult struct {
	SeriesID int64
	// BackfillID is the retry backfill queued; 0 when none was.
	BackfillID int64
	// Points and Repos count the repo-error points to recompute and the
	// repositories they name (0 for whole points).
	Points, Repos int
	// Open is the series' unfinished backfill, which kept a retry from
	// being queued; 0 when there is none.
	Open int64
}

// BackfillRetry queues a retry backfill for each series ref names (a view,
// "series:ID" or "backfill:ID", as BackfillPrioritize) that has repo-error
// incomplete points and no unfinished backfill: plan-backfills and
// run-searches then recompute those points. An unknown ref is ErrNotFound.
func BackfillRetry(ctx context.Context, db *pgxpool.Pool, ref string, now time.Time) ([]RetryResult, error) {
	var out []RetryResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		ids, err := seriesOfRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		out = out[:0]
		for _, id := range ids {
			r, err := retrySeries(ctx, tx, id, now)
			if err != nil {
				return err
			}
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func retrySeries(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (RetryResult, error) {
	r := RetryResult{SeriesID: id}
	// Lock the series so that two retries cannot both see no open backfill.
	if _, err := tx.Exec(ctx, `SELECT FROM insight_series WHERE id = $1 FOR UPDATE`, id); err != nil {
		return r, fmt.Errorf("retry series %d: %w", id, err)
	}
	err := tx.QueryRow(ctx, `SELECT id FROM backfills WHERE series_id = $1 AND state IN ('new', 'processing')`, id).Scan(&r.Open)
	if err == nil {
		return r, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return r, fmt.Errorf("retry series %d: %w", id, err)
	}
	err = tx.QueryRow(ctx, `
		SELECT count(*), count(DISTINCT i.repo_id) FROM incomplete_points i
		JOIN series_recording_times t ON t.series_id = i.series_id AND t.time = i.time AND NOT t.snapshot
		WHERE i.series_id = $1 AND i.reason = 'repo-error'`, id).Scan(&r.Points, &r.Repos)
	if err != nil || r.Points == 0 {
		return r, wrapf(err, "retry series %d", id)
	}
	err = tx.QueryRow(ctx, `INSERT INTO backfills (series_id, state, retry, created_at) VALUES ($1, 'new', true, $2)
		RETURNING id`, id, now).Scan(&r.BackfillID)
	return r, wrapf(err, "queue retry backfill of series %d", id)
}

// BackfillRetryIndexed queues a retry backfill for every live series with
// a finished backfill and none unfinished that has repo-error points of a
// repository that was not indexed when they were due (NotIndexed,
// NotIndexedThrough) and is indexed through their time now, and returns
// the series. Recomputing clears or re-records
// those points, so each is retried once. A series whose latest backfill is
// a failed retry is left alone: that retry could not be planned, and
// another would fail the same way on every run (BackfillRetry, the
// command, still queues one).
func BackfillRetryIndexed(ctx context.Context, db *pgxpool.Pool, now time.Time) ([]int64, error) {
	rows, err := db.Query(ctx, `
		INSERT INTO backfills (series_id, state, retry, created_at)
		SELECT DISTINCT i.series_id, 'new', true, $1::timestamptz FROM incomplete_points i
		JOIN repos r ON r.id = i.repo_id
		JOIN insight_series s ON s.id = i.series_id
		JOIN series_recording_times t ON t.series_id = i.series_id AND t.time = i.time AND NOT t.snapshot
		WHERE i.reason = 'repo-error' AND strpos(i.detail, $2) > 0
			AND r.deleted_at IS NULL AND r.commits_indexed_through >= i.time
			AND s.deleted_at IS NULL AND s.backfill_completed_at IS NOT NULL
			AND NOT coalesce((SELECT l.retry AND l.state = 'failed' FROM backfills l
				WHERE l.series_id = i.series_id ORDER BY l.id DESC LIMIT 1), false)
		ON CONFLICT (series_id) WHERE state IN ('new', 'processing') DO NOTHING
		RETURNING series_id`, now, notIndexedMark)
	if err != nil {
		return nil, fmt.Errorf("queue retries of indexed repositories: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("queue retries of indexed repositories: %w", err)
	}
	return ids, nil
}

// wrapf wraps err with the formatted context, or returns nil.
func wrapf(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
