package gcsbucket_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

func TestRetry(t *testing.T) {
	t.Parallel()
	endpoint, faults := buckettest.NewFaultyGCSServer(t)
	b := openURL(t, endpoint, gcsbucket.Opts{Retry: fastRetry})
	buckettest.CheckStatRetries(t, b, faults)
	faults.Fail(2, http.StatusServiceUnavailable)
	if err := b.Put(t.Context(), "put", strings.NewReader("data")); err != nil {
		t.Errorf("Put through two 503s: %v", err)
	}
	if got := faults.Requests(); got != 3 {
		t.Errorf("Put through two 503s: server saw %d requests, want 3", got)
	}
}

// TestRetryTimeBound checks that retrying stops after MaxTime even with
// attempts to spare.
func TestRetryTimeBound(t *testing.T) {
	t.Parallel()
	endpoint, faults := buckettest.NewFaultyGCSServer(t)
	buckettest.CheckRetryTimeBound(t, openURL(t, endpoint, gcsbucket.Opts{Retry: buckettest.TimeBoundRetry}), faults)
}

// TestRetryCompose checks that Compose is retried, except when appending:
// replaying an append whose success was lost would append twice.
func TestRetryCompose(t *testing.T) {
	t.Parallel()
	endpoint, faults := buckettest.NewFaultyGCSServer(t)
	b := openURL(t, endpoint, gcsbucket.Opts{Retry: fastRetry})
	for _, key := range []string{"a", "b"} {
		if err := b.Put(t.Context(), key, strings.NewReader(key)); err != nil {
			t.Fatal(err)
		}
	}
	isCompose := func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/compose") }
	faults.FailIf(1, http.StatusServiceUnavailable, isCompose)
	if err := b.Compose(t.Context(), "ab", []string{"a", "b"}); err != nil {
		t.Errorf("Compose through one 503: %v", err)
	}
	faults.FailIf(1, http.StatusServiceUnavailable, isCompose)
	if err := b.Compose(t.Context(), "a", []string{"a", "b"}); err == nil {
		t.Error("appending Compose through one 503 succeeded, want the 503")
	}
}

// TestFaults runs the fault suite: dead endpoints, resets, truncated and
// stalled responses.
func TestFaults(t *testing.T) {
	t.Parallel()
	buckettest.RunFaults(t, buckettest.Cloud{
		Serve: func(t *testing.T) (string, *buckettest.Faults) { return buckettest.NewFaultyGCSServer(t) },
		Open: func(t *testing.T, endpoint string, retry bucket.RetryOpts) bucket.Bucket {
			return openURL(t, endpoint, gcsbucket.Opts{Retry: retry})
		},
	})
}
