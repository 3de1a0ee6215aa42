package codeintel

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// DirtyRepo is a repository whose commit graph must be recomputed: its set
// of completed uploads changed since the last computation.
type DirtyRepo struct {
	RepoID int64
	Name   string
	GitDir string
	// Token is the dirty token read with the row; NearestReplace records it
	// as computed, so a later upload (which raises the dirty token) keeps
	// the repository dirty.
	Token int64
}

// DirtyReposList returns the dirty repositories (dirty_token >
// updated_token), by id.
func DirtyReposList(ctx context.Context, db DB) ([]DirtyRepo, error) {
	rows, err := db.Query(ctx, `
		SELECT d.repo_id, r.name, COALESCE(r.git_dir, ''), d.dirty_token
		FROM lsif_dirty_repos d JOIN repos r ON r.id = d.repo_id
		WHERE d.dirty_token > d.updated_token
		ORDER BY d.repo_id`)
	if err != nil {
		return nil, fmt.Errorf("list dirty repos: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (DirtyRepo, error) {
		var d DirtyRepo
		err := row.Scan(&d.RepoID, &d.Name, &d.GitDir, &d.Token)
		return d, err
	})
	if err != nil {
		return nil, fmt.Errorf("list dirty repos: %w", err)
	}
	return out, nil
}

// GraphUploadsList returns the repository's completed uploads. Read it after
// the dirty token: an upload completed in between is then either in the
// list or has raised the token again.
func GraphUploadsList(ctx context.Context, db DB, repoID int64) ([]GraphUpload, error) {
	rows, err := db.Query(ctx, `
		SELECT id, commit_oid, root, indexer FROM lsif_uploads
		WHERE repo_id = $1 AND state = 'completed' ORDER BY id`, repoID)
	if err != nil {
		return nil, fmt.Errorf("list completed uploads of repo %d: %w", repoID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (GraphUpload, error) {
		var u GraphUpload
		err := row.Scan(&u.ID, &u.Commit, &u.Root, &u.Indexer)
		return u, err
	})
	if err != nil {
		return nil, fmt.Errorf("list completed uploads of repo %d: %w", repoID, err)
	}
	return out, nil
}

// NearestReplaceParams are the arguments of NearestReplace.
type NearestReplaceParams struct {
	RepoID int64
	// Token is the dirty token read before the uploads were listed.
	Token   int64
	Visible []Visible
	Now     time.Time
}

// NearestReplace replaces the repository's rows of lsif_nearest_uploads
// with p.Visible and records p.Token as the repository's updated token, in
// one transaction: readers see the old visibility or the new one. The
// updated token never goes down, and the repository stays dirty when its
// dirty token has moved past p.Token meanwhile.
func NearestReplace(ctx context.Context, db DB, p NearestReplaceParams) error {
	return pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM lsif_nearest_uploads WHERE repo_id = $1`, p.RepoID); err != nil {
			return fmt.Errorf("clear nearest uploads of repo %d: %w", p.RepoID, err)
		}
		_, err := tx.CopyFrom(ctx, pgx.Identifier{"lsif_nearest_uploads"},
			[]string{"repo_id", "commit_oid", "upload_id", "distance", "ancestor"},
			pgx.CopyFromSlice(len(p.Visible), func(i int) ([]any, error) {
				v := p.Visible[i]
				return []any{p.RepoID, v.Commit, v.UploadID, v.Distance, v.Ancestor}, nil
			}))
		if err != nil {
			return fmt.Errorf("write nearest uploads of repo %d: %w", p.RepoID, err)
		}
		_, err = tx.Exec(ctx, `
			UPDATE lsif_dirty_repos SET updated_token = GREATEST(updated_token, $2), updated_at = $3
			WHERE repo_id = $1`, p.RepoID, p.Token, p.Now)
		if err != nil {
			return fmt.Errorf("mark repo %d updated: %w", p.RepoID, err)
		}
		return nil
	})
}
