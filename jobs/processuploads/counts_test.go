package processuploads_test

import (
	"context"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// batchReadFault fails the first read of a process-uploads batch, as a
// reset connection would.
type batchReadFault struct {
	bucket.Bucket
	failed atomic.Bool
}

func (f *batchReadFault) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	if strings.HasPrefix(key, "runs/"+processuploads.Name+"/") && strings.HasSuffix(key, ".arrow") && f.failed.CompareAndSwap(false, true) {
		return nil, errReset
	}
	return f.Bucket.Get(ctx, key)
}

// TestProcessCountsCompletedAttempt fails the load of an upload's first
// attempt: the run's row counts are those of the attempt that completed,
// not of both.
func TestProcessCountsCompletedAttempt(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	up := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 0)
	fault := &batchReadFault{Bucket: r.Bucket}
	r.Bucket = fault
	counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1, MaxUploads: 2})
	// A reset is a storage hiccup: the upload is requeued as transient,
	// without using an attempt (failure.go).
	if !fault.failed.Load() || counts["transient"] != 1 || counts["completed"] != 1 {
		t.Fatalf("counts %v: want the first attempt's load failed as transient, the second completed", counts)
	}
	if got := get(t, r, up.ID); got.State != codeintel.StateCompleted {
		t.Fatalf("upload is %s (%s), want completed", got.State, got.FailureMessage)
	}
	rows := rowCounts(t, r, up.ID)
	for kind, table := range map[string]string{"lsif-document": "lsif_documents", "lsif-hover": "lsif_hovers",
		"lsif-result-chunk": "lsif_result_chunks", "lsif-moniker-result": "lsif_moniker_results", "ranges": "ranges"} {
		if counts[kind] != int64(rows[table]) || rows[table] == 0 {
			t.Errorf("counted %d %s rows, %s holds %d", counts[kind], kind, table, rows[table])
		}
	}
}
