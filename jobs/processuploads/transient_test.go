package processuploads_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// faultyProvider opens a cloud bucket on an in-process fake behind
// injectable faults. The client gives up on a request after two tries, so
// that a few injected failures get through it.
type faultyProvider struct {
	name string
	open func(t *testing.T) (bucket.Bucket, *buckettest.Faults)
}

var quickRetry = bucket.RetryOpts{MaxAttempts: 2, MaxBackoff: 1e6}

var faultyProviders = []faultyProvider{
	{"s3", func(t *testing.T) (bucket.Bucket, *buckettest.Faults) {
		s3Env()
		faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
		u := mustURL(t, fmt.Sprintf("s3://%s/t%d/?endpoint=%s&path_style=true",
			buckettest.S3Bucket, prefixes.Add(1), url.QueryEscape(buckettest.Serve(t, faults))))
		b, err := s3bucket.Open(t.Context(), u, s3bucket.Opts{Retry: quickRetry})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b, faults
	}},
	{"gcs", func(t *testing.T) (bucket.Bucket, *buckettest.Faults) {
		var faults *buckettest.Faults
		srv := buckettest.NewGCSServer(t, func(h http.Handler) http.Handler {
			faults = buckettest.NewFaults(h)
			return faults
		})
		u := mustURL(t, fmt.Sprintf("gs://%s/t%d?endpoint=%s", buckettest.GCSBucket, prefixes.Add(1), url.QueryEscape(srv)))
		b, err := gcsbucket.Open(t.Context(), u, gcsbucket.Opts{Retry: quickRetry})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b, faults
	}},
}

// mentionsBatches reports whether r names process-uploads' batches.
func mentionsBatches(r *http.Request) bool {
	u := r.URL.String()
	return strings.Contains(u, "runs/"+processuploads.Name) || strings.Contains(u, url.QueryEscape("runs/"+processuploads.Name))
}

// batchReads matches the requests that read process-uploads' own batches
// back for loading (not the listings that delete them).
func batchReads(r *http.Request) bool {
	return r.Method == http.MethodGet && mentionsBatches(r) && !strings.Contains(r.URL.RawQuery, "prefix=")
}

// firstAttempts returns a match for Faults.FailIf that fails the batch reads
// of the first n attempts at an upload: an attempt writes its batches, then
// reads them back, so each switch from writing batches to reading them is
// an attempt. Faults calls it under its lock.
func firstAttempts(n int) func(*http.Request) bool {
	writing, attempt := false, 0
	return func(r *http.Request) bool {
		switch {
		case batchReads(r):
			if writing {
				writing, attempt = false, attempt+1
			}
			return attempt <= n
		case mentionsBatches(r) && (r.Method == http.MethodPut || r.Method == http.MethodPost):
			writing = true
		}
		return false
	}
}

// faultyRunner is a runner whose bucket is p's, with the shapes fixture
// uploaded (before any fault) in several parts.
func faultyRunner(t *testing.T, p faultyProvider) (*jobs.Runner, *buckettest.Faults, codeintel.Upload) {
	r := jobstest.NewRunner(t)
	b, faults := p.open(t)
	r.Bucket = b
	repoID, commit := fixtureRepo(t, r, "shapes")
	up := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 64<<10)
	return r, faults, up
}

// TestProcessTransientStorageFaults fails the reads of process-uploads'
// own batches, through the real SDK clients, more often than the client
// retries, on as many attempts as the upload has: the failed attempts
// are storage hiccups, so they are counted apart, the attempts counter
// does not grow, and the upload completes once the store recovers.
func TestProcessTransientStorageFaults(t *testing.T) {
	t.Parallel()
	for _, p := range faultyProviders {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			r, faults, up := faultyRunner(t, p)
			// As many failed attempts as the upload has.
			faults.FailIf(1<<40, http.StatusServiceUnavailable, firstAttempts(3))
			counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1})
			got := get(t, r, up.ID)
			if got.State != codeintel.StateCompleted || counts["completed"] != 1 {
				t.Fatalf("upload is %s (%q), counts %v; want completed once the store recovers", got.State, got.FailureMessage, counts)
			}
			if got.Attempts != 1 || got.TransientFailures != 3 || counts["transient"] != 3 || counts["retried"] != 0 {
				t.Errorf("attempts %d, transient failures %d, counts %v; want 1 attempt and the 3 storage failures counted apart",
					got.Attempts, got.TransientFailures, counts)
			}
			if !strings.Contains(got.LastTransientError, "runs/"+processuploads.Name) {
				t.Errorf("last transient error %q; want the batch read that failed", got.LastTransientError)
			}
			if rows := rowCounts(t, r, up.ID); rows["ranges"] == 0 {
				t.Errorf("rows %v; want the upload's ranges loaded", rows)
			}
			noBatchesLeft(t, r)
		})
	}
}

// TestProcessTransientBound keeps the store failing: the upload errors
// once it reaches its max_transient_failures, saying so and how to
// requeue it; requeued once the store works, it completes.
func TestProcessTransientBound(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, faults, up := faultyRunner(t, faultyProviders[0])
	if _, err := r.DB.Exec(ctx, `UPDATE lsif_uploads SET max_transient_failures = 4 WHERE id = $1`, up.ID); err != nil {
		t.Fatal(err)
	}
	faults.FailIf(1<<40, http.StatusServiceUnavailable, batchReads)
	counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1})
	got := get(t, r, up.ID)
	if got.State != codeintel.StateErrored || got.TransientFailures != 4 || got.Attempts != 0 || counts["transient"] != 3 || counts["errored"] != 1 {
		t.Fatalf("upload is %s after %d transient failures and %d attempts, counts %v; want errored after 4 transient failures, no attempt used",
			got.State, got.TransientFailures, got.Attempts, counts)
	}
	want := fmt.Sprintf("gave up after 4 storage or connection failures; once they are fixed, run sightline lsif uploads requeue %d", up.ID)
	if !strings.Contains(got.FailureMessage, want) || !strings.Contains(got.FailureMessage, "503") {
		t.Errorf("failure message %q; want the storage error and %q", got.FailureMessage, want)
	}

	faults.Fail(0, 0)
	re, err := codeintel.UploadsRequeue(ctx, r.DB, codeintel.UploadsRequeueParams{ID: up.ID})
	if err != nil || re.State != codeintel.StateQueued || re.Attempts != 0 || re.TransientFailures != 0 || re.FailureMessage != "" {
		t.Fatalf("requeue = %s, attempts %d, transient %d, %q, %v; want queued afresh", re.State, re.Attempts, re.TransientFailures, re.FailureMessage, err)
	}
	jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1})
	if got := get(t, r, up.ID); got.State != codeintel.StateCompleted || got.Attempts != 1 {
		t.Fatalf("requeued upload is %s after %d attempts (%q); want completed at the first", got.State, got.Attempts, got.FailureMessage)
	}
}
