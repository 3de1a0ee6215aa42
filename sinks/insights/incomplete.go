package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Reason says why a point is incomplete.
type Reason string

// The reasons.
const (
	// ReasonTimeout: the search ran out of time.
	ReasonTimeout Reason = "timeout"
	// ReasonRepoError: the repository could not be searched (not synced or
	// indexed, missing directory, git error) after every retry.
	ReasonRepoError Reason = "repo-error"
	// ReasonSkippedFiles: the repository was searched but some files were
	// not (too large, or blobs missing from the object store): an
	// undercount.
	ReasonSkippedFiles Reason = "skipped-files"
	// ReasonErrorLimit: the backfill failed because too many repositories
	// errored; set on every sample time, for all repositories.
	ReasonErrorLimit Reason = "error-limit"
)

// Incomplete is a point that is missing or undercounted, and why (a row of
// incomplete_points).
type Incomplete struct {
	SeriesID int64
	Time     time.Time
	// RepoID is the repository; 0 means the whole point.
	RepoID int64
	Reason Reason
	Detail string
}

func repoArg(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// IncompleteAdd records points in tx. Recording a point again (same series,
// time, repository and reason) replaces its detail. The inserts go in one
// pipelined batch: a failed shard or an unindexed repository can have
// thousands of points, which row-by-row round trips would make slow.
func IncompleteAdd(ctx context.Context, tx pgx.Tx, points []Incomplete) error {
	if len(points) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	for _, p := range points {
		b.Queue(`
			INSERT INTO incomplete_points (series_id, time, repo_id, reason, detail)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT ON CONSTRAINT incomplete_points_key DO UPDATE SET detail = EXCLUDED.detail`,
			p.SeriesID, p.Time, repoArg(p.RepoID), p.Reason, p.Detail)
	}
	br := tx.SendBatch(ctx, b)
	defer br.Close()
	for _, p := range points {
		if _, err := br.Exec(); err != nil {
			return fmt.Errorf("record incomplete point of series %d at %s: %w", p.SeriesID, p.Time.Format(time.RFC3339), err)
		}
	}
	return br.Close()
}

// IncompleteList returns the incomplete points of series id, by time,
// repository and reason.
func IncompleteList(ctx context.Context, db *pgxpool.Pool, seriesID int64) ([]Incomplete, error) {
	rows, err := db.Query(ctx, `
		SELECT series_id, time, coalesce(repo_id, 0), reason, detail FROM incomplete_points
		WHERE series_id = $1 ORDER BY time, repo_id NULLS FIRST, reason`, seriesID)
	if err != nil {
		return nil, fmt.Errorf("list incomplete points of series %d: %w", seriesID, err)
	}
	out, err := pgx.CollectRows(rows, scanIncomplete)
	if err != nil {
		return nil, fmt.Errorf("list incomplete points of series %d: %w", seriesID, err)
	}
	return out, nil
}

// scanIncomplete scans a row of series_id, time, coalesce(repo_id, 0),
// reason and detail, with the time in UTC.
func scanIncomplete(row pgx.CollectableRow) (Incomplete, error) {
	var p Incomplete
	err := row.Scan(&p.SeriesID, &p.Time, &p.RepoID, &p.Reason, &p.Detail)
	p.Time = p.Time.UTC()
	return p, err
}

// ErrorLimit is how many repositories of a backfill over total may error
// before the backfill fails: max(50, 5% of total).
func ErrorLimit(total int) float64 { return max(50, 0.05*float64(total)) }

// BackfillFinish settles backfill id, in tx, if it is processing, none of
// its shards is left unfinished (queued, processing, or failed and not yet
// settled) and it waits for no repository. It completes it — or fails it,
// when more repositories errored than ErrorLimit allows, with an
// error-limit incomplete point at every sample time, so the failure is
// visible on the chart — and starts the series' forward life either way:
// backfill_completed_at and next_snapshot_after are now,
// next_recording_after one interval after the last sample time. A retry
// backfill starts it only if no backfill did, and clears the series'
// error-limit points when it completes. Errored repositories short of the
// limit already have their own incomplete points. It returns the
// backfill's state, finished or not. Call it in the transaction that
// finished the backfill's last shard.
func BackfillFinish(ctx context.Context, tx pgx.Tx, id int64, now time.Time) (string, error) {
	var (
		state          string
		seriesID       int64
		total, errored int
		retry          bool
		active         int
	)
	err := tx.QueryRow(ctx, `SELECT state, series_id, repos_total, repos_errored, retry FROM backfills WHERE id = $1 FOR UPDATE`,
		id).Scan(&state, &seriesID, &total, &errored, &retry)
	if err != nil {
		return "", fmt.Errorf("finish backfill %d: %w", id, err)
	}
	if state != "processing" {
		return state, nil
	}
	// Counted after the lock, in a statement of its own, so that it sees
	// what a planner that held the lock committed.
	err = tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM search_shards s WHERE s.backfill_id = $1
				AND (s.state IN ('queued', 'processing') OR (s.state = 'failed' AND s.finished_at IS NULL)))
			+ (SELECT count(*) FROM backfill_waiting_repos w WHERE w.backfill_id = $1)`, id).Scan(&active)
	if err != nil {
		return "", fmt.Errorf("finish backfill %d: %w", id, err)
	}
	if active > 0 {
		return state, nil
	}
	state = "completed"
	var errText *string
	if limit := ErrorLimit(total); float64(errored) > limit {
		state = "failed"
		msg := fmt.Sprintf("%d of %d repositories errored, more than the limit of %.0f (max(50, 5%%)); see the series' incomplete points for each repository's error",
			errored, total, limit)
		errText = &msg
		if err := markErrorLimit(ctx, tx, seriesID, msg); err != nil {
			return "", err
		}
	} else if retry {
		if _, err := tx.Exec(ctx, `DELETE FROM incomplete_points WHERE series_id = $1 AND reason = 'error-limit'`, seriesID); err != nil {
			return "", fmt.Errorf("clear error-limit points of series %d: %w", seriesID, err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE backfills SET state = $2, error = $3, finished_at = $4, waiting = NULL WHERE id = $1`,
		id, state, errText, now); err != nil {
		return "", fmt.Errorf("finish backfill %d: %w", id, err)
	}
	return state, startForward(ctx, tx, seriesID, now, retry)
}

// markErrorLimit records an error-limit incomplete point at every sample
// time of the series.
func markErrorLimit(ctx context.Context, tx pgx.Tx, seriesID int64, detail string) error {
	_, err := tx.Exec(ctx, `
		INSERT INTO incomplete_points (series_id, time, repo_id, reason, detail)
		SELECT series_id, time, NULL, 'error-limit', $2 FROM series_recording_times
		WHERE series_id = $1 AND NOT snapshot
		ON CONFLICT ON CONSTRAINT incomplete_points_key DO UPDATE SET detail = EXCLUDED.detail`, seriesID, detail)
	if err != nil {
		return fmt.Errorf("record error-limit points of series %d: %w", seriesID, err)
	}
	return nil
}

// startForward schedules a series' recordings and snapshots once its
// backfill is done; after a retry, only if no backfill did (the series is
// already recording otherwise).
func startForward(ctx context.Context, tx pgx.Tx, seriesID int64, now time.Time, retry bool) error {
	var (
		unit    string
		value   int
		last    *time.Time
		started bool
	)
	err := tx.QueryRow(ctx, `
		SELECT interval_unit, interval_value,
			(SELECT max(time) FROM series_recording_times r WHERE r.series_id = s.id AND NOT r.snapshot),
			backfill_completed_at IS NOT NULL
		FROM insight_series s WHERE id = $1`, seriesID).Scan(&unit, &value, &last, &started)
	if err != nil {
		return fmt.Errorf("schedule series %d: %w", seriesID, err)
	}
	if retry && started {
		return nil
	}
	next := now
	if last != nil {
		next = Interval{Unit: unit, Value: value}.Next(last.UTC())
	}
	_, err = tx.Exec(ctx, `
		UPDATE insight_series SET backfill_completed_at = $2, next_recording_after = $3, next_snapshot_after = $2
		WHERE id = $1`, seriesID, now, next)
	if err != nil {
		return fmt.Errorf("schedule series %d: %w", seriesID, err)
	}
	return nil
}
