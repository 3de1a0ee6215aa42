// Package buckettest is the conformance suite every bucket.Bucket provider
// passes, in-process fake S3 and GCS servers to run it against, the cloud
// providers' retry checks (CheckStatRetries, CheckRetryTimeBound) and fault
// suite (RunFaults, with Faults injecting error statuses, resets, truncated,
// stalled and silent responses, counted and on demand), Chaos (the same
// resets and truncations, and 503s, at random rates, for soak tests), their
// shared benchmark (BenchmarkPutGet), and a file bucket for tests that need
// one (NewFileBucket). It is for tests only: production code never imports
// it.
package buckettest

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Run tests every point of the bucket.Bucket contract. newBucket returns an
// empty bucket for one test and closes it in a t.Cleanup; the tests run in
// parallel, each on its own bucket.
func Run(t *testing.T, newBucket func(t *testing.T) bucket.Bucket) {
	tests := []struct {
		name string
		fn   func(t *testing.T, b bucket.Bucket)
	}{
		{"PutGet", testPutGet},
		{"PutLarge", testPutLarge},
		{"Overwrite", testOverwrite},
		{"GetRange", testGetRange},
		{"NotExist", testNotExist},
		{"Stat", testStat},
		{"List", testList},
		{"ListStops", testListStops},
		{"Delete", testDelete},
		{"Compose", testCompose},
		{"ComposeMany", testComposeMany},
		{"ComposeLarge", testComposeLarge},
		{"ComposeMissing", testComposeMissing},
		{"PutFails", testPutFails},
		{"PutCancelled", testPutCancelled},
		{"InvalidKeys", testInvalidKeys},
		{"Concurrent", testConcurrent},
		{"String", testString},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newBucket(t))
		})
	}
}

// put writes data to key, failing the test on error.
func put(t *testing.T, b bucket.Bucket, key, data string) {
	t.Helper()
	if err := b.Put(t.Context(), key, strings.NewReader(data)); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

// get reads key, failing the test on error.
func get(t *testing.T, b bucket.Bucket, key string) string {
	t.Helper()
	return readAll(t, "Get("+key+")", func() (io.ReadCloser, error) {
		return b.Get(t.Context(), key)
	})
}

// readAll opens a reader with open and reads it to the end, failing the
// test on error; what names the call in failure messages.
func readAll(t *testing.T, what string, open func() (io.ReadCloser, error)) string {
	t.Helper()
	r, err := open()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: read: %v", what, err)
	}
	if err := r.Close(); err != nil {
		t.Fatalf("%s: close: %v", what, err)
	}
	return string(data)
}

// wantNotExist checks that key does not exist, by Get and by Stat.
func wantNotExist(t *testing.T, b bucket.Bucket, key string) {
	t.Helper()
	if r, err := b.Get(t.Context(), key); !errors.Is(err, bucket.ErrNotExist) {
		if err == nil {
			r.Close()
		}
		t.Errorf("Get(%q) error = %v, want ErrNotExist", key, err)
	}
	if _, err := b.Stat(t.Context(), key); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("Stat(%q) error = %v, want ErrNotExist", key, err)
	}
}

// listKeys returns the keys List gives for prefix, in the order given.
func listKeys(t *testing.T, b bucket.Bucket, prefix string) []string {
	t.Helper()
	var keys []string
	err := b.List(t.Context(), prefix, func(a bucket.Attrs) error {
		keys = append(keys, a.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}
