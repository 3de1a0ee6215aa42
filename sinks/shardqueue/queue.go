package shardqueue

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Enqueue inserts a queued shard, ready at once, and returns its id. Call it
// in the transaction that records what the shard is for (the backfill's
// state, the series' next recording), after the shard's tasks are stored at
// s.ObjectKey. Of s it uses Kind, BackfillID, ObjectKey, Tasks, Priority,
// Cost, RepoIDs and MaxAttempts (0 means DefaultMaxAttempts).
func Enqueue(ctx context.Context, db DB, s Shard) (int64, error) {
	repoIDs := s.RepoIDs
	if repoIDs == nil {
		repoIDs = []int64{} // the column is NOT NULL
	}
	var backfill *int64
	if s.BackfillID != 0 {
		backfill = &s.BackfillID
	}
	var id int64
	err := db.QueryRow(ctx, `
		INSERT INTO search_shards (kind, backfill_id, object_key, tasks, priority, cost, max_attempts, process_after, repo_ids)
		VALUES ($1, $2, $3, $4, $5, $6, $7, now(), $8)
		RETURNING id`,
		s.Kind, backfill, s.ObjectKey, s.Tasks, s.Priority, s.Cost, cmp.Or(s.MaxAttempts, DefaultMaxAttempts),
		repoIDs).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("enqueue shard %q: %w", s.ObjectKey, err)
	}
	return id, nil
}

// Claim takes the next ready shard of one of kinds (any kind when none are
// given) for worker: the queued shard with the lowest priority value, then
// the lowest cost, then the lowest id, whose process_after has passed. The
// shard becomes processing, its attempts count goes up by one and its
// heartbeat starts now. Claim returns nil when no shard is ready. It is one
// statement; concurrent claimers never get the same shard (rows another
// claimer has locked are skipped, not waited for).
func Claim(ctx context.Context, db DB, worker string, kinds ...Kind) (*Shard, error) {
	shards, err := ClaimGroup(ctx, db, worker, GroupOpts{Shards: 1, Kinds: kinds})
	if err != nil || len(shards) == 0 {
		return nil, err
	}
	return &shards[0], nil
}

// Complete marks shard id, held by worker, completed. Call it in the
// transaction that accounts for the shard's results, so that they are
// counted once. It returns ErrLost when the worker no longer holds the
// shard (the transaction should then roll back).
func Complete(ctx context.Context, db DB, id int64, worker string) error {
	tag, err := db.Exec(ctx, `
		UPDATE search_shards SET state = 'completed', finished_at = now(), heartbeat_at = now()
		WHERE id = $1 AND claimed_by = $2 AND state = 'processing'`, id, worker)
	return held(tag, err, id, "complete")
}

// FailParams are a failed attempt: the shard, the worker that held it, the
// cause and how long to wait before the shard may be claimed again.
type FailParams struct {
	ID         int64
	Worker     string
	Cause      error
	RetryAfter time.Duration
}

// Fail records that p.Worker's attempt at shard p.ID failed with p.Cause.
// The shard is queued again, claimable after p.RetryAfter, unless it has
// used its attempts: then it is failed for good, and returned state says
// so. A failed shard stays unsettled (FinishedAt nil) until its owner
// records what it lost and calls Settle. It returns ErrLost when the worker
// no longer holds the shard.
func Fail(ctx context.Context, db DB, p FailParams) (State, error) {
	id, worker, cause, retryAfter := p.ID, p.Worker, p.Cause, p.RetryAfter
	var st State
	err := db.QueryRow(ctx, `
		UPDATE search_shards SET
			state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
			process_after = now() + $4 * interval '1 microsecond',
			last_error = $3
		WHERE id = $1 AND claimed_by = $2 AND state = 'processing'
		RETURNING state`, id, worker, cause.Error(), retryAfter.Microseconds()).Scan(&st)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("fail shard %d: %w", id, ErrLost)
	}
	if err != nil {
		return "", fmt.Errorf("fail shard %d: %w", id, err)
	}
	return st, nil
}

// Release puts shard id, held by worker, back in the queue, ready at once,
// without counting the attempt: for a worker that stops (SIGTERM) before
// finishing. It returns ErrLost when the worker no longer holds the shard.
func Release(ctx context.Context, db DB, id int64, worker string) error {
	tag, err := db.Exec(ctx, `
		UPDATE search_shards SET state = 'queued', attempts = greatest(attempts - 1, 0),
			process_after = now(), last_error = 'released: the worker stopped before finishing'
		WHERE id = $1 AND claimed_by = $2 AND state = 'processing'`, id, worker)
	return held(tag, err, id, "release")
}

// Settle records that failed shard id has been accounted for by its owner
// (its lost tasks recorded as incomplete points): it sets FinishedAt. Call
// it in the transaction that does the accounting. Settling a shard twice,
// or one that is not failed, does nothing and returns false.
func Settle(ctx context.Context, db DB, id int64) (bool, error) {
	tag, err := db.Exec(ctx, `
		UPDATE search_shards SET finished_at = now()
		WHERE id = $1 AND state = 'failed' AND finished_at IS NULL`, id)
	if err != nil {
		return false, fmt.Errorf("settle shard %d: %w", id, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Unsettled returns the failed shards nobody has accounted for yet, oldest
// first.
func Unsettled(ctx context.Context, db DB) ([]Shard, error) {
	return list(ctx, db, `WHERE state = 'failed' AND finished_at IS NULL ORDER BY id`)
}

// Get returns shard id.
func Get(ctx context.Context, db DB, id int64) (Shard, error) {
	out, err := list(ctx, db, `WHERE id = $1`, id)
	if err != nil {
		return Shard{}, err
	}
	if len(out) == 0 {
		return Shard{}, fmt.Errorf("shard %d: %w", id, ErrNotFound)
	}
	return out[0], nil
}

// ListBackfill returns the shards of backfill id, by id.
func ListBackfill(ctx context.Context, db DB, backfillID int64) ([]Shard, error) {
	return list(ctx, db, `WHERE backfill_id = $1 ORDER BY id`, backfillID)
}

// PromotePrioritized moves the queued shards of prioritized backfills
// (backfills.prioritized_at set, by `sightline insights prioritize`) to
// PriorityTop and returns how many moved. Workers call it before claiming,
// so raising a backfill needs nothing but its prioritized_at.
func PromotePrioritized(ctx context.Context, db DB) (int64, error) {
	tag, err := db.Exec(ctx, `
		UPDATE search_shards s SET priority = $1
		FROM backfills b
		WHERE s.backfill_id = b.id AND b.prioritized_at IS NOT NULL AND s.state = 'queued' AND s.priority > $1`,
		PriorityTop)
	if err != nil {
		return 0, fmt.Errorf("promote shards of prioritized backfills: %w", err)
	}
	return tag.RowsAffected(), nil
}

// held turns the outcome of an update of a held shard into ErrLost when no
// row matched.
func held(tag pgconn.CommandTag, err error, id int64, op string) error {
	if err != nil {
		return fmt.Errorf("%s shard %d: %w", op, id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("%s shard %d: %w", op, id, ErrLost)
	}
	return nil
}

func list(ctx context.Context, db DB, where string, args ...any) ([]Shard, error) {
	rows, err := db.Query(ctx, `SELECT `+shardColumns+` FROM search_shards `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("list shards: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanShard)
	if err != nil {
		return nil, fmt.Errorf("list shards: %w", err)
	}
	return out, nil
}

// PendingCount returns how many of keys, task shard object keys, belong to
// a shard still queued or processing: one a worker has yet to read.
func PendingCount(ctx context.Context, db DB, keys []string) (int, error) {
	var n int
	err := db.QueryRow(ctx, `
		SELECT count(*) FROM unnest($1::text[]) AS k(key)
		WHERE EXISTS (SELECT FROM search_shards s WHERE s.object_key = k.key AND s.state IN ('queued', 'processing'))`,
		keys).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("check the shard queue for %d task shards: %w", len(keys), err)
	}
	return n, nil
}
