package codeintel

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// InboxRegisterParams name the inbox entry to register and the
// repository its manifest names.
type InboxRegisterParams struct {
	Entry    string
	RepoID   int64
	Manifest InboxManifest
}

// InboxRegisterResult is what InboxRegister did.
type InboxRegisterResult struct {
	// Upload is the entry's upload, as it is now: queued once registered,
	// errored when the entry was corrupt (its failure message says why),
	// or further along when an earlier run registered it already.
	Upload Upload
	// Created reports whether this call made the upload row.
	Created bool
}

// InboxRegister makes inbox entry p.Entry an upload: it inserts the
// upload row (or finds the one an earlier, interrupted call inserted:
// lsif_uploads.inbox_entry is unique), verifies the parts against the
// manifest's sizes and checksums, composes them into the upload's object
// and queues it. A part missing or different errors the upload with the
// reason. An upload already past uploading is returned as it is. A bucket
// failure is returned, the upload left uploading for the next call. The
// entry's objects are the caller's to delete once the upload is no longer
// uploading.
//
// Two workers registering one entry at once find the same row; both may
// compose its object (the same bytes), and the second to queue it gets
// an error and leaves the entry to the next call, which finds the upload
// queued. Should the second compose land after the upload was processed
// and its object deleted, prune deletes that object as a leftover.
func InboxRegister(ctx context.Context, db DB, b bucket.Bucket, p InboxRegisterParams) (InboxRegisterResult, error) {
	up, created, err := uploadsInsertInbox(ctx, db, p, "")
	if err != nil {
		return InboxRegisterResult{}, err
	}
	res := InboxRegisterResult{Upload: up, Created: created}
	if up.State != StateUploading {
		return res, nil
	}
	err = InboxVerify(ctx, b, p.Entry, p.Manifest)
	if errors.Is(err, ErrInboxCorrupt) {
		if err := uploadsErrorUploading(ctx, db, up.ID, err.Error()); err != nil {
			return res, err
		}
		res.Upload, err = UploadsGet(ctx, db, up.ID)
		return res, err
	}
	if err != nil {
		return res, err
	}
	keys := make([]string, len(p.Manifest.Parts))
	for i := range keys {
		keys[i] = InboxPartKey(p.Entry, i)
	}
	if err := b.Compose(ctx, up.ObjectKey, keys); err != nil {
		return res, fmt.Errorf("compose the %d parts of inbox entry %s into upload %d: %w", len(keys), p.Entry, up.ID, err)
	}
	attrs, err := b.Stat(ctx, up.ObjectKey)
	if err != nil {
		return res, fmt.Errorf("upload %d: %w", up.ID, err)
	}
	if err := UploadsQueue(ctx, db, up.ID, attrs.Size, p.Manifest.Uncompressed); err != nil {
		return res, err
	}
	res.Upload, err = UploadsGet(ctx, db, up.ID)
	return res, err
}

// InboxRegisterCorrupt records inbox entry p.Entry, whose manifest is
// not valid (the ErrInboxCorrupt of InboxReadManifest) but names
// repository p.RepoID and a full commit, as an errored upload with
// message, so that lsif uploads shows the uploader why its upload never
// ran. Like InboxRegister it is idempotent; the entry is the caller's to
// delete.
func InboxRegisterCorrupt(ctx context.Context, db DB, p InboxRegisterParams, message string) (InboxRegisterResult, error) {
	p.Manifest.Parts = nil // what a corrupt manifest lists is not to be trusted, nor stored
	up, created, err := uploadsInsertInbox(ctx, db, p, message)
	return InboxRegisterResult{Upload: up, Created: created}, err
}

// Identifies reports whether m names a repository and a full commit:
// enough for an errored upload saying what is wrong with the rest.
func (m InboxManifest) Identifies() bool {
	return m.Repository != "" && commitHex().MatchString(m.Commit)
}

// uploadsInsertInbox inserts the upload of inbox entry p.Entry, in state
// uploading with every part received, unless it exists; it returns the
// upload and whether it inserted it.
// A non-empty failure inserts it errored with that message instead (a
// manifest that is not valid: any format but lsif and scip is recorded
// as lsif).
func uploadsInsertInbox(ctx context.Context, db DB, p InboxRegisterParams, failure string) (Upload, bool, error) {
	m := p.Manifest
	var id int64
	err := db.QueryRow(ctx, `
		WITH next AS (SELECT nextval(pg_get_serial_sequence('lsif_uploads', 'id')) AS id)
		INSERT INTO lsif_uploads (id, repo_id, commit_oid, root, indexer, num_parts, uploaded_parts, object_key, inbox_entry, format,
			state, failure_message, finished_at)
		OVERRIDING SYSTEM VALUE
		SELECT id, $1, $2, $3, $4, greatest($5, 1), array(SELECT generate_series(0, $5 - 1)),
			$6 || '/upload-' || id || '.lsif.gz', $7, CASE WHEN $8 IN ('lsif', 'scip') THEN $8 ELSE 'lsif' END,
			CASE WHEN $9 = '' THEN 'uploading' ELSE 'errored' END, nullif($9, ''), CASE WHEN $9 <> '' THEN now() END FROM next
		ON CONFLICT (inbox_entry) DO NOTHING
		RETURNING id`,
		p.RepoID, m.Commit, m.Root, m.Indexer, len(m.Parts), DefaultKeyPrefix, p.Entry, m.Format, failure).Scan(&id)
	created := err == nil
	if errors.Is(err, pgx.ErrNoRows) {
		err = db.QueryRow(ctx, `SELECT id FROM lsif_uploads WHERE inbox_entry = $1`, p.Entry).Scan(&id)
	}
	if err != nil {
		return Upload{}, false, fmt.Errorf("register inbox entry %s: %w", p.Entry, err)
	}
	up, err := UploadsGet(ctx, db, id)
	return up, created, err
}

// uploadsErrorUploading errors upload id, still uploading, with message.
func uploadsErrorUploading(ctx context.Context, db DB, id int64, message string) error {
	_, err := db.Exec(ctx, `UPDATE lsif_uploads SET state = 'errored', failure_message = $2, finished_at = now()
		WHERE id = $1 AND state = 'uploading'`, id, message)
	if err != nil {
		return fmt.Errorf("error upload %d: %w", id, err)
	}
	return nil
}
