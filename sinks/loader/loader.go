// Package loader loads the Arrow batches of committed job runs into
// Postgres, exactly once: each batch is loaded in one transaction that also
// records it in the loaded_batches ledger, so a crash loses nothing and a
// rerun (or a concurrent loader) never loads a batch twice.
//
// Atomicity is per batch by default. A job whose batches only make sense
// together (index-commits: a repository's head must never be recorded
// without its commits) sets Loader.Atomic, and every batch of a run is then
// loaded in one transaction, ledger rows included: all of the run, or
// nothing.
//
// Rows go in with COPY, streamed record by record from the bucket. Where
// they land is the job's business, described by a Target per batch kind:
// straight into a table, or into a staging table that a Merge statement
// upserts from. The loader does not write batches (see pipeline/batch) or
// decide when to load; jobs call LoadPending when they finish.
package loader

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/metrics"
)

// Loader loads committed runs from Bucket into DB. Its fields must be set
// before use and not changed after; a Loader is safe for concurrent use.
type Loader struct {
	// DB is the database loaded into; it must have the loaded_batches ledger.
	DB *pgxpool.Pool
	// Bucket holds the runs.
	Bucket bucket.Bucket
	// Registry is the set of batch kinds this binary reads; nil means the
	// kinds of Targets. A registry that knows more kinds than Targets cover
	// tells "unknown kind" (upgrade) apart from "no target" (a bug).
	Registry *batch.Registry
	// Targets says where each batch kind goes; one per kind and version.
	Targets []Target
	// Logger receives a line per loaded batch; nil discards.
	Logger *slog.Logger
	// Concurrency is how many batches of a run LoadRun loads at once, each
	// on its own connection; 0 or 1 loads them one by one in manifest
	// order. Above 1, only for kinds whose loads do not depend on each
	// other's order. Atomic ignores it.
	Concurrency int
	// Atomic loads all the batches of a run in one transaction, in
	// manifest order, with all their ledger rows: a failure anywhere
	// leaves none of them loaded. Set it when one batch's rows are wrong
	// without another's. Two batches of a run may not share a target
	// that has a Prepare (its staging table would be created twice in
	// the transaction).
	Atomic bool

	// pgxCopy makes every COPY go through pgx's CopyFrom, not the binary
	// fast path (copybinary.go), for tests that compare the two.
	pgxCopy bool
}

// Result counts what a load did.
type Result struct {
	// Runs is the number of runs LoadRun was called on; LoadPending does not
	// count runs that were loaded already.
	Runs int
	// Batches is the number of batches in those runs.
	Batches int
	// Loaded is the number of batches loaded by this call.
	Loaded int
	// Skipped is the number of batches found already loaded.
	Skipped int
	// Rows is the number of rows loaded by this call.
	Rows int64
}

func (r *Result) add(o Result) {
	r.Runs += o.Runs
	r.Batches += o.Batches
	r.Loaded += o.Loaded
	r.Skipped += o.Skipped
	r.Rows += o.Rows
}

// LoadRun loads every batch of the committed run m not loaded yet, in
// manifest order. It checks first that every batch has a known kind and a
// Target, so a run that cannot be loaded fully is not loaded at all.
// Concurrent LoadRun calls on one run, in one process or several, load
// each batch once, and a batch found in the ledger is skipped, so LoadRun
// is idempotent.
//
// With Atomic, the run is loaded in one transaction: on error nothing of it
// is loaded. Otherwise each batch has its own transaction (Concurrency at a
// time): once one fails no further batch starts, those already loading
// finish, and the batches loaded stay loaded; a later LoadRun loads the
// rest. Either way the Result counts only what was committed.
func (l *Loader) LoadRun(ctx context.Context, m batch.Manifest) (Result, error) {
	plans, err := l.plan(m)
	if err != nil {
		return Result{}, err
	}
	if l.Atomic {
		return l.loadAtomic(ctx, m, plans)
	}
	return l.loadEach(ctx, m, plans)
}

// loadEach loads each batch of plans in its own transaction, Concurrency
// at a time, and starts none after one fails.
func (l *Loader) loadEach(ctx context.Context, m batch.Manifest, plans []plan) (Result, error) {
	res := Result{Runs: 1, Batches: len(m.Batches)}
	var mu sync.Mutex
	var failed atomic.Bool
	var g errgroup.Group
	g.SetLimit(max(l.Concurrency, 1))
	for _, p := range plans {
		if failed.Load() {
			break
		}
		// g.Go waits for a free slot, which a failing batch frees: the
		// flag must be checked again once the batch holds its slot.
		g.Go(func() error {
			if failed.Load() {
				return nil
			}
			one, err := l.loadOne(ctx, m, p)
			if err != nil {
				failed.Store(true)
			}
			mu.Lock()
			res.add(one)
			mu.Unlock()
			return err
		})
	}
	err := g.Wait()
	return res, err
}

// loadOne loads the batch of plan p and says what it did.
func (l *Loader) loadOne(ctx context.Context, m batch.Manifest, p plan) (Result, error) {
	start := time.Now()
	rows, err := l.loadTx(ctx, m, []plan{p}, fmt.Sprintf("load batch %q", p.info.Key))
	if err != nil {
		return Result{}, err
	}
	return l.logLoaded(ctx, p, rows[0], start), nil
}

// loadAtomic loads every batch of plans in one transaction.
func (l *Loader) loadAtomic(ctx context.Context, m batch.Manifest, plans []plan) (Result, error) {
	res := Result{Runs: 1, Batches: len(m.Batches)}
	if err := checkAtomic(m, plans); err != nil {
		return res, err
	}
	start := time.Now()
	rows, err := l.loadTx(ctx, m, plans, fmt.Sprintf("load run %s/%s", m.Job, m.RunID))
	if err != nil {
		return res, err
	}
	for i, p := range plans {
		res.add(l.logLoaded(ctx, p, rows[i], start))
	}
	return res, nil
}

// logLoaded logs a committed batch and counts it, in the result and in the
// run's row tally (metrics.AddRows): rows is what loadTx returned for it,
// notLoaded for a batch already in the ledger.
func (l *Loader) logLoaded(ctx context.Context, p plan, rows int64, start time.Time) Result {
	if rows == notLoaded {
		l.logger().Debug("batch already loaded", "key", p.info.Key)
		return Result{Skipped: 1}
	}
	l.logger().Info("loaded batch", "key", p.info.Key, "kind", p.info.Kind,
		"table", p.target.Table, "rows", rows, "duration", time.Since(start))
	metrics.AddRows(ctx, p.info.Kind, rows)
	return Result{Loaded: 1, Rows: rows}
}

// LoadPending loads every committed run of job that has batches not loaded
// yet, oldest run first. Jobs call it when they finish; a rerun after a
// crash calls it to finish the loads the crash interrupted. Runs without a
// manifest are incomplete and are left alone.
func (l *Loader) LoadPending(ctx context.Context, job string) (Result, error) {
	runs, err := batch.ListRuns(ctx, l.Bucket, job)
	if err != nil {
		return Result{}, err
	}
	loaded, err := l.loadedPerRun(ctx, job)
	if err != nil {
		return Result{}, err
	}
	var total Result
	for _, m := range runs {
		if loaded[m.RunID] >= len(m.Batches) {
			continue
		}
		res, err := l.LoadRun(ctx, m)
		total.add(res)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// loadedPerRun counts the ledger rows of each of job's runs.
func (l *Loader) loadedPerRun(ctx context.Context, job string) (map[string]int, error) {
	rows, err := l.DB.Query(ctx, `SELECT run_id, count(*) FROM loaded_batches WHERE job = $1 GROUP BY run_id`, job)
	if err != nil {
		return nil, fmt.Errorf("read load ledger of job %q: %w", job, err)
	}
	defer rows.Close()
	counts := make(map[string]int)
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("read load ledger of job %q: %w", job, err)
		}
		counts[id] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read load ledger of job %q: %w", job, err)
	}
	return counts, nil
}

func (l *Loader) logger() *slog.Logger {
	if l.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.Logger
}

// ForgetRun deletes the ledger rows of run runID of job. Call it only once
// the run's batches are gone from the bucket (batch.DeleteRun): a batch
// still there could then be loaded again.
func ForgetRun(ctx context.Context, db *pgxpool.Pool, job, runID string) (int64, error) {
	tag, err := db.Exec(ctx, `DELETE FROM loaded_batches WHERE job = $1 AND run_id = $2`, job, runID)
	if err != nil {
		return 0, fmt.Errorf("delete the load ledger rows of run %s/%s: %w", job, runID, err)
	}
	return tag.RowsAffected(), nil
}

// UnloadedCount returns how many of keys, batch object keys, the load
// ledger has no row for: batches never (or not yet) loaded.
func UnloadedCount(ctx context.Context, db *pgxpool.Pool, keys []string) (int, error) {
	var n int
	err := db.QueryRow(ctx, `
		SELECT count(*) FROM unnest($1::text[]) AS k(key)
		WHERE NOT EXISTS (SELECT FROM loaded_batches l WHERE l.batch_key = k.key)`, keys).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("check the load ledger for %d batches: %w", len(keys), err)
	}
	return n, nil
}
