package insights

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Backfill is a row of backfills: computing a data series' history.
type Backfill struct {
	ID       int64
	SeriesID int64
	State    string // new, processing, completed or failed
	// EstimatedCost is set by planning; nil before.
	EstimatedCost *float64
	// PrioritizedAt is when a user raised the backfill to the top.
	PrioritizedAt *time.Time
	ReposTotal    int
	ReposDone     int
	ReposErrored  int
	Error         string
	// Retry marks a backfill that recomputes the series' repo-error
	// incomplete points only (BackfillRetry).
	Retry bool
	// Waiting says which repositories the backfill still waits for, to be
	// synced and indexed before their part is planned; "" when none.
	Waiting    string
	CreatedAt  time.Time
	StartedAt  *time.Time
	FinishedAt *time.Time
}

// Open reports whether the backfill is unfinished (new or processing).
func (b Backfill) Open() bool { return b.State == "new" || b.State == "processing" }

// backfillColumns lists the columns of backfills (table alias) in
// nullBackfill.dest order.
func backfillColumns(alias string) string {
	cols := []string{"id", "series_id", "state", "estimated_cost", "prioritized_at", "repos_total", "repos_done",
		"repos_errored", "error", "retry", "waiting", "created_at", "started_at", "finished_at"}
	for i, c := range cols {
		cols[i] = alias + "." + c
	}
	return strings.Join(cols, ", ")
}

// nullBackfill scans backfillColumns from an outer join, where every
// column may be NULL.
type nullBackfill struct {
	id, seriesID                      *int64
	state, err, waiting               *string
	retry                             *bool
	cost                              *float64
	prioritized, created, start, done *time.Time
	total, reposDone, errored         *int
}

func (n *nullBackfill) dest() []any {
	return []any{&n.id, &n.seriesID, &n.state, &n.cost, &n.prioritized, &n.total, &n.reposDone, &n.errored,
		&n.err, &n.retry, &n.waiting, &n.created, &n.start, &n.done}
}

// backfill returns the scanned backfill, or nil when the join found none.
func (n *nullBackfill) backfill() *Backfill {
	if n.id == nil {
		return nil
	}
	b := &Backfill{ID: *n.id, SeriesID: *n.seriesID, State: *n.state, EstimatedCost: n.cost, PrioritizedAt: n.prioritized,
		ReposTotal: *n.total, ReposDone: *n.reposDone, ReposErrored: *n.errored, CreatedAt: *n.created,
		StartedAt: n.start, FinishedAt: n.done}
	if n.err != nil {
		b.Error = *n.err
	}
	if n.waiting != nil {
		b.Waiting = *n.waiting
	}
	b.Retry = n.retry != nil && *n.retry
	return b
}

// BackfillPrioritize raises the unfinished backfills that ref names to the
// top by setting their prioritized_at to now, and returns them (none when
// they have all finished). ref is a view (unique or numeric id: every series
// of the view), "series:ID" or "backfill:ID". An unknown ref is ErrNotFound.
func BackfillPrioritize(ctx context.Context, db *pgxpool.Pool, ref string, now time.Time) ([]Backfill, error) {
	var out []Backfill
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		ids, err := seriesOfRef(ctx, tx, ref)
		if err != nil {
			return err
		}
		cond, arg := `series_id = ANY($1)`, any(ids)
		if idText, ok := strings.CutPrefix(ref, "backfill:"); ok {
			id, _ := strconv.ParseInt(idText, 10, 64) // seriesOfRef checked it
			cond, arg = `id = $1`, id
		}
		rows, err := tx.Query(ctx, `UPDATE backfills b SET prioritized_at = $2
			WHERE `+cond+` AND state IN ('new', 'processing')
			RETURNING `+backfillColumns("b"), arg, now)
		if err != nil {
			return fmt.Errorf("prioritize %s: %w", ref, err)
		}
		out, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (Backfill, error) {
			var n nullBackfill
			if err := row.Scan(n.dest()...); err != nil {
				return Backfill{}, err
			}
			return *n.backfill(), nil
		})
		if err != nil {
			return fmt.Errorf("prioritize %s: %w", ref, err)
		}
		return nil
	})
	return out, err
}

// seriesOfRef checks that ref exists and returns the data series it names:
// a view's live series, one series, or a backfill's series.
func seriesOfRef(ctx context.Context, tx pgx.Tx, ref string) ([]int64, error) {
	table, idText, ok := strings.Cut(ref, ":")
	if !ok {
		v, err := viewByRef(ctx, tx, ref, false)
		if err != nil {
			return nil, err
		}
		rows, err := tx.Query(ctx, `SELECT series_id FROM insight_view_series WHERE view_id = $1 AND deleted_at IS NULL`, v.ID)
		if err != nil {
			return nil, fmt.Errorf("view %q series: %w", ref, err)
		}
		return pgx.CollectRows(rows, pgx.RowTo[int64])
	}
	id, err := strconv.ParseInt(idText, 10, 64)
	var query string
	switch table {
	case "series":
		query = `SELECT id FROM insight_series WHERE id = $1 AND deleted_at IS NULL`
	case "backfill":
		query = `SELECT series_id FROM backfills WHERE id = $1`
	default:
		return nil, fmt.Errorf("%q: want a view id, series:ID or backfill:ID", ref)
	}
	if err != nil {
		return nil, fmt.Errorf("%q: want a view id, series:ID or backfill:ID", ref)
	}
	var seriesID int64
	err = tx.QueryRow(ctx, query, id).Scan(&seriesID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("%s %d %w; sightline insights list and sightline status show them", table, id, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find %s: %w", ref, err)
	}
	return []int64{seriesID}, nil
}
