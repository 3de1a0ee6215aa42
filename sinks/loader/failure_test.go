package loader

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// TestLoadRunFailure makes the second batch's Merge violate a constraint:
// the first batch stays loaded, the second leaves neither rows nor a ledger
// row, and a rerun once the cause is fixed loads just the second. Loading
// the two at once ends the same way.
func TestLoadRunFailure(t *testing.T) {
	t.Parallel()
	for _, concurrency := range []int{1, 2} {
		t.Run(fmt.Sprintf("concurrency-%d", concurrency), func(t *testing.T) {
			t.Parallel()
			testLoadRunFailure(t, concurrency)
		})
	}
}

func testLoadRunFailure(t *testing.T, concurrency int) {
	db, b := newDB(t), buckettest.NewFileBucket(t)
	exec(t, db, `ALTER TABLE items ADD CONSTRAINT no_b3 CHECK (name <> 'b-3')`)
	m := writeRun(t, b, "run1", items{"a": ids(1, 2), "b": ids(3, 5)}, true)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{upsertTarget}, Concurrency: concurrency}

	res, err := l.LoadRun(t.Context(), m)
	if err == nil || !strings.Contains(err.Error(), `"runs/job/run1/b.arrow"`) || !strings.Contains(err.Error(), "no_b3") {
		t.Fatalf("LoadRun = %v, want a constraint error naming batch b", err)
	}
	if res.Loaded != 1 {
		t.Errorf("Loaded = %d, want 1", res.Loaded)
	}
	if diff := cmp.Diff([]string{"a-1", "a-2"}, names(t, db)); diff != "" {
		t.Errorf("items after failure (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"runs/job/run1/a.arrow 2"}, ledger(t, db)); diff != "" {
		t.Errorf("ledger after failure (-want +got):\n%s", diff)
	}

	exec(t, db, `ALTER TABLE items DROP CONSTRAINT no_b3`)
	res, err = l.LoadPending(t.Context(), "job")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 2, Loaded: 1, Skipped: 1, Rows: 3}, res); diff != "" {
		t.Errorf("rerun (-want +got):\n%s", diff)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 5 {
		t.Errorf("items has %d rows after the rerun, want 5", n)
	}
}

// cancelBucket cancels a context when a key containing trigger is opened,
// like a loader interrupted in the middle of a run.
type cancelBucket struct {
	bucket.Bucket
	trigger string
	cancel  context.CancelFunc
}

func (c *cancelBucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.Contains(key, c.trigger) {
		c.cancel()
	}
	return c.Bucket.Get(ctx, key)
}

func TestLoadRunCancelled(t *testing.T) {
	t.Parallel()
	db, fb := newDB(t), buckettest.NewFileBucket(t)
	m := writeRun(t, fb, "run1", items{"a": ids(1, 2), "b": ids(3, 9)}, true)
	ctx, cancel := context.WithCancel(t.Context())
	b := &cancelBucket{Bucket: fb, trigger: "b.arrow", cancel: cancel}
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}}

	if _, err := l.LoadRun(ctx, m); !errors.Is(err, context.Canceled) {
		t.Fatalf("LoadRun = %v, want context.Canceled", err)
	}
	if diff := cmp.Diff([]string{"runs/job/run1/a.arrow 2"}, ledger(t, db)); diff != "" {
		t.Errorf("ledger after cancel (-want +got):\n%s", diff)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 2 {
		t.Errorf("items has %d rows after cancel, want 2", n)
	}
	l = &Loader{DB: db, Bucket: fb, Targets: l.Targets}
	res, err := l.LoadRun(t.Context(), m)
	if err != nil || res.Loaded != 1 || res.Skipped != 1 {
		t.Fatalf("rerun = %+v, %v; want 1 loaded, 1 skipped", res, err)
	}
}

var otherKind = batch.NewKind("other", 1, batch.Int64("x"))

func TestLoadRunUnknownKind(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 2)}, true)
	m.Batches = append(m.Batches, batch.Info{Key: "runs/job/run1/x.arrow", Kind: "other", Version: 1})
	tests := []struct {
		name string
		reg  *batch.Registry
		want string
	}{
		{"unknown kind", nil, `batch "runs/job/run1/x.arrow": kind "other" is not known to this binary`},
		{"no target", batch.NewRegistry(itemKind, otherKind), `batch "runs/job/run1/x.arrow": no load target for kind "other" version 1`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &Loader{DB: db, Bucket: b, Registry: tt.reg, Targets: []Target{{Kind: itemKind, Table: "items"}}}
			_, err := l.LoadRun(t.Context(), m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadRun = %v\nwant it to contain %s", err, tt.want)
			}
			// The run is checked before anything is loaded.
			if n := queryInt(t, db, `SELECT count(*) FROM loaded_batches`); n != 0 {
				t.Errorf("ledger has %d rows, want 0", n)
			}
		})
	}
}

func TestLoadRunRowCountMismatch(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 4)}, true)
	m.Batches[0].Rows = 5
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}}
	_, err := l.LoadRun(t.Context(), m)
	if err == nil || !strings.Contains(err.Error(), "it has 4 rows, its manifest says 5") {
		t.Fatalf("LoadRun = %v, want a row count mismatch", err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 0 {
		t.Errorf("items has %d rows, want 0", n)
	}
}

// TestLoadRunTruncatedBatch cuts a stored batch short: through either COPY
// path the load fails naming the batch, and leaves neither rows nor a
// ledger row.
func TestLoadRunTruncatedBatch(t *testing.T) {
	t.Parallel()
	for _, pgxCopy := range []bool{false, true} {
		t.Run(fmt.Sprintf("pgx-%t", pgxCopy), func(t *testing.T) {
			t.Parallel()
			db, b := newDB(t), buckettest.NewFileBucket(t)
			m := writeRun(t, b, "run1", items{"a": ids(1, 9)}, true)
			key := m.Batches[0].Key
			rc, err := b.Get(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Put(t.Context(), key, bytes.NewReader(data[:len(data)*2/3])); err != nil {
				t.Fatal(err)
			}
			l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}, pgxCopy: pgxCopy}
			_, err = l.LoadRun(t.Context(), m)
			if err == nil || !strings.Contains(err.Error(), key) {
				t.Fatalf("LoadRun = %v, want an error naming %s", err, key)
			}
			if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 0 {
				t.Errorf("items has %d rows, want 0", n)
			}
			if n := queryInt(t, db, `SELECT count(*) FROM loaded_batches`); n != 0 {
				t.Errorf("ledger has %d rows, want 0", n)
			}
		})
	}
}
