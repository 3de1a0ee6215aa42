package codeintel_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// TestBatchSinkStoreError checks that a batch the bucket refuses is named
// once in the error, not once by the sink and again by the batch writer.
func TestBatchSinkStoreError(t *testing.T) {
	t.Parallel()
	var faults *buckettest.Faults
	endpoint := buckettest.NewGCSServer(t, func(h http.Handler) http.Handler {
		faults = buckettest.NewFaults(h)
		return faults
	})
	u, err := url.Parse("gs://" + buckettest.GCSBucket + "/sink?endpoint=" + url.QueryEscape(endpoint))
	if err != nil {
		t.Fatal(err)
	}
	b, err := gcsbucket.Open(t.Context(), u, gcsbucket.Opts{Retry: bucket.RetryOpts{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	faults.Fail(1<<40, http.StatusForbidden)
	sink, err := codeintel.NewBatchSink(t.Context(), batch.NewRun(b, "process-uploads", "r1"), 1)
	if err != nil {
		t.Fatal(err)
	}
	err = sink.Close()
	if err == nil {
		t.Fatal("Close with every request refused succeeded, want an error")
	}
	if n := strings.Count(err.Error(), "store batch"); n != 1 {
		t.Errorf("Close error names the batch %d times, want once: %v", n, err)
	}
}
