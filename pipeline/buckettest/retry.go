package buckettest

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// TimeBoundRetry is the retry configuration CheckRetryTimeBound expects:
// attempts to spare, so that only MaxTime can stop the retrying.
var TimeBoundRetry = bucket.RetryOpts{
	MaxAttempts: 1000,
	MaxBackoff:  20 * time.Millisecond,
	MaxTime:     300 * time.Millisecond,
}

// CheckStatRetries checks how a cloud provider retries, through Stat:
// transient errors (503, 502, 500, 429) until they pass, permanent ones
// (403, not found) never, and no more than bucket.DefaultMaxAttempts times.
// b must send its requests through faults and use the default MaxAttempts.
func CheckStatRetries(t *testing.T, b bucket.Bucket, faults *Faults) {
	t.Helper()
	put(t, b, "obj", "data")
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

// CheckRetryTimeBound checks that a cloud provider stops retrying after
// MaxTime even with attempts to spare. b must send its requests through
// faults and retry with TimeBoundRetry.
func CheckRetryTimeBound(t *testing.T, b bucket.Bucket, faults *Faults) {
	t.Helper()
	faults.Fail(1<<40, http.StatusServiceUnavailable)
	start := time.Now()
	_, err := b.Stat(t.Context(), "obj")
	if err == nil || errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("Stat error = %v, want the server's error", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("Stat gave up after %v, want about %v", elapsed, TimeBoundRetry.MaxTime)
	}
	if n := faults.Requests(); n < 3 || n >= int64(TimeBoundRetry.MaxAttempts) {
		t.Errorf("server saw %d requests, want some retries but not all %d attempts", n, TimeBoundRetry.MaxAttempts)
	}
}
