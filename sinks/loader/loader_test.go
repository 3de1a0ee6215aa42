package loader

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

var (
	itemID   = batch.Int64("id")
	itemName = batch.String("name")
	itemKind = batch.NewKind("item", 1, itemID, itemName)
)

// newDB returns a migrated database with the table items(id, name).
func newDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	db := pgtest.NewDB(t)
	exec(t, db, `CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL)`)
	return db
}

func exec(t testing.TB, db *pgxpool.Pool, sql string) {
	t.Helper()
	if _, err := db.Exec(context.Background(), sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func queryInt(t testing.TB, db *pgxpool.Pool, sql string) int64 {
	t.Helper()
	var n int64
	if err := db.QueryRow(context.Background(), sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

// ledger returns the ledger's batch keys and row counts, in key order.
func ledger(t testing.TB, db *pgxpool.Pool) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT batch_key || ' ' || rows FROM loaded_batches ORDER BY batch_key`)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return keys
}

// items maps a batch name to the ids of its rows; every row is named
// "<batch>-<id>".
type items map[string][]int64

// writeRun writes one itemKind batch per entry of batches, in name order,
// and commits the run unless commit is false.
func writeRun(t testing.TB, b bucket.Bucket, runID string, batches items, commit bool) batch.Manifest {
	t.Helper()
	run := batch.NewRun(b, "job", runID)
	for _, name := range slices.Sorted(maps.Keys(batches)) {
		w, err := run.Create(t.Context(), name, itemKind)
		if err != nil {
			t.Fatal(err)
		}
		bld := w.Builder()
		bld.MaxRows = 3
		for _, id := range batches[name] {
			itemID.Append(bld, id)
			itemName.Append(bld, fmt.Sprintf("%s-%d", name, id))
			if err := bld.EndRow(); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if !commit {
		return batch.Manifest{}
	}
	m, err := run.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func ids(from, to int64) []int64 {
	var out []int64
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

// TestLoadRunOnce loads a run one batch at a time and several at once:
// each batch once, a second LoadRun skips them all.
func TestLoadRunOnce(t *testing.T) {
	t.Parallel()
	for _, concurrency := range []int{1, 3} {
		t.Run(fmt.Sprintf("concurrency-%d", concurrency), func(t *testing.T) {
			t.Parallel()
			testLoadRunOnce(t, concurrency)
		})
	}
}

func testLoadRunOnce(t *testing.T, concurrency int) {
	db, b := newDB(t), buckettest.NewFileBucket(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 7), "b": ids(8, 10), "c": ids(11, 11)}, true)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}, Concurrency: concurrency}

	res, err := l.LoadRun(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 3, Loaded: 3, Rows: 11}, res); diff != "" {
		t.Errorf("first LoadRun (-want +got):\n%s", diff)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items WHERE name IN ('a-' || id, 'b-' || id, 'c-' || id)`); n != 11 {
		t.Errorf("items has %d rows, want 11", n)
	}
	want := []string{"runs/job/run1/a.arrow 7", "runs/job/run1/b.arrow 3", "runs/job/run1/c.arrow 1"}
	if diff := cmp.Diff(want, ledger(t, db)); diff != "" {
		t.Errorf("ledger (-want +got):\n%s", diff)
	}

	res, err = l.LoadRun(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 3, Skipped: 3}, res); diff != "" {
		t.Errorf("second LoadRun (-want +got):\n%s", diff)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 11 {
		t.Errorf("items has %d rows after a second load, want 11", n)
	}
}

// upsertTarget loads items through a staging table, newest name winning.
var upsertTarget = Target{
	Kind:    itemKind,
	Table:   "stage_items",
	Prepare: `CREATE TEMP TABLE stage_items (id bigint, name text) ON COMMIT DROP`,
	Merge: `INSERT INTO items SELECT id, name FROM stage_items
		ON CONFLICT (id) DO UPDATE SET name = excluded.name`,
}

func TestLoadRunMerge(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{upsertTarget}}
	writeRun(t, b, "run1", items{"old": ids(1, 3)}, true)
	writeRun(t, b, "run2", items{"new": ids(2, 4)}, true)
	res, err := l.LoadPending(t.Context(), "job")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 2, Batches: 2, Loaded: 2, Rows: 6}, res); diff != "" {
		t.Errorf("LoadPending (-want +got):\n%s", diff)
	}
	want := []string{"old-1", "new-2", "new-3", "new-4"}
	if diff := cmp.Diff(want, names(t, db)); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
}

func names(t testing.TB, db *pgxpool.Pool) []string {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT name FROM items ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestConcurrentLoadRun(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 50), "b": ids(51, 60), "c": ids(61, 200), "d": ids(201, 205)}, true)
	results := make([]Result, 3)
	var wg sync.WaitGroup
	for i := range results {
		// Loaders one batch at a time and several at once, side by side.
		l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}, Concurrency: i + 1}
		wg.Go(func() {
			res, err := l.LoadRun(t.Context(), m)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	var total Result
	for _, r := range results {
		total.add(r)
	}
	// items has a primary key: a batch loaded twice would have failed.
	if total.Loaded != 4 || total.Skipped != 8 || total.Rows != 205 {
		t.Errorf("results %+v add up to %+v, want 4 loaded, 8 skipped, 205 rows", results, total)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 205 {
		t.Errorf("items has %d rows, want 205", n)
	}
}

func TestLoadPendingSkipsIncompleteRuns(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}}
	writeRun(t, b, "run1", items{"a": ids(1, 2)}, true)
	writeRun(t, b, "run2", items{"a": ids(3, 4)}, false) // crashed before Commit

	res, err := l.LoadPending(t.Context(), "job")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 1, Loaded: 1, Rows: 2}, res); diff != "" {
		t.Errorf("LoadPending (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"a-1", "a-2"}, names(t, db)); diff != "" {
		t.Errorf("items (-want +got):\n%s", diff)
	}
	res, err = l.LoadPending(t.Context(), "job")
	if err != nil || res != (Result{}) {
		t.Errorf("second LoadPending = %+v, %v; want nothing to do", res, err)
	}
}
