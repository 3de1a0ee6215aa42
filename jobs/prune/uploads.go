package prune

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// staleUpload is an upload to delete.
type staleUpload struct {
	ID        int64
	State     codeintel.State
	ObjectKey string
}

// uploadCounts names the count of each state pruned.
var uploadCounts = map[codeintel.State]string{
	codeintel.StateDeleted:   "retired_uploads",
	codeintel.StateErrored:   "errored_uploads",
	codeintel.StateUploading: "abandoned_uploads",
}

// pruneUploads deletes the uploads replaced by a newer one (state deleted)
// or errored before cutoff, and those still uploading since before cutoff,
// each with its object and parts. Completed, queued and processing uploads
// are never touched.
func (p *pruner) pruneUploads(ctx context.Context, cutoff time.Time) error {
	// finished_at is set whenever an upload becomes deleted or errored;
	// uploaded_at stands in should a row lack it, so that none is kept forever.
	rows, err := p.env.DB.Query(ctx, `
		SELECT id, state, object_key FROM lsif_uploads
		WHERE (state IN ('deleted', 'errored') AND coalesce(finished_at, uploaded_at) < $1)
			OR (state = 'uploading' AND uploaded_at < $1)
		ORDER BY id`, cutoff)
	if err != nil {
		return fmt.Errorf("list uploads to prune: %w", err)
	}
	stale, err := pgx.CollectRows(rows, pgx.RowToStructByPos[staleUpload])
	if err != nil {
		return fmt.Errorf("list uploads to prune: %w", err)
	}
	for _, u := range stale {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := p.deleteUpload(ctx, u); err != nil {
			if err := p.failed(ctx, err, "upload", u.ID, "state", u.State, "key", u.ObjectKey); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteUpload deletes u's object and parts, then its row (whose converted
// rows, if any are left, the lsif_uploads trigger deletes). The row goes
// last so that a failure midway leaves it to find the objects again. The
// row is deleted only while still in the state it was listed in.
func (p *pruner) deleteUpload(ctx context.Context, u staleUpload) error {
	objects, bytes, err := deleteUploadObjects(ctx, p.env.Bucket, u.ObjectKey)
	p.counts["objects"] += int64(objects)
	p.counts["bytes"] += bytes
	if err != nil {
		return fmt.Errorf("delete the objects of upload %d: %w", u.ID, err)
	}
	tag, err := p.env.DB.Exec(ctx, `DELETE FROM lsif_uploads WHERE id = $1 AND state = $2`, u.ID, u.State)
	if err != nil {
		return fmt.Errorf("delete upload %d: %w", u.ID, err)
	}
	if tag.RowsAffected() > 0 {
		p.counts[uploadCounts[u.State]]++
	}
	return nil
}

// deleteUploadObjects deletes the object at key and its parts, key.part-N,
// and returns how many objects and bytes it deleted. Other keys that merely
// start with key (another upload's "key2") are left alone.
func deleteUploadObjects(ctx context.Context, b bucket.Bucket, key string) (int, int64, error) {
	var found []bucket.Attrs
	err := b.List(ctx, key, func(a bucket.Attrs) error {
		if a.Key == key || isPartKey(key, a.Key) {
			found = append(found, a)
		}
		return nil
	})
	if err != nil {
		return 0, 0, fmt.Errorf("list %q: %w", key, err)
	}
	var bytes int64
	for i, a := range found {
		if err := b.Delete(ctx, a.Key); err != nil {
			return i, bytes, fmt.Errorf("delete %q: %w", a.Key, err)
		}
		bytes += a.Size
	}
	return len(found), bytes, nil
}

// isPartKey reports whether k is codeintel.PartKey(key, i) for some i.
func isPartKey(key, k string) bool {
	n, ok := strings.CutPrefix(k, key+".part-")
	if !ok {
		return false
	}
	i, err := strconv.Atoi(n)
	return err == nil && codeintel.PartKey(key, i) == k
}
