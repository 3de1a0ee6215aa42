package apidocs

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// RowsPerFactor is the rows per search table that a limit factor of 1.0
// allows (the reference's apidocs.search-index-limit-factor).
const RowsPerFactor = 250_000_000

// DefaultWarnEvery is how often, at most, Limit warns that it pruned.
const DefaultWarnEvery = 5 * time.Minute

// MaxRowsOf returns the rows per search table that limit factor f allows:
// f × RowsPerFactor, at least 1; f ≤ 0 means 1.0.
func MaxRowsOf(f float64) int64 {
	if f <= 0 {
		f = 1
	}
	return max(int64(f*RowsPerFactor), 1)
}

// Limit bounds the rows of each search table. One Limit is shared by the
// jobs of a process, so that its warnings are spaced out across them.
type Limit struct {
	// MaxRows is the most rows each search table keeps; 0 means
	// RowsPerFactor.
	MaxRows int64
	// WarnEvery spaces out the warnings; 0 means DefaultWarnEvery.
	WarnEvery time.Duration
	// Logger receives the warnings; nil means slog.Default().
	Logger *slog.Logger
	// NowFunc is the clock; nil means time.Now.
	NowFunc func() time.Time

	mu     sync.Mutex
	warned time.Time
}

// PruneResult counts what Enforce took out of the search tables.
type PruneResult struct {
	Uploads, Rows int64
}

// Enforce takes the rows of whole uploads, oldest upload first, out of
// each search table that holds more than MaxRows rows, until it holds at
// most MaxRows, and warns (at most every WarnEvery) when it did. An upload
// it took out stays out (its entries are kept, for pages) until a newer
// upload replaces it. Each table is one transaction; concurrent calls
// serialize. With an error it returns what the tables before the failing
// one pruned (committed).
func (l *Limit) Enforce(ctx context.Context, db DB) (PruneResult, error) {
	var total PruneResult
	for _, private := range []bool{false, true} {
		res, err := l.enforce(ctx, db, private)
		if err != nil {
			return total, err
		}
		total.Uploads += res.Uploads
		total.Rows += res.Rows
	}
	if total.Uploads > 0 {
		l.warn(total)
	}
	return total, nil
}

func (l *Limit) enforce(ctx context.Context, db DB, private bool) (PruneResult, error) {
	maxRows := cmp.Or(l.MaxRows, RowsPerFactor)
	var res PruneResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('apidocs-limit', 0))`); err != nil {
			return fmt.Errorf("lock the api docs index size: %w", err)
		}
		rows, err := tx.Query(ctx, `SELECT upload_id, rows FROM apidocs_indexed
			WHERE private = $1 AND pruned_at IS NULL ORDER BY upload_id`, private)
		if err != nil {
			return fmt.Errorf("list the uploads in %s: %w", table(private), err)
		}
		type upload struct{ ID, Rows int64 }
		list, err := pgx.CollectRows(rows, pgx.RowToStructByPos[upload])
		if err != nil {
			return fmt.Errorf("list the uploads in %s: %w", table(private), err)
		}
		var sum int64
		for _, u := range list {
			sum += u.Rows
		}
		var drop []int64
		for _, u := range list {
			if sum <= maxRows {
				break
			}
			drop = append(drop, u.ID)
			sum -= u.Rows
			res.Uploads++
			res.Rows += u.Rows
		}
		if len(drop) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM `+table(private)+` WHERE upload_id = ANY($1)`, drop); err != nil {
			return fmt.Errorf("prune %s (uploads %v): %w", table(private), drop, err)
		}
		_, err = tx.Exec(ctx, `UPDATE apidocs_indexed SET pruned_at = $2 WHERE upload_id = ANY($1)`, drop, l.now())
		if err != nil {
			return fmt.Errorf("prune %s (uploads %v): %w", table(private), drop, err)
		}
		return nil
	})
	if err != nil {
		return PruneResult{}, err
	}
	return res, nil
}

func (l *Limit) now() time.Time {
	if l.NowFunc != nil {
		return l.NowFunc()
	}
	return time.Now()
}

// warn logs that the limit pruned, unless it warned less than WarnEvery
// ago.
func (l *Limit) warn(res PruneResult) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if !l.warned.IsZero() && now.Sub(l.warned) < cmp.Or(l.WarnEvery, DefaultWarnEvery) {
		return
	}
	l.warned = now
	log := cmp.Or(l.Logger, slog.Default())
	log.Warn("api docs search index is over its size limit: the oldest uploads' rows were taken out of search; raise --apidocs-index-limit-factor to keep them",
		"max_rows_per_table", cmp.Or(l.MaxRows, RowsPerFactor), "uploads", res.Uploads, "rows", res.Rows)
}
