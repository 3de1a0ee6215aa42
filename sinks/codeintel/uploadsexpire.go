package codeintel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// RetentionRepo is a repository with completed uploads, as retention
// sees it.
type RetentionRepo struct {
	ID   int64
	Name string
	// Head is the tip of its default branch, "" until synced.
	Head string
	// Dirty reports whether its completed uploads changed since the commit
	// graph (lsif_nearest_uploads) was last computed.
	Dirty bool
	// TipKnown reports whether the commit graph has the uploads visible at
	// Head: false when the branch moved since the graph was computed (or
	// no upload is visible there).
	TipKnown bool
}

// RetentionReposList returns the repositories that have completed
// uploads uploaded before before (which may expire), by id.
func RetentionReposList(ctx context.Context, db DB, before time.Time) ([]RetentionRepo, error) {
	rows, err := db.Query(ctx, `
		SELECT r.id, r.name, coalesce(r.head_commit, ''),
			coalesce(d.dirty_token > d.updated_token, false),
			EXISTS (SELECT 1 FROM lsif_nearest_uploads n WHERE n.repo_id = r.id AND n.commit_oid = r.head_commit)
		FROM repos r LEFT JOIN lsif_dirty_repos d ON d.repo_id = r.id
		WHERE EXISTS (SELECT 1 FROM lsif_uploads u WHERE u.repo_id = r.id AND u.state = 'completed' AND u.uploaded_at < $1)
		ORDER BY r.id`, before)
	if err != nil {
		return nil, fmt.Errorf("list repositories for upload retention: %w", err)
	}
	list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[RetentionRepo])
	if err != nil {
		return nil, fmt.Errorf("list repositories for upload retention: %w", err)
	}
	return list, nil
}

// ErrGraphNotCurrent is returned by UploadsExpire when the repository's
// commit graph is not current: its uploads changed since
// update-commit-graph last ran, or the tip of its default branch moved.
var ErrGraphNotCurrent = errors.New("commit graph not current")

// UploadsExpireParams say which of a repository's uploads may expire.
type UploadsExpireParams struct {
	RepoID int64
	// Head is the tip of the repository's default branch.
	Head string
	// Before is the age limit: completed uploads uploaded before it
	// expire, unless kept.
	Before time.Time
	// Reason is the failure message of an expired upload.
	Reason string
}

// UploadsExpire expires, in one transaction, the completed uploads of
// repository p.RepoID uploaded before p.Before that no kept commit still
// needs, and returns their ids. The kept commits are the tip of the
// default branch (p.Head) and the commits of the repository's completed
// uploads uploaded since p.Before; an upload is needed by a commit when
// the commit graph (lsif_nearest_uploads) makes it visible there, for its
// root and indexer. So the upload code navigation answers from at the
// tip is never expired, nor one a younger upload's commit relies on for
// another root or indexer. An expired upload becomes deleted, with
// p.Reason, its converted rows are deleted and the repository is marked
// dirty for update-commit-graph; prune deletes the row after its
// retention period.
//
// The commit graph must be current, or what the kept commits need is not
// known: once it has chosen the uploads to expire, UploadsExpire checks
// it under a lock on the repository's dirty row, and returns
// ErrGraphNotCurrent, expiring nothing, when the repository is dirty or
// its tip is no longer p.Head. An upload completing meanwhile either
// marked the repository dirty before that check, or waits for the lock
// (UploadsComplete marks it last) and so comes after the expiry. The
// uploads' rows are locked before the dirty row, in UploadsComplete's
// order, so the two never deadlock.
func UploadsExpire(ctx context.Context, db DB, p UploadsExpireParams) ([]int64, error) {
	var expired []int64
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH kept_commits AS (
				SELECT $2::text AS commit_oid
				UNION
				SELECT commit_oid FROM lsif_uploads
				WHERE repo_id = $1 AND state = 'completed' AND uploaded_at >= $3),
			needed AS (
				SELECT n.upload_id FROM lsif_nearest_uploads n JOIN kept_commits k ON k.commit_oid = n.commit_oid
				WHERE n.repo_id = $1)
			UPDATE lsif_uploads SET state = 'deleted', finished_at = now(), failure_message = $4
			WHERE repo_id = $1 AND state = 'completed' AND uploaded_at < $3
				AND id NOT IN (SELECT upload_id FROM needed)
			RETURNING id`, p.RepoID, p.Head, p.Before, p.Reason)
		if err != nil {
			return fmt.Errorf("expire uploads of repository %d: %w", p.RepoID, err)
		}
		if expired, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return fmt.Errorf("expire uploads of repository %d: %w", p.RepoID, err)
		}
		if len(expired) == 0 {
			return nil
		}
		if err := graphCurrent(ctx, tx, p.RepoID, p.Head); err != nil {
			return err
		}
		for _, id := range expired {
			if err := UploadsDeleteData(ctx, tx, id); err != nil {
				return err
			}
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO lsif_dirty_repos (repo_id, dirty_token) VALUES ($1, 1)
			ON CONFLICT (repo_id) DO UPDATE SET dirty_token = lsif_dirty_repos.dirty_token + 1`, p.RepoID)
		if err != nil {
			return fmt.Errorf("expire uploads of repository %d: mark it dirty: %w", p.RepoID, err)
		}
		return nil
	})
	if err != nil {
		return nil, err // rolled back: nothing expired
	}
	return expired, nil
}

// graphCurrent returns ErrGraphNotCurrent unless the commit graph of
// repository repoID is current (not dirty) and its tip is head, and
// holds the lock UploadsComplete needs to mark it dirty until tx ends.
func graphCurrent(ctx context.Context, tx pgx.Tx, repoID int64, head string) error {
	var current bool
	err := tx.QueryRow(ctx, `
		SELECT coalesce(d.dirty_token <= d.updated_token AND r.head_commit = $2, false)
		FROM lsif_dirty_repos d JOIN repos r ON r.id = d.repo_id
		WHERE d.repo_id = $1 FOR NO KEY UPDATE OF d`, repoID, head).Scan(&current)
	if errors.Is(err, pgx.ErrNoRows) || (err == nil && !current) {
		return fmt.Errorf("expire uploads of repository %d: %w", repoID, ErrGraphNotCurrent)
	}
	if err != nil {
		return fmt.Errorf("expire uploads of repository %d: %w", repoID, err)
	}
	return nil
}
