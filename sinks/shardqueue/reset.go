package shardqueue

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// resetSet is the SET clause that takes a processing shard back: queued
// (ready at once), or failed for good when it has used its attempts. The
// interrupted attempt counts: a shard that kills its worker every time must
// not be retried forever.
const resetSet = `
	state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
	process_after = now()`

// ResetStalled takes back the processing shards whose last heartbeat is
// older than olderThan — their worker hung or died — and returns how many.
func ResetStalled(ctx context.Context, db DB, olderThan time.Duration) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE search_shards SET`+resetSet+`,
			last_error = 'stalled: no heartbeat for ' || $1::text || ' seconds (worker ' || coalesce(claimed_by, '?') || ')'
		WHERE state = 'processing' AND heartbeat_at < now() - $2 * interval '1 microsecond'`,
		fmt.Sprint(olderThan.Seconds()), olderThan.Microseconds())
	if err != nil {
		return 0, fmt.Errorf("reset stalled shards: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ResetWorkers takes back the processing shards claimed by any of workers,
// which are known to be gone (a crashed job run), without waiting for their
// heartbeats to age, and returns how many.
func ResetWorkers(ctx context.Context, db DB, workers []string) (int64, error) {
	if len(workers) == 0 {
		return 0, nil
	}
	tag, err := db.Exec(ctx, `
		UPDATE search_shards SET`+resetSet+`,
			last_error = 'abandoned: worker ' || claimed_by || ' ended without finishing'
		WHERE state = 'processing' AND claimed_by = ANY ($1::text[])`, workers)
	if err != nil {
		return 0, fmt.Errorf("reset shards of gone workers: %w", err)
	}
	return tag.RowsAffected(), nil
}

// DeadWorkers returns the workers holding processing shards whose job run
// is not running (job_runs, the runner's table): the run crashed, and the
// runner marked it failed when it next took the job's lock. Pass them to
// ResetWorkers.
func DeadWorkers(ctx context.Context, db DB) ([]string, error) {
	rows, err := db.Query(ctx, `
		SELECT DISTINCT s.claimed_by FROM search_shards s
		WHERE s.state = 'processing' AND NOT EXISTS (
			SELECT 1 FROM job_runs r WHERE r.run_id = s.claimed_by AND r.status = 'running')`)
	if err != nil {
		return nil, fmt.Errorf("find shards of ended runs: %w", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("find shards of ended runs: %w", err)
	}
	return out, nil
}
