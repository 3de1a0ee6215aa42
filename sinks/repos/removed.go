package repos

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Removed is a repository removed (Remove) and not yet deleted.
type Removed struct {
	ID        int64
	Name, URL string
}

// RemovedList returns, by id, the repositories removed before before.
func RemovedList(ctx context.Context, db *pgxpool.Pool, before time.Time) ([]Removed, error) {
	rows, err := db.Query(ctx, `SELECT id, name, coalesce(url, '') FROM repos WHERE deleted_at < $1 ORDER BY id`, before)
	if err != nil {
		return nil, fmt.Errorf("list removed repositories: %w", err)
	}
	removed, err := pgx.CollectRows(rows, pgx.RowToStructByPos[Removed])
	if err != nil {
		return nil, fmt.Errorf("list removed repositories: %w", err)
	}
	return removed, nil
}

// RemovedDelete deletes repository id's row for good if it is still removed
// since before before (not added again meanwhile), and reports whether it
// did. What hangs off it in the database goes by foreign-key cascades and
// the points tables' triggers; its upload objects and mirror are the
// caller's to delete, first.
func RemovedDelete(ctx context.Context, db *pgxpool.Pool, id int64, before time.Time) (bool, error) {
	tag, err := db.Exec(ctx, `DELETE FROM repos WHERE id = $1 AND deleted_at < $2`, id, before)
	if err != nil {
		return false, fmt.Errorf("delete removed repository %d: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}
