package commitindex

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sources/gitsource"
)

// HistoryList returns the part of repository repoID's indexed first-parent
// history, newest first (as gitsource.FirstParentHistory gives it), that
// mapping times to commits needs (gitsource.CommitAt): back to the newest
// commit committed at or before the earliest of times, since every later
// time maps to that commit or a newer one. Older commits are not read;
// when no commit is that old, the whole history is.
func HistoryList(ctx context.Context, db *pgxpool.Pool, repoID int64, times []time.Time) ([]gitsource.Commit, error) {
	var since time.Time
	if len(times) > 0 {
		since = slices.MinFunc(times, time.Time.Compare)
	}
	rows, err := db.Query(ctx, `
		SELECT commit_oid, committed_at FROM repo_commits
		WHERE repo_id = $1 AND position >= coalesce((
			SELECT position FROM repo_commits WHERE repo_id = $1 AND committed_at <= $2
			ORDER BY position DESC LIMIT 1), 0)
		ORDER BY position DESC`, repoID, since)
	if err != nil {
		return nil, fmt.Errorf("read commit index of repository %d: %w", repoID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (gitsource.Commit, error) {
		var c gitsource.Commit
		err := row.Scan(&c.OID, &c.CommittedAt)
		c.CommittedAt = c.CommittedAt.UTC()
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("read commit index of repository %d: %w", repoID, err)
	}
	return out, nil
}
