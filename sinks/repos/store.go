package repos

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Upsert registers the repositories in specs, or updates them (and restores
// removed ones) when their names exist, in one transaction stamped with the
// database's clock (Save): every spec is validated first, so a bad one
// writes nothing.
func Upsert(ctx context.Context, db *pgxpool.Pool, specs ...Spec) error {
	seen := map[string]bool{}
	for _, s := range specs {
		if err := s.Validate(); err != nil {
			return err
		}
		if seen[s.Name] {
			return fmt.Errorf("repository %q is declared twice", s.Name)
		}
		seen[s.Name] = true
	}
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		var now time.Time
		if err := tx.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
			return fmt.Errorf("save repositories: %w", err)
		}
		for _, s := range specs {
			if _, err := Save(ctx, tx, s, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// Remove marks a repository as removed; its data stays until pruned. An
// unknown name is ErrNotFound.
func Remove(ctx context.Context, db *pgxpool.Pool, name string) error {
	tag, err := db.Exec(ctx, `UPDATE repos SET deleted_at = now(), updated_at = now()
		WHERE name = $1 AND deleted_at IS NULL`, name)
	if err != nil {
		return fmt.Errorf("remove repository %q: %w", name, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("repository %q: %w (`sightline repos list` shows the known ones)", name, ErrNotFound)
	}
	return nil
}

const selectRepo = `SELECT id, name, coalesce(url, ''), coalesce(path, ''), private, coalesce(git_dir, ''),
	coalesce(default_branch, ''), coalesce(head_commit, ''), last_synced_at, coalesce(last_error, ''), last_error_at,
	coalesce(commits_indexed_head, ''), commits_indexed_count, commits_indexed_at, commits_indexed_through
	FROM repos`

// List returns the registered (not removed) repositories by name.
func List(ctx context.Context, db *pgxpool.Pool) ([]Repo, error) {
	rows, err := db.Query(ctx, selectRepo+` WHERE deleted_at IS NULL ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list repositories: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanRepo)
	if err != nil {
		return nil, fmt.Errorf("list repositories: %w", err)
	}
	return out, nil
}

// Get returns the repository called name, or ErrNotFound.
func Get(ctx context.Context, db *pgxpool.Pool, name string) (Repo, error) {
	rows, err := db.Query(ctx, selectRepo+` WHERE deleted_at IS NULL AND name = $1`, name)
	if err != nil {
		return Repo{}, fmt.Errorf("get repository %q: %w", name, err)
	}
	r, err := pgx.CollectExactlyOneRow(rows, scanRepo)
	if errors.Is(err, pgx.ErrNoRows) {
		return Repo{}, fmt.Errorf("repository %q: %w (`sightline repos list` shows the known ones)", name, ErrNotFound)
	}
	if err != nil {
		return Repo{}, fmt.Errorf("get repository %q: %w", name, err)
	}
	return r, nil
}

func scanRepo(row pgx.CollectableRow) (Repo, error) {
	var r Repo
	err := row.Scan(&r.ID, &r.Name, &r.URL, &r.Path, &r.Private, &r.GitDir, &r.DefaultBranch,
		&r.HeadCommit, &r.LastSyncedAt, &r.LastError, &r.LastErrorAt,
		&r.CommitsIndexedHead, &r.CommitsIndexedCount, &r.CommitsIndexedAt, &r.CommitsIndexedThrough)
	return r, err
}
