package shardqueue

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
)

// DefaultGroupShards is the most shards ClaimGroup claims at once unless
// told otherwise.
const DefaultGroupShards = 32

// GroupOpts bound a ClaimGroup.
type GroupOpts struct {
	// Shards is the most shards claimed together; 0 means
	// DefaultGroupShards, 1 claims one shard as Claim does.
	Shards int
	// Kinds restricts the claim to shards of these kinds; none means any.
	Kinds []Kind
}

// ClaimGroup claims, for worker, the next ready shard as Claim does — the
// lead, the queued shard with the lowest priority value, then cost, then
// id — and with it up to opts.Shards-1 other ready queued shards sharing a
// repository with the lead (any series, backfill or kind), lowest
// priority value first, so that their tasks can be evaluated in one pass
// per repository. A shard less urgent than the lead (a higher priority
// value) joins only when all its repositories are the lead's: a
// prioritized backfill or a recording then waits for no repository it
// does not need. Each shard claimed is processing, its attempts count up
// by one, and stays its own unit of work: completed, failed, released or
// reset alone. It returns the shards lead first, then by priority, cost
// and id; none when no shard is ready. It is one statement; concurrent
// claimers never get the same shard.
func ClaimGroup(ctx context.Context, db DB, worker string, opts GroupOpts) ([]Shard, error) {
	ks := make([]string, len(opts.Kinds))
	for i, k := range opts.Kinds {
		ks[i] = string(k)
	}
	rows, err := db.Query(ctx, `
		WITH lead AS (
			SELECT id, repo_ids, priority FROM search_shards
			WHERE state = 'queued' AND process_after <= now()
				AND (cardinality($2::text[]) = 0 OR kind = ANY ($2::text[]))
			ORDER BY priority, cost, id
			FOR UPDATE SKIP LOCKED
			LIMIT 1),
		joined AS (
			SELECT s.id FROM search_shards s, lead
			WHERE s.state = 'queued' AND s.process_after <= now() AND s.id <> lead.id
				AND s.repo_ids && lead.repo_ids
				AND (s.priority <= lead.priority OR s.repo_ids <@ lead.repo_ids)
				AND (cardinality($2::text[]) = 0 OR s.kind = ANY ($2::text[]))
			ORDER BY s.priority, s.cost, s.id
			FOR UPDATE OF s SKIP LOCKED
			LIMIT $3)
		UPDATE search_shards SET state = 'processing', attempts = attempts + 1, claimed_by = $1,
			claimed_at = now(), heartbeat_at = now()
		WHERE id IN (SELECT id FROM lead UNION ALL SELECT id FROM joined)
		RETURNING `+shardColumns+`, id = (SELECT id FROM lead)`,
		worker, ks, max(cmp.Or(opts.Shards, DefaultGroupShards)-1, 0))
	if err != nil {
		return nil, fmt.Errorf("claim shards for %s: %w", worker, err)
	}
	type claimed struct {
		Shard
		lead bool
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (claimed, error) {
		var c claimed
		err := row.Scan(append(c.columns(), &c.lead)...)
		return c, err
	})
	if err != nil {
		return nil, fmt.Errorf("claim shards for %s: %w", worker, err)
	}
	slices.SortFunc(out, func(a, b claimed) int {
		if a.lead != b.lead {
			if a.lead {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.Priority, b.Priority), cmp.Compare(a.Cost, b.Cost), cmp.Compare(a.ID, b.ID))
	})
	shards := make([]Shard, len(out))
	for i, c := range out {
		shards[i] = c.Shard
	}
	return shards, nil
}

// HeartbeatGroup records that worker is still working on shards ids. It
// returns ErrLost when the worker no longer holds one of them (the others'
// heartbeats are renewed all the same); the worker should then stop.
func HeartbeatGroup(ctx context.Context, db DB, ids []int64, worker string) error {
	tag, err := db.Exec(ctx, `
		UPDATE search_shards SET heartbeat_at = now()
		WHERE id = ANY ($1::bigint[]) AND claimed_by = $2 AND state = 'processing'`, ids, worker)
	if err != nil {
		return fmt.Errorf("heartbeat shards %v: %w", ids, err)
	}
	if int(tag.RowsAffected()) < len(ids) {
		return fmt.Errorf("heartbeat shards %v: %d of them: %w", ids, len(ids)-int(tag.RowsAffected()), ErrLost)
	}
	return nil
}
