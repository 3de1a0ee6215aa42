package gcsbucket_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

func TestRetry(t *testing.T) {
	t.Parallel()
	var faults *buckettest.Faults
	endpoint := buckettest.NewGCSServer(t, func(h http.Handler) http.Handler {
		faults = buckettest.NewFaults(h)
		return faults
	})
	b := openURL(t, endpoint, gcsbucket.Opts{Retry: fastRetry})
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
		{"transient 502 is retried", http.StatusBadGateway, 2, "obj", false, 3},
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
	var faults *buckettest.Faults
	endpoint := buckettest.NewGCSServer(t, func(h http.Handler) http.Handler {
		faults = buckettest.NewFaults(h)
		return faults
	})
	b := openURL(t, endpoint, gcsbucket.Opts{Retry: bucket.RetryOpts{
		MaxAttempts: 1000,
		MaxBackoff:  20 * time.Millisecond,
		MaxTime:     300 * time.Millisecond,
	}})
	faults.Fail(1<<40, http.StatusServiceUnavailable)
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

// TestRetryCompose checks that Compose is retried, except when appending:
// replaying an append whose success was lost would append twice.
func TestRetryCompose(t *testing.T) {
	t.Parallel()
	var faults *buckettest.Faults
	endpoint := buckettest.NewGCSServer(t, func(h http.Handler) http.Handler {
		faults = buckettest.NewFaults(h)
		return faults
	})
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
