package codeintel

import (
	"context"
	"fmt"
)

// UploadsReadyCount returns how many uploads are queued and ready now
// (their process_after has passed): the total of a process-uploads run's
// progress report. Other workers claim from the same queue, so it is an
// estimate once several run.
func UploadsReadyCount(ctx context.Context, db DB) (int64, error) {
	var n int64
	err := db.QueryRow(ctx, `SELECT count(*) FROM lsif_uploads WHERE state = 'queued' AND process_after <= now()`).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count ready uploads: %w", err)
	}
	return n, nil
}
