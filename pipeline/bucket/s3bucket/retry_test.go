package s3bucket_test

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// fastRetry keeps retry tests quick.
var fastRetry = bucket.RetryOpts{MaxBackoff: 5 * time.Millisecond}

func TestRetry(t *testing.T) {
	setEnv(t)
	faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
	b := open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: fastRetry})
	if err := b.Put(t.Context(), "obj", strings.NewReader("data")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		status       int
		n            int64
		key          string
		wantErr      bool
		wantRequests int64
	}{
		{"transient 503 is retried", http.StatusServiceUnavailable, 3, "obj", false, 4},
		{"transient 500 is retried", http.StatusInternalServerError, 2, "obj", false, 3},
		{"throttling 429 is retried", http.StatusTooManyRequests, 1, "obj", false, 2},
		{"permanent 403 is not retried", http.StatusForbidden, 100, "obj", true, 1},
		{"not found is not retried", 0, 0, "missing", true, 1},
		{"attempts run out", http.StatusServiceUnavailable, 100, "obj", true, int64(bucket.DefaultMaxAttempts)},
	}
	for _, tt := range tests {
		faults.Fail(tt.n, tt.status)
		_, err := b.Stat(t.Context(), tt.key)
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: Stat error = %v, want error: %t", tt.name, err, tt.wantErr)
		}
		if got := faults.Requests(); got != tt.wantRequests {
			t.Errorf("%s: server saw %d requests, want %d", tt.name, got, tt.wantRequests)
		}
	}
}

// TestRetryPut checks that a streamed Put survives transient failures of
// both a single-request upload and the parts of a multipart one.
func TestRetryPut(t *testing.T) {
	setEnv(t)
	faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
	b := open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: fastRetry})
	isPart := func(r *http.Request) bool { return r.URL.Query().Has("partNumber") }
	tests := []struct {
		size         int
		match        func(*http.Request) bool
		wantRequests int64
	}{
		{10, nil, 1 + 2 + 1}, // PutObject, two retries, Stat
		// CreateMultipartUpload, four parts, CompleteMultipartUpload, two
		// retries, Stat.
		{3*s3bucket.DefaultPartSize + 5, isPart, 1 + 4 + 1 + 2 + 1},
	}
	for _, tt := range tests {
		faults.FailIf(2, http.StatusServiceUnavailable, tt.match)
		data := strings.Repeat("x", tt.size)
		if err := b.Put(t.Context(), "obj", onlyReader{strings.NewReader(data)}); err != nil {
			t.Fatalf("Put of %d bytes: %v", tt.size, err)
		}
		if a, err := b.Stat(t.Context(), "obj"); err != nil || a.Size != int64(tt.size) {
			t.Errorf("after Put of %d bytes, Stat = %+v, %v", tt.size, a, err)
		}
		if got := faults.Requests(); got != tt.wantRequests {
			t.Errorf("Put of %d bytes: server saw %d requests, want %d", tt.size, got, tt.wantRequests)
		}
	}
}

// onlyReader hides any other methods of its reader (Seek, ReadAt), as a
// pipe or network stream would have none.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

// TestRetryTimeBound checks that retrying stops after MaxTime even with
// attempts to spare.
func TestRetryTimeBound(t *testing.T) {
	setEnv(t)
	faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
	faults.Fail(1<<40, http.StatusServiceUnavailable)
	b := open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: bucket.RetryOpts{
		MaxAttempts: 1000,
		MaxBackoff:  20 * time.Millisecond,
		MaxTime:     300 * time.Millisecond,
	}})
	start := time.Now()
	_, err := b.Stat(t.Context(), "obj")
	if err == nil || errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("Stat error = %v, want the server's error", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Stat gave up after %v, want about 300ms", elapsed)
	}
	if n := faults.Requests(); n < 3 || n >= 1000 {
		t.Errorf("server saw %d requests, want some retries but not all 1000 attempts", n)
	}
}
