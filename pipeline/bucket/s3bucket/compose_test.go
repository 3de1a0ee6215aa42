package s3bucket_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// TestComposeCopiesParts checks that Compose copies the parts it can
// server-side rather than streaming them, and streams the rest.
func TestComposeCopiesParts(t *testing.T) {
	setEnv(t)
	const mib = 1 << 20
	tests := []struct {
		sizes      []int
		wantCopies int64
	}{
		{[]int{6 * mib, 6 * mib}, 2},
		{[]int{6 * mib, 1024, 6 * mib}, 1}, // the last 6 MiB fills the small part, leaving too little to copy
		{[]int{1024, 2048}, 0},
	}
	for _, tt := range tests {
		copier := &buckettest.S3PartCopier{Next: buckettest.NewS3Handler(t)}
		b := open(t, buckettest.Serve(t, copier), s3bucket.Opts{})
		var parts []string
		var want []byte
		for i, size := range tt.sizes {
			data := bytes.Repeat([]byte{byte('a' + i)}, size)
			key := fmt.Sprintf("part-%d", i)
			if err := b.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
				t.Fatal(err)
			}
			parts = append(parts, key)
			want = append(want, data...)
		}
		if err := b.Compose(t.Context(), "dst", parts); err != nil {
			t.Fatalf("Compose(%v): %v", tt.sizes, err)
		}
		r, err := b.Get(t.Context(), "dst")
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("Compose(%v) wrote %d bytes (%v), want %d", tt.sizes, len(got), err, len(want))
		}
		if n := copier.Copies(); n != tt.wantCopies {
			t.Errorf("Compose(%v) copied %d parts server-side, want %d", tt.sizes, n, tt.wantCopies)
		}
	}
}

// TestComposeLostCompleteAnswer truncates the answer to
// CompleteMultipartUpload after the server completed the upload: the SDK
// retries, the server no longer knows the upload, and Compose must still
// succeed with the composed object (it failed with NoSuchUpload before).
func TestComposeLostCompleteAnswer(t *testing.T) {
	setEnv(t)
	const mib = 1 << 20
	faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
	b := open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: fastRetry})
	var parts []string
	var want []byte
	for i, size := range []int{6 * mib, 1024} {
		data := bytes.Repeat([]byte{byte('a' + i)}, size)
		key := fmt.Sprintf("part-%d", i)
		if err := b.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, key)
		want = append(want, data...)
	}
	isComplete := func(r *http.Request) bool {
		q := r.URL.Query()
		return r.Method == http.MethodPost && q.Has("uploadId") && !q.Has("partNumber")
	}
	faults.Break(1, buckettest.Truncate, isComplete)
	if err := b.Compose(t.Context(), "dst", parts); err != nil {
		t.Fatalf("Compose with the Complete answer lost: %v", err)
	}
	r, err := b.Get(t.Context(), "dst")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("Compose wrote %d bytes (%v), want %d", len(got), err, len(want))
	}
}
