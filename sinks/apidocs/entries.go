package apidocs

import (
	"context"
	"errors"
	"fmt"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

// ErrIncomplete is returned by EntriesCheck when apidocs_entries does not
// hold the rows the batches of an upload's conversion carry.
var ErrIncomplete = errors.New("the loaded api docs entries do not match the converted batches")

// EntriesDelete deletes every entry of upload id (the rows a failed or
// crashed attempt loaded). Idempotent.
func EntriesDelete(ctx context.Context, db DB, id int64) error {
	if _, err := db.Exec(ctx, `DELETE FROM apidocs_entries WHERE upload_id = $1`, id); err != nil {
		return fmt.Errorf("delete the api docs entries of upload %d: %w", id, err)
	}
	return nil
}

// EntriesCheck checks, before upload id is completed, that apidocs_entries
// holds exactly as many of its rows as the EntryKind batches of m carry
// (batches of other kinds are not this store's); otherwise it returns an
// error wrapping ErrIncomplete that names both counts.
func EntriesCheck(ctx context.Context, db DB, id int64, m batch.Manifest) error {
	var want int64
	for _, b := range m.Batches {
		if b.Kind == EntryKind.Name() {
			want += b.Rows
		}
	}
	var got int64
	if err := db.QueryRow(ctx, `SELECT count(*) FROM apidocs_entries WHERE upload_id = $1`, id).Scan(&got); err != nil {
		return fmt.Errorf("count the api docs entries of upload %d: %w", id, err)
	}
	if got != want {
		return fmt.Errorf("upload %d (batch run %s/%s): %w: apidocs_entries has %d, the batches %d", id, m.Job, m.RunID, ErrIncomplete, got, want)
	}
	return nil
}
