package codeintel

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNotRequeueable is returned (wrapped in a message saying why and what
// to do) for an upload UploadsRequeue refuses.
var ErrNotRequeueable = errors.New("upload cannot be requeued")

// UploadsRequeueParams name the upload to requeue.
type UploadsRequeueParams struct {
	ID int64
	// StalledAfter is how old a processing upload's heartbeat must be for
	// it to count as stuck and be requeued; 0 refuses every processing
	// upload.
	StalledAfter time.Duration
}

// UploadsRequeue puts an upload back in the queue, claimable at once, with
// its attempts and transient failures counted from zero again, its
// failure message cleared and its wait for its commit started afresh: an errored upload (once what failed it is
// fixed), a queued one waiting out a retry delay, or a processing one
// whose heartbeat is older than p.StalledAfter or whose run is no longer
// running (its worker, should it still be alive, then loses it). Completed,
// deleted and uploading uploads are refused with ErrNotRequeueable. It
// returns the upload as requeued, or ErrNotFound.
func UploadsRequeue(ctx context.Context, db DB, p UploadsRequeueParams) (Upload, error) {
	tag, err := db.Exec(ctx, `
		UPDATE lsif_uploads u SET state = 'queued', attempts = 0, transient_failures = 0,
			failure_message = NULL, last_transient_error = NULL, claimed_by = NULL,
			waiting_reason = NULL, waiting_since = NULL,
			process_after = now(), finished_at = NULL
		WHERE id = $1 AND (state IN ('errored', 'queued') OR (state = 'processing' AND $2 > 0 AND `+stalled+`))`,
		p.ID, p.StalledAfter.Microseconds())
	if err != nil {
		return Upload{}, fmt.Errorf("requeue upload %d: %w", p.ID, err)
	}
	u, err := UploadsGet(ctx, db, p.ID)
	if err != nil {
		return Upload{}, err
	}
	if tag.RowsAffected() == 0 {
		return u, fmt.Errorf("%w: %s", ErrNotRequeueable, whyNotRequeueable(u))
	}
	return u, nil
}

// whyNotRequeueable says why u, in a state UploadsRequeue refuses, stays
// as it is, and what to do instead.
func whyNotRequeueable(u Upload) string {
	switch u.State {
	case StateCompleted:
		return fmt.Sprintf("upload %d is completed: its data is already in use; upload the dump again to replace it", u.ID)
	case StateDeleted:
		return fmt.Sprintf("upload %d was replaced by a newer upload of the same repository, commit, root and indexer, and its data deleted; upload the dump again to bring it back", u.ID)
	case StateUploading:
		return fmt.Sprintf("upload %d is still uploading (%d of %d parts received) and was never queued; upload the dump again", u.ID, len(u.UploadedParts), u.NumParts)
	case StateProcessing:
		return fmt.Sprintf("upload %d is being processed by run %s, whose heartbeat is recent; if that run is stuck, wait for process-uploads to take it back (after its stall timeout) or retry later", u.ID, u.ClaimedBy)
	}
	return fmt.Sprintf("upload %d is %s", u.ID, u.State)
}

// UploadsStates returns the state of each upload whose object key is in
// keys; keys of no upload are absent from the map.
func UploadsStates(ctx context.Context, db DB, keys []string) (map[string]State, error) {
	rows, err := db.Query(ctx, `SELECT object_key, state FROM lsif_uploads WHERE object_key = ANY($1)`, keys)
	if err != nil {
		return nil, fmt.Errorf("look up the uploads of %d objects: %w", len(keys), err)
	}
	out := map[string]State{}
	var key string
	var st State
	_, err = pgx.ForEachRow(rows, []any{&key, &st}, func() error {
		out[key] = st
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("look up the uploads of %d objects: %w", len(keys), err)
	}
	return out, nil
}
