package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BackfillToPlan is a backfill plan-backfills has work for: a new one, or
// a processing one whose waiting repositories may have become ready.
type BackfillToPlan struct {
	ID          int64
	SeriesID    int64
	Prioritized bool
	Retry       bool
	// Waiting is the part of a processing backfill not planned yet; nil
	// for a new backfill.
	Waiting []WaitingRepo
}

// WaitingRepo is a repository a backfill waits for (to be synced and
// indexed), with the sample times its part needs.
type WaitingRepo struct {
	RepoID int64
	Times  []time.Time
	// Waited is how long it has waited so far, by the database clock.
	Waited time.Duration
}

// BackfillsNew returns the new backfills, prioritized first, then oldest.
func BackfillsNew(ctx context.Context, db *pgxpool.Pool) ([]BackfillToPlan, error) {
	rows, err := db.Query(ctx, `
		SELECT id, series_id, prioritized_at IS NOT NULL, retry FROM backfills
		WHERE state = 'new' ORDER BY prioritized_at IS NULL, id`)
	if err != nil {
		return nil, fmt.Errorf("list new backfills: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (BackfillToPlan, error) {
		var b BackfillToPlan
		return b, row.Scan(&b.ID, &b.SeriesID, &b.Prioritized, &b.Retry)
	})
	if err != nil {
		return nil, fmt.Errorf("list new backfills: %w", err)
	}
	return out, nil
}

// BackfillsWaiting returns the processing backfills that wait for
// repositories, each with its waiting part, by backfill and repository id.
func BackfillsWaiting(ctx context.Context, db *pgxpool.Pool) ([]BackfillToPlan, error) {
	rows, err := db.Query(ctx, `
		SELECT b.id, b.series_id, b.prioritized_at IS NOT NULL, b.retry, w.repo_id, w.times,
			extract(epoch FROM now() - w.since)::float8
		FROM backfills b JOIN backfill_waiting_repos w ON w.backfill_id = b.id
		WHERE b.state = 'processing' ORDER BY b.id, w.repo_id`)
	if err != nil {
		return nil, fmt.Errorf("list waiting backfills: %w", err)
	}
	var out []BackfillToPlan
	defer rows.Close()
	for rows.Next() {
		var (
			b       BackfillToPlan
			w       WaitingRepo
			seconds float64
		)
		if err := rows.Scan(&b.ID, &b.SeriesID, &b.Prioritized, &b.Retry, &w.RepoID, &w.Times, &seconds); err != nil {
			return nil, fmt.Errorf("list waiting backfills: %w", err)
		}
		w.Waited = time.Duration(seconds * float64(time.Second))
		for i := range w.Times {
			w.Times[i] = w.Times[i].UTC()
		}
		if n := len(out); n == 0 || out[n-1].ID != b.ID {
			out = append(out, b)
		}
		last := &out[len(out)-1]
		last.Waiting = append(last.Waiting, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list waiting backfills: %w", err)
	}
	return out, nil
}

// BackfillStep is what one plan-backfills run records for one backfill.
type BackfillStep struct {
	ID       int64
	SeriesID int64
	// First: the backfill was new and starts now; otherwise the step plans
	// part of a processing backfill's waiting repositories.
	First bool
	// Cost is added to the backfill's estimated cost.
	Cost float64
	// Total is the repositories in scope (First only); Done and Errored
	// are added to the backfill's counts (repositories with nothing to
	// search, or given up).
	Total, Done, Errored int
	// Wait are the repositories the backfill still waits for (kept if
	// already waiting); Resolved are waiting repositories that no longer
	// do (planned, given up or gone).
	Wait     []WaitingRepo
	Resolved []int64
	// Waiting says what the backfill waits for, "" when nothing.
	Waiting string
	// Incomplete are points to record; Clear are repo-error points to
	// delete because they are being recomputed (a retry).
	Incomplete []Incomplete
	Clear      []Incomplete
	Now        time.Time
}

// BackfillRecord records step in tx, after locking the backfill. It
// returns false, doing nothing, when the backfill is no longer in the
// state the step was planned from (new for a first step, processing
// otherwise): someone else planned it meanwhile. Add the step's sample
// times (RecordingTimesAdd), queue its shards and call BackfillFinish in
// the same transaction (jobs/internal/planning.Enqueue does).
func BackfillRecord(ctx context.Context, tx pgx.Tx, step BackfillStep) (bool, error) {
	var state string
	if err := tx.QueryRow(ctx, `SELECT state FROM backfills WHERE id = $1 FOR UPDATE`, step.ID).Scan(&state); err != nil {
		return false, fmt.Errorf("lock backfill %d: %w", step.ID, err)
	}
	if want := map[bool]string{true: "new", false: "processing"}[step.First]; state != want {
		return false, nil
	}
	if err := incompleteClear(ctx, tx, step.SeriesID, step.Clear); err != nil {
		return false, err
	}
	if err := IncompleteAdd(ctx, tx, step.Incomplete); err != nil {
		return false, err
	}
	if err := recordWaiting(ctx, tx, step); err != nil {
		return false, err
	}
	return true, updateProgress(ctx, tx, step)
}

func updateProgress(ctx context.Context, tx pgx.Tx, step BackfillStep) error {
	var waiting *string
	if step.Waiting != "" {
		waiting = &step.Waiting
	}
	var err error
	if step.First {
		_, err = tx.Exec(ctx, `
			UPDATE backfills SET state = 'processing', estimated_cost = $2, repos_total = $3, repos_done = $4,
				repos_errored = $5, started_at = $6, error = NULL, waiting = $7
			WHERE id = $1`, step.ID, step.Cost, step.Total, step.Done, step.Errored, step.Now, waiting)
	} else {
		_, err = tx.Exec(ctx, `
			UPDATE backfills SET estimated_cost = coalesce(estimated_cost, 0) + $2, repos_done = repos_done + $3,
				repos_errored = repos_errored + $4, waiting = $5
			WHERE id = $1`, step.ID, step.Cost, step.Done, step.Errored, waiting)
	}
	if err != nil {
		return fmt.Errorf("record progress of backfill %d: %w", step.ID, err)
	}
	return nil
}

// recordWaiting removes step's resolved repositories from the backfill's
// waiting part and adds its new ones (a repository already waiting keeps
// its times and since).
func recordWaiting(ctx context.Context, tx pgx.Tx, step BackfillStep) error {
	if len(step.Resolved) > 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM backfill_waiting_repos WHERE backfill_id = $1 AND repo_id = ANY($2)`,
			step.ID, step.Resolved); err != nil {
			return fmt.Errorf("record planned repositories of backfill %d: %w", step.ID, err)
		}
	}
	for _, w := range step.Wait {
		if _, err := tx.Exec(ctx, `
			INSERT INTO backfill_waiting_repos (backfill_id, repo_id, times) VALUES ($1, $2, $3)
			ON CONFLICT (backfill_id, repo_id) DO NOTHING`, step.ID, w.RepoID, w.Times); err != nil {
			return fmt.Errorf("record backfill %d waiting for repository %d: %w", step.ID, w.RepoID, err)
		}
	}
	return nil
}

// incompleteClear deletes the repo-error points of series at points' times
// and repositories (a whole-point one when RepoID is 0).
func incompleteClear(ctx context.Context, tx pgx.Tx, seriesID int64, points []Incomplete) error {
	if len(points) == 0 {
		return nil
	}
	repoIDs := make([]int64, len(points))
	times := make([]time.Time, len(points))
	for i, p := range points {
		repoIDs[i], times[i] = p.RepoID, p.Time
	}
	_, err := tx.Exec(ctx, `
		DELETE FROM incomplete_points i USING unnest($2::bigint[], $3::timestamptz[]) AS c(repo_id, time)
		WHERE i.series_id = $1 AND i.reason = 'repo-error' AND i.time = c.time
			AND i.repo_id IS NOT DISTINCT FROM nullif(c.repo_id, 0)`, seriesID, repoIDs, times)
	if err != nil {
		return fmt.Errorf("clear retried points of series %d: %w", seriesID, err)
	}
	return nil
}

// BackfillFail records that backfill id cannot be planned, with the
// reason, if it is still new.
func BackfillFail(ctx context.Context, db *pgxpool.Pool, id int64, msg string, now time.Time) error {
	_, err := db.Exec(ctx, `
		UPDATE backfills SET state = 'failed', error = $2, finished_at = $3 WHERE id = $1 AND state = 'new'`, id, msg, now)
	if err != nil {
		return fmt.Errorf("fail backfill %d: %w", id, err)
	}
	return nil
}

// SeriesViewNames returns the live views that show series id, as
// "VIEW/LABEL" (the view's unique id), for messages.
func SeriesViewNames(ctx context.Context, db *pgxpool.Pool, id int64) ([]string, error) {
	rows, err := db.Query(ctx, `
		SELECT v.unique_id || '/' || vs.label FROM insight_view_series vs JOIN insight_views v ON v.id = vs.view_id
		WHERE vs.series_id = $1 AND vs.deleted_at IS NULL AND v.deleted_at IS NULL
		ORDER BY v.unique_id, vs.position`, id)
	if err != nil {
		return nil, fmt.Errorf("views of series %d: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("views of series %d: %w", id, err)
	}
	return out, nil
}
