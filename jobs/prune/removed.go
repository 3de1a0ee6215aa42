package prune

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sources/repospec"
)

// pruneRemoved deletes for good what users removed before cutoff: insight
// views (`insights delete`), series no live view shows any more, the
// links of series dropped from a view, and repositories (`repos remove`).
// What hangs off them in the database goes by foreign-key cascades and the
// points tables' triggers (migration 00007). A repository's upload objects
// go first, and the mirror Sightline cloned for a URL repository; a local
// repository's directory is never touched.
func (p *pruner) pruneRemoved(ctx context.Context, cutoff time.Time) error {
	for _, step := range []struct{ count, sql string }{
		{"removed_views", `DELETE FROM insight_views WHERE deleted_at < $1`},
		{"removed_view_series", `DELETE FROM insight_view_series WHERE deleted_at < $1`},
		{"removed_series", `DELETE FROM insight_series WHERE deleted_at < $1`},
	} {
		tag, err := p.env.DB.Exec(ctx, step.sql, cutoff)
		if err != nil {
			return fmt.Errorf("prune %s: %w", step.count, err)
		}
		p.counts[step.count] += tag.RowsAffected()
	}
	return p.pruneRemovedRepos(ctx, cutoff)
}

// removedRepo is a repository removed before the cutoff.
type removedRepo struct {
	ID        int64
	Name, URL string
}

// pruneRemovedRepos deletes each repository removed before cutoff: its
// upload objects, its mirror, then its row (unless it was added again
// meanwhile).
func (p *pruner) pruneRemovedRepos(ctx context.Context, cutoff time.Time) error {
	rows, err := p.env.DB.Query(ctx, `SELECT id, name, coalesce(url, '') FROM repos WHERE deleted_at < $1 ORDER BY id`, cutoff)
	if err != nil {
		return fmt.Errorf("list removed repositories: %w", err)
	}
	removed, err := pgx.CollectRows(rows, pgx.RowToStructByPos[removedRepo])
	if err != nil {
		return fmt.Errorf("list removed repositories: %w", err)
	}
	for _, r := range removed {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.deleteRepo(ctx, r, cutoff); err != nil {
			if err := p.failed(ctx, err, "repo", r.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *pruner) deleteRepo(ctx context.Context, r removedRepo, cutoff time.Time) error {
	rows, err := p.env.DB.Query(ctx, `SELECT object_key FROM lsif_uploads WHERE repo_id = $1`, r.ID)
	if err != nil {
		return fmt.Errorf("list the uploads of removed repository %s: %w", r.Name, err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("list the uploads of removed repository %s: %w", r.Name, err)
	}
	for _, k := range keys {
		objects, bytes, err := deleteUploadObjects(ctx, p.env.Bucket, k)
		p.counts["objects"] += int64(objects)
		p.counts["bytes"] += bytes
		if err != nil {
			return fmt.Errorf("delete the upload objects of removed repository %s: %w", r.Name, err)
		}
	}
	if r.URL != "" && p.env.DataDir != "" {
		// Exactly this repository's mirror: MirrorDir never nests one
		// repository's mirror in another's.
		if err := os.RemoveAll(repospec.MirrorDir(p.env.DataDir, r.Name)); err != nil {
			return fmt.Errorf("delete the mirror of removed repository %s: %w", r.Name, err)
		}
	}
	tag, err := p.env.DB.Exec(ctx, `DELETE FROM repos WHERE id = $1 AND deleted_at < $2`, r.ID, cutoff)
	if err != nil {
		return fmt.Errorf("delete removed repository %s: %w", r.Name, err)
	}
	p.counts["removed_repos"] += tag.RowsAffected()
	return nil
}
