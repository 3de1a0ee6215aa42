// Package shardqueue is the work queue of run-searches: the search_shards
// table (see migrations/00003_insights.sql) and the shards' payloads, Arrow
// batches of search tasks in the bucket.
//
// A shard is a bounded list of tasks — (series, repository, sample times →
// commits) — written by plan-backfills or enqueue-snapshots under their job
// run, with one queue row pointing at it. Workers claim queued shards one at
// a time with FOR UPDATE SKIP LOCKED, lowest priority value first, then
// cheapest, then oldest; heartbeat while working; and complete, fail (retry
// later, or give up after max_attempts) or release them. Shards whose
// worker died are put back by ResetStalled (no heartbeat) or ResetWorkers
// (a worker known to be gone).
//
// Every queue timestamp (process_after, claimed_at, heartbeat_at,
// finished_at) comes from the database clock, now(): they measure how long
// processes have been silent and how long a retry waits, durations that
// every worker must agree on whatever host it runs on. The injected clock
// (--now) fixes data time — sample and recording times — and is never
// compared with them: a frozen --now would otherwise keep stalled shards
// from ever looking stalled, and retries from ever coming due.
//
// The package does not evaluate tasks or store results; see
// jobs/runsearches and sinks/insights.
package shardqueue

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// ErrNotFound is returned for an unknown shard id.
var ErrNotFound = errors.New("shard not found")

// ErrLost is returned when a worker acts on a shard it no longer holds: the
// shard was reset as stalled (and perhaps claimed by another worker).
var ErrLost = errors.New("shard claim lost")

// Kind is what a shard's tasks compute.
type Kind string

// The shard kinds.
const (
	KindBackfill  Kind = "backfill"  // historical points of one backfill
	KindRecording Kind = "recording" // forward points at recording times
	KindSnapshot  Kind = "snapshot"  // a series' current value
)

// State is where a shard is in its life.
type State string

// The shard states.
const (
	StateQueued     State = "queued"
	StateProcessing State = "processing"
	StateCompleted  State = "completed"
	StateFailed     State = "failed"
)

// Priorities: lower values run first.
const (
	PriorityTop      = 0   // a backfill a user prioritized
	PriorityForward  = 10  // recordings and snapshots
	PriorityBackfill = 100 // backfills
)

// DefaultMaxAttempts is how many times a shard is claimed before it fails.
const DefaultMaxAttempts = 3

// Shard is a row of search_shards.
type Shard struct {
	ID         int64
	Kind       Kind
	BackfillID int64 // 0 unless Kind is KindBackfill
	ObjectKey  string
	Tasks      int
	Priority   int
	Cost       float64
	// RepoIDs are the repositories the shard's tasks read, ascending:
	// ClaimGroup claims shards over the same repositories together. Set
	// on Enqueue; not read back.
	RepoIDs     []int64
	State       State
	Attempts    int
	MaxAttempts int
	// ProcessAfter is when a queued shard may be claimed.
	ProcessAfter time.Time
	ClaimedBy    string
	ClaimedAt    *time.Time
	HeartbeatAt  *time.Time
	LastError    string
	CreatedAt    time.Time
	// FinishedAt is when the shard's outcome was recorded: set by Complete,
	// and by Settle for a failed shard once its owner has accounted for it.
	FinishedAt *time.Time
}

// LastAttempt reports whether a claimed shard is on its last attempt: if
// this one does not complete, the shard fails.
func (s *Shard) LastAttempt() bool { return s.Attempts >= s.MaxAttempts }

// DB is what the queue's functions run statements on: a pool, a connection
// or a transaction.
type DB interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const shardColumns = `id, kind, coalesce(backfill_id, 0), object_key, tasks, priority, cost, state,
	attempts, max_attempts, process_after, coalesce(claimed_by, ''), claimed_at, heartbeat_at,
	coalesce(last_error, ''), created_at, finished_at`

func scanShard(row pgx.CollectableRow) (Shard, error) {
	var s Shard
	err := row.Scan(s.columns()...)
	return s, err
}

// columns are the scan targets of shardColumns in s.
func (s *Shard) columns() []any {
	return []any{&s.ID, &s.Kind, &s.BackfillID, &s.ObjectKey, &s.Tasks, &s.Priority, &s.Cost, &s.State,
		&s.Attempts, &s.MaxAttempts, &s.ProcessAfter, &s.ClaimedBy, &s.ClaimedAt, &s.HeartbeatAt,
		&s.LastError, &s.CreatedAt, &s.FinishedAt}
}
