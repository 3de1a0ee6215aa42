package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultRecentBackfills is how many finished backfills StatusGet lists
// when asked for 0.
const DefaultRecentBackfills = 10

// Status is the state of the insights pipeline: backfills under way and
// recently finished, the search-shard queue, incomplete points, and the
// recordings that wait for a commit index.
type Status struct {
	Backfills  []BackfillProgress `json:"backfills"`
	Queue      []QueueDepth       `json:"queue"`
	Incomplete []IncompleteCount  `json:"incomplete"`
	// RecordingsWaiting are the series whose due recording waits.
	RecordingsWaiting []RecordingWait `json:"recordings_waiting"`
}

// BackfillProgress is one backfill and how far it got.
type BackfillProgress struct {
	ID       int64 `json:"id"`
	SeriesID int64 `json:"series_id"`
	// Views are the live views showing the series, as "VIEW/LABEL".
	Views        []string `json:"views"`
	State        string   `json:"state"`
	ReposTotal   int      `json:"repos_total"`
	ReposDone    int      `json:"repos_done"`
	ReposErrored int      `json:"repos_errored"`
	// PercentDone is 100 × ReposDone / ReposTotal (0 before planning).
	PercentDone float64 `json:"percent_done"`
	// Waiting says which repositories the backfill waits for, to be synced
	// and indexed; "" when none.
	Waiting    string     `json:"waiting,omitempty"`
	Error      string     `json:"error,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	StartedAt  *time.Time `json:"started_at,omitempty"`
	FinishedAt *time.Time `json:"finished_at,omitempty"`
}

// QueueDepth counts the search shards of one kind in one state.
type QueueDepth struct {
	Kind   string `json:"kind"`
	State  string `json:"state"`
	Shards int64  `json:"shards"`
	Tasks  int64  `json:"tasks"`
	// Oldest is when the oldest of these shards was created.
	Oldest time.Time `json:"oldest"`
}

// IncompleteCount counts the incomplete points of live series with one
// reason.
type IncompleteCount struct {
	Reason string `json:"reason"`
	Points int64  `json:"points"`
	Series int64  `json:"series"`
	// Repos counts the distinct repositories named; a point missing as a
	// whole names none.
	Repos int64 `json:"repos"`
}

// StatusGet returns every unfinished backfill and the recent (newest
// first; DefaultRecentBackfills when 0) finished ones, the shard queue by
// kind and state, and incomplete points by reason. It reads a consistent
// snapshot.
func StatusGet(ctx context.Context, db *pgxpool.Pool, recent int) (Status, error) {
	if recent <= 0 {
		recent = DefaultRecentBackfills
	}
	var st Status
	err := pgx.BeginTxFunc(ctx, db, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly},
		func(tx pgx.Tx) error {
			var err error
			if st.Backfills, err = backfillProgress(ctx, tx, recent); err != nil {
				return err
			}
			if st.Queue, err = queueDepth(ctx, tx); err != nil {
				return err
			}
			if st.Incomplete, err = incompleteCounts(ctx, tx); err != nil {
				return err
			}
			st.RecordingsWaiting, err = recordingWaits(ctx, tx)
			return err
		})
	if err != nil {
		return Status{}, fmt.Errorf("insights status: %w", err)
	}
	// Empty lists, not nulls, in JSON.
	st.Backfills = nonNilSlice(st.Backfills)
	st.Queue = nonNilSlice(st.Queue)
	st.Incomplete = nonNilSlice(st.Incomplete)
	st.RecordingsWaiting = nonNilSlice(st.RecordingsWaiting)
	return st, nil
}

func backfillProgress(ctx context.Context, tx pgx.Tx, recent int) ([]BackfillProgress, error) {
	rows, err := tx.Query(ctx, `
		WITH shown AS (
			(SELECT * FROM backfills WHERE state IN ('new', 'processing'))
			UNION ALL
			(SELECT * FROM backfills WHERE state IN ('completed', 'failed')
			 ORDER BY finished_at DESC NULLS LAST, id DESC LIMIT $1)
		)
		SELECT b.id, b.series_id,
			coalesce((SELECT array_agg(v.unique_id || '/' || vs.label ORDER BY v.unique_id, vs.position)
				FROM insight_view_series vs JOIN insight_views v ON v.id = vs.view_id
				WHERE vs.series_id = b.series_id AND vs.deleted_at IS NULL AND v.deleted_at IS NULL), '{}'),
			b.state, b.repos_total, b.repos_done, b.repos_errored, coalesce(b.waiting, ''), coalesce(b.error, ''),
			b.created_at, b.started_at, b.finished_at
		FROM shown b
		ORDER BY b.state IN ('completed', 'failed'), b.state = 'new', b.id DESC`, recent)
	if err != nil {
		return nil, fmt.Errorf("backfills: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (BackfillProgress, error) {
		var b BackfillProgress
		err := row.Scan(&b.ID, &b.SeriesID, &b.Views, &b.State, &b.ReposTotal, &b.ReposDone, &b.ReposErrored,
			&b.Waiting, &b.Error, &b.CreatedAt, &b.StartedAt, &b.FinishedAt)
		if b.ReposTotal > 0 {
			b.PercentDone = 100 * float64(b.ReposDone) / float64(b.ReposTotal)
		}
		return b, err
	})
}

func queueDepth(ctx context.Context, tx pgx.Tx) ([]QueueDepth, error) {
	rows, err := tx.Query(ctx, `SELECT kind, state, count(*), sum(tasks)::bigint, min(created_at)
		FROM search_shards GROUP BY kind, state
		ORDER BY kind, array_position(ARRAY['queued', 'processing', 'failed', 'completed'], state)`)
	if err != nil {
		return nil, fmt.Errorf("shard queue: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (QueueDepth, error) {
		var q QueueDepth
		err := row.Scan(&q.Kind, &q.State, &q.Shards, &q.Tasks, &q.Oldest)
		return q, err
	})
}

func incompleteCounts(ctx context.Context, tx pgx.Tx) ([]IncompleteCount, error) {
	rows, err := tx.Query(ctx, `SELECT i.reason, count(*), count(DISTINCT i.series_id), count(DISTINCT i.repo_id)
		FROM incomplete_points i JOIN insight_series s ON s.id = i.series_id
		WHERE s.deleted_at IS NULL
		GROUP BY i.reason ORDER BY count(*) DESC, i.reason`)
	if err != nil {
		return nil, fmt.Errorf("incomplete points: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (IncompleteCount, error) {
		var c IncompleteCount
		err := row.Scan(&c.Reason, &c.Points, &c.Series, &c.Repos)
		return c, err
	})
}

func nonNilSlice[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
