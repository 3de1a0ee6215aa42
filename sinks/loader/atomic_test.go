package loader

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/bucketurl"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// newFaultyGCS returns a bucket on a fake GCS server, through the real
// client, behind injected faults.
func newFaultyGCS(t *testing.T) (bucket.Bucket, *buckettest.Faults) {
	t.Helper()
	endpoint, faults := buckettest.NewFaultyGCSServer(t)
	b, err := bucketurl.Open(t.Context(), fmt.Sprintf("gs://%s/loader?endpoint=%s", buckettest.GCSBucket, url.QueryEscape(endpoint)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, faults
}

// failReads makes every read of an object whose key ends in suffix fail
// with 403, which no client retries.
func failReads(faults *buckettest.Faults, suffix string) {
	faults.FailIf(1<<30, http.StatusForbidden, func(r *http.Request) bool {
		return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, suffix)
	})
}

// TestLoadRunStopsAfterFailure fails the read of a run's first batch: no
// later batch is loaded (the batch waiting for the failed one's slot used
// to start anyway), and a rerun once reads work loads all three.
func TestLoadRunStopsAfterFailure(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	b, faults := newFaultyGCS(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 2), "b": ids(3, 5), "c": ids(6, 6)}, true)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}}

	failReads(faults, "/a.arrow")
	res, err := l.LoadRun(t.Context(), m)
	if err == nil || !strings.Contains(err.Error(), `load batch "runs/job/run1/a.arrow"`) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("LoadRun = %v, want an error naming batch a", err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 3}, res); diff != "" {
		t.Errorf("failed LoadRun (-want +got):\n%s", diff)
	}
	if got := ledger(t, db); len(got) != 0 {
		t.Errorf("ledger after a failed first batch = %v, want empty", got)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 0 {
		t.Errorf("items has %d rows after a failed first batch, want 0", n)
	}

	faults.Fail(0, 0)
	res, err = l.LoadRun(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 3, Loaded: 3, Rows: 6}, res); diff != "" {
		t.Errorf("rerun (-want +got):\n%s", diff)
	}
}

// TestLoadRunAtomic fails a middle batch of an atomic run, by a bucket
// read, then the last by a constraint: none of the run is loaded. A
// rerun loads it whole; a batch already loaded (by a per-batch loader) is
// skipped.
func TestLoadRunAtomic(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	b, faults := newFaultyGCS(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 2), "b": ids(3, 5), "c": ids(6, 6)}, true)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: itemKind, Table: "items"}}, Atomic: true, Concurrency: 3}
	empty := func(when string) {
		t.Helper()
		if got := ledger(t, db); len(got) != 0 {
			t.Errorf("ledger %s = %v, want empty", when, got)
		}
		if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 0 {
			t.Errorf("items has %d rows %s, want 0", n, when)
		}
	}

	failReads(faults, "/b.arrow")
	res, err := l.LoadRun(t.Context(), m)
	if err == nil || !strings.Contains(err.Error(), `load batch "runs/job/run1/b.arrow"`) || !strings.Contains(err.Error(), "403") {
		t.Fatalf("LoadRun = %v, want a read error (403) naming batch b", err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 3}, res); diff != "" {
		t.Errorf("LoadRun failing on a read (-want +got):\n%s", diff)
	}
	empty("after a failed read")

	faults.Fail(0, 0)
	exec(t, db, `ALTER TABLE items ADD CONSTRAINT no_c6 CHECK (name <> 'c-6')`)
	if _, err := l.LoadRun(t.Context(), m); err == nil || !strings.Contains(err.Error(), "no_c6") {
		t.Fatalf("LoadRun = %v, want the constraint error of batch c", err)
	}
	empty("after a failed COPY")

	exec(t, db, `ALTER TABLE items DROP CONSTRAINT no_c6`)
	one := &Loader{DB: db, Bucket: b, Targets: l.Targets}
	if _, err := one.LoadRun(t.Context(), keep(m, "a")); err != nil {
		t.Fatal(err)
	}
	res, err = l.LoadRun(t.Context(), m)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(Result{Runs: 1, Batches: 3, Loaded: 2, Skipped: 1, Rows: 4}, res); diff != "" {
		t.Errorf("rerun (-want +got):\n%s", diff)
	}
	want := []string{"runs/job/run1/a.arrow 2", "runs/job/run1/b.arrow 3", "runs/job/run1/c.arrow 1"}
	if diff := cmp.Diff(want, ledger(t, db)); diff != "" {
		t.Errorf("ledger after the rerun (-want +got):\n%s", diff)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM items`); n != 6 {
		t.Errorf("items has %d rows after the rerun, want 6", n)
	}
}

// keep returns m with only the batch named name.
func keep(m batch.Manifest, name string) batch.Manifest {
	out := m
	out.Batches = nil
	for _, info := range m.Batches {
		if strings.HasSuffix(info.Key, "/"+name+".arrow") {
			out.Batches = append(out.Batches, info)
		}
	}
	return out
}

// TestLoadRunAtomicSharedStage refuses, before loading anything, an atomic
// run with two batches through one staging target.
func TestLoadRunAtomicSharedStage(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	m := writeRun(t, b, "run1", items{"a": ids(1, 2), "b": ids(3, 5)}, true)
	l := &Loader{DB: db, Bucket: b, Targets: []Target{upsertTarget}, Atomic: true}
	_, err := l.LoadRun(context.Background(), m)
	if err == nil || !strings.Contains(err.Error(), "whose Prepare can run once per transaction") {
		t.Fatalf("LoadRun = %v, want a refusal of two batches through one staging target", err)
	}
	if n := queryInt(t, db, `SELECT count(*) FROM loaded_batches`); n != 0 {
		t.Errorf("ledger has %d rows, want 0", n)
	}
}
