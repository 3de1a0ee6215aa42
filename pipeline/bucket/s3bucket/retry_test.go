package s3bucket_test

import (
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
	buckettest.CheckStatRetries(t, open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: fastRetry}), faults)
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
	buckettest.CheckRetryTimeBound(t, open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: buckettest.TimeBoundRetry}), faults)
}

// TestFaults runs the fault suite: dead endpoints, resets, truncated and
// stalled responses.
func TestFaults(t *testing.T) {
	setEnv(t)
	buckettest.RunFaults(t, buckettest.Cloud{
		Serve: func(t *testing.T) (string, *buckettest.Faults) {
			faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
			return buckettest.Serve(t, faults), faults
		},
		Open: func(t *testing.T, endpoint string, retry bucket.RetryOpts) bucket.Bucket {
			return open(t, endpoint, s3bucket.Opts{Retry: retry})
		},
	})
}
