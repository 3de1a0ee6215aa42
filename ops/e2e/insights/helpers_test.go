// Package insights tests code insights end to end: insights applied from
// YAML, the jobs sync-repos → index-commits → plan-backfills → run-searches →
// enqueue-snapshots on real Postgres, a file bucket and git repositories
// built in the test, and the series read back as users see them, checked
// against git grep. It also holds the backfill benchmark (make bench). It
// has test files only: nothing imports it.
package insights

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"
)

// count returns the result of a count(*) query.
func count(t testing.TB, db *pgxpool.Pool, sql string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
