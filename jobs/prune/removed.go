package prune

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
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
	for _, step := range []struct {
		count  string
		delete func(context.Context, *pgxpool.Pool, time.Time) (int64, error)
	}{
		{"removed_views", insights.ViewsDeleteRemoved},
		{"removed_view_series", insights.ViewSeriesDeleteRemoved},
		{"removed_series", insights.SeriesDeleteRemoved},
	} {
		n, err := step.delete(ctx, p.env.DB, cutoff)
		if err != nil {
			return fmt.Errorf("prune %s: %w", step.count, err)
		}
		p.counts[step.count] += n
	}
	return p.pruneRemovedRepos(ctx, cutoff)
}

// pruneRemovedRepos deletes each repository removed before cutoff: its
// upload objects, its mirror, then its row (unless it was added again
// meanwhile).
func (p *pruner) pruneRemovedRepos(ctx context.Context, cutoff time.Time) error {
	removed, err := repos.RemovedList(ctx, p.env.DB, cutoff)
	if err != nil {
		return err
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

func (p *pruner) deleteRepo(ctx context.Context, r repos.Removed, cutoff time.Time) error {
	keys, err := codeintel.UploadsKeysList(ctx, p.env.DB, r.ID)
	if err != nil {
		return fmt.Errorf("removed repository %s: %w", r.Name, err)
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
	deleted, err := repos.RemovedDelete(ctx, p.env.DB, r.ID, cutoff)
	if err != nil {
		return fmt.Errorf("removed repository %s: %w", r.Name, err)
	}
	if deleted {
		p.counts["removed_repos"]++
	}
	return nil
}
