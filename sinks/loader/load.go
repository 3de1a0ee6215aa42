package loader

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

// notLoaded is what loadTx returns for a batch found already loaded.
const notLoaded = -1

// loadTx loads the batches of plans in one transaction, each with its
// ledger row, and returns the rows loaded per plan: notLoaded for a batch
// another load had already done. Any error rolls everything back, so the
// batches stay unloaded. what names the work in errors.
func (l *Loader) loadTx(ctx context.Context, m batch.Manifest, plans []plan, what string) ([]int64, error) {
	tx, err := l.DB.Begin(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: begin: %w", what, err)
	}
	// Rollback after Commit is a no-op. It must run even when ctx is
	// cancelled, or the connection goes back to the pool mid-transaction.
	defer tx.Rollback(context.WithoutCancel(ctx))

	rows := make([]int64, len(plans))
	for i, p := range plans {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		claimed, err := claim(ctx, tx, m, p.info)
		if err != nil {
			return nil, err
		}
		rows[i] = notLoaded
		if claimed {
			if rows[i], err = l.fill(ctx, tx, p); err != nil {
				return nil, err
			}
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, fmt.Errorf("%s: commit: %w", what, err)
	}
	return rows, nil
}

// checkAtomic refuses a run that cannot load in one transaction: two
// batches through one target with a Prepare, which would create its
// staging table twice.
func checkAtomic(m batch.Manifest, plans []plan) error {
	seen := make(map[*Target]string)
	for _, p := range plans {
		if p.target.Prepare == "" {
			continue
		}
		if other, ok := seen[p.target]; ok {
			return fmt.Errorf("load run %s/%s atomically: batches %q and %q both load through the target of kind %s, whose Prepare can run once per transaction; write one batch of that kind per run",
				m.Job, m.RunID, other, p.info.Key, p.target.Kind)
		}
		seen[p.target] = p.info.Key
	}
	return nil
}

// claim inserts the batch's ledger row and reports whether it was new. The
// row holds the manifest's row count: fill fails the transaction unless
// COPY loads exactly that many. If another transaction is loading the same
// batch, the insert waits for it: when it commits the row exists and claim
// returns false; when it rolls back the insert goes through and this
// transaction loads the batch. Atomic loads of one run claim in manifest
// order, so two of them cannot deadlock.
func claim(ctx context.Context, tx pgx.Tx, m batch.Manifest, info batch.Info) (bool, error) {
	tag, err := tx.Exec(ctx, `
		INSERT INTO loaded_batches (batch_key, job, run_id, kind, kind_version, rows)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (batch_key) DO NOTHING`,
		info.Key, m.Job, m.RunID, info.Kind, info.Version, info.Rows)
	if err != nil {
		return false, fmt.Errorf("load batch %q: claim in ledger: %w", info.Key, err)
	}
	return tag.RowsAffected() == 1, nil
}

// fill runs the target's Prepare, COPY and Merge and returns the rows
// copied, which must be the rows the manifest lists.
func (l *Loader) fill(ctx context.Context, tx pgx.Tx, p plan) (int64, error) {
	key, t := p.info.Key, p.target
	if t.Prepare != "" {
		if _, err := tx.Exec(ctx, t.Prepare); err != nil {
			return 0, fmt.Errorf("load batch %q: prepare for %s: %w", key, t.Table, err)
		}
	}
	rows, err := l.copy(ctx, tx, p)
	if err != nil {
		return 0, err
	}
	if rows != p.info.Rows {
		return 0, fmt.Errorf("load batch %q: it has %d rows, its manifest says %d: the batch or manifest is corrupt", key, rows, p.info.Rows)
	}
	if t.Merge != "" {
		if _, err := tx.Exec(ctx, t.Merge); err != nil {
			return 0, fmt.Errorf("load batch %q: merge from %s: %w", key, t.Table, err)
		}
	}
	return rows, nil
}

// copy streams the batch from the bucket into the target table.
func (l *Loader) copy(ctx context.Context, tx pgx.Tx, p plan) (int64, error) {
	key, t := p.info.Key, p.target
	r, err := batch.Open(ctx, l.Bucket, key, p.reg)
	if err != nil {
		return 0, fmt.Errorf("load batch %q: %w", key, err)
	}
	defer r.Close()
	if got := r.Kind(); got.Name() != t.Kind.Name() || got.Version() != t.Kind.Version() {
		return 0, fmt.Errorf("load batch %q: it holds kind %s, its manifest says %s v%d", key, got, p.info.Kind, p.info.Version)
	}
	if !l.pgxCopy {
		n, ok, err := copyBinary(ctx, tx, r, t.table(), t.columns())
		if err != nil {
			return 0, fmt.Errorf("load batch %q: copy into %s: %w", key, t.Table, err)
		}
		if ok {
			return n, nil
		}
	}
	src, err := newRowSource(r, t.columns())
	if err != nil {
		return 0, fmt.Errorf("load batch %q: %w", key, err)
	}
	n, err := tx.CopyFrom(ctx, t.table(), t.columns(), src)
	if err != nil {
		return 0, fmt.Errorf("load batch %q: copy into %s: %w", key, t.Table, err)
	}
	return n, nil
}
