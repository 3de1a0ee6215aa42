package codeintel

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// StaleUpload is an upload prune may delete (UploadsStaleList).
type StaleUpload struct {
	ID        int64
	State     State
	ObjectKey string
}

// UploadsStaleList returns, by id, the uploads replaced by a newer one
// (state deleted) or errored before before, and those still uploading since
// before before. Completed, queued and processing uploads are never stale.
func UploadsStaleList(ctx context.Context, db DB, before time.Time) ([]StaleUpload, error) {
	// finished_at is set whenever an upload becomes deleted or errored;
	// uploaded_at stands in should a row lack it, so that none is kept forever.
	rows, err := db.Query(ctx, `
		SELECT id, state, object_key FROM lsif_uploads
		WHERE (state IN ('deleted', 'errored') AND coalesce(finished_at, uploaded_at) < $1)
			OR (state = 'uploading' AND uploaded_at < $1)
		ORDER BY id`, before)
	if err != nil {
		return nil, fmt.Errorf("list uploads to prune: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowToStructByPos[StaleUpload])
	if err != nil {
		return nil, fmt.Errorf("list uploads to prune: %w", err)
	}
	return stale, nil
}

// UploadsDelete deletes upload id's row while it is still in state, and
// reports whether it did. The lsif_uploads trigger deletes its converted
// rows; its objects are the caller's to delete, first.
func UploadsDelete(ctx context.Context, db DB, id int64, state State) (bool, error) {
	tag, err := db.Exec(ctx, `DELETE FROM lsif_uploads WHERE id = $1 AND state = $2`, id, state)
	if err != nil {
		return false, fmt.Errorf("delete upload %d: %w", id, err)
	}
	return tag.RowsAffected() > 0, nil
}

// UploadsKeysList returns the object keys of repository repoID's uploads,
// in every state.
func UploadsKeysList(ctx context.Context, db DB, repoID int64) ([]string, error) {
	rows, err := db.Query(ctx, `SELECT object_key FROM lsif_uploads WHERE repo_id = $1`, repoID)
	if err != nil {
		return nil, fmt.Errorf("list the uploads of repository %d: %w", repoID, err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list the uploads of repository %d: %w", repoID, err)
	}
	return keys, nil
}
