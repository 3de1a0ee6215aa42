package repos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DB is a pool or a transaction.
type DB interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Registered returns those of names that are registered and not removed.
func Registered(ctx context.Context, db DB, names []string) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT name FROM repos WHERE deleted_at IS NULL AND name = ANY($1)`, names)
	if err != nil {
		return nil, fmt.Errorf("look up repositories: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("look up repositories: %w", err)
	}
	return out, nil
}

// Change is what Save did to a repository.
type Change int

// The changes Save reports.
const (
	Unchanged Change = iota
	Created
	Updated
)

// Save registers the repository s, or updates it where it differs
// (restoring it if removed), stamped now; an unchanged repository is not
// written. It does not validate s (Upsert does). Call it in the
// transaction that needs the repository, e.g. applying an insights file.
func Save(ctx context.Context, db DB, s Spec, now time.Time) (Change, error) {
	var inserted bool
	err := db.QueryRow(ctx, `
		INSERT INTO repos (name, url, path, private, created_at, updated_at)
		VALUES ($1, NULLIF($2, ''), NULLIF($3, ''), $4, $5, $5)
		ON CONFLICT (name) DO UPDATE SET url = EXCLUDED.url, path = EXCLUDED.path,
			private = EXCLUDED.private, deleted_at = NULL, updated_at = $5
		WHERE repos.url IS DISTINCT FROM EXCLUDED.url OR repos.path IS DISTINCT FROM EXCLUDED.path
			OR repos.private <> EXCLUDED.private OR repos.deleted_at IS NOT NULL
		RETURNING xmax = 0`, s.Name, s.URL, s.Path, s.Private, now).Scan(&inserted)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return Unchanged, nil
	case err != nil:
		return Unchanged, fmt.Errorf("save repository %q: %w", s.Name, err)
	case inserted:
		return Created, nil
	}
	return Updated, nil
}
