package insights

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BackfillProgressAdd adds done repositories, errored of them, to backfill
// id's progress (errored ones count as done, and as errored). Call it in
// the transaction that settles the shard they came from, then
// BackfillFinish.
func BackfillProgressAdd(ctx context.Context, tx pgx.Tx, id int64, done, errored int) error {
	_, err := tx.Exec(ctx, `
		UPDATE backfills SET repos_done = repos_done + $2, repos_errored = repos_errored + $3 WHERE id = $1`,
		id, done, errored)
	if err != nil {
		return fmt.Errorf("count progress of backfill %d: %w", id, err)
	}
	return nil
}

// BackfillsProcessingList returns the ids of the processing backfills, in
// id order.
func BackfillsProcessingList(ctx context.Context, db *pgxpool.Pool) ([]int64, error) {
	rows, err := db.Query(ctx, `SELECT id FROM backfills WHERE state = 'processing' ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list processing backfills: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, fmt.Errorf("list processing backfills: %w", err)
	}
	return ids, nil
}

// BackfillLostPoints returns a whole-point repo-error incomplete point, with
// detail, at every sample time of backfill id's series (not its snapshots),
// by time: what a backfill loses when a shard's tasks cannot be read.
func BackfillLostPoints(ctx context.Context, db *pgxpool.Pool, id int64, detail string) ([]Incomplete, error) {
	rows, err := db.Query(ctx, `
		SELECT b.series_id, t.time FROM backfills b JOIN series_recording_times t ON t.series_id = b.series_id
		WHERE b.id = $1 AND NOT t.snapshot ORDER BY t.time`, id)
	if err != nil {
		return nil, fmt.Errorf("sample times of backfill %d: %w", id, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Incomplete, error) {
		p := Incomplete{Reason: ReasonRepoError, Detail: detail}
		return p, row.Scan(&p.SeriesID, &p.Time)
	})
	if err != nil {
		return nil, fmt.Errorf("sample times of backfill %d: %w", id, err)
	}
	return out, nil
}
