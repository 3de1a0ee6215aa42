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
		parts, want := putParts(t, b, tt.sizes)
		if err := b.Compose(t.Context(), "dst", parts); err != nil {
			t.Fatalf("Compose(%v): %v", tt.sizes, err)
		}
		checkObject(t, b, "dst", want)
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
	parts, want := putParts(t, b, []int{6 * mib, 1024})
	isComplete := func(r *http.Request) bool {
		q := r.URL.Query()
		return r.Method == http.MethodPost && q.Has("uploadId") && !q.Has("partNumber")
	}
	faults.Break(1, buckettest.Truncate, isComplete)
	if err := b.Compose(t.Context(), "dst", parts); err != nil {
		t.Fatalf("Compose with the Complete answer lost: %v", err)
	}
	checkObject(t, b, "dst", want)
}

// putParts puts one object per size, part-0, part-1…, each filled with its
// own letter, and returns their keys and the bytes of their concatenation.
func putParts(t *testing.T, b *s3bucket.Bucket, sizes []int) (keys []string, all []byte) {
	t.Helper()
	for i, size := range sizes {
		data := bytes.Repeat([]byte{byte('a' + i)}, size)
		key := fmt.Sprintf("part-%d", i)
		if err := b.Put(t.Context(), key, bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, key)
		all = append(all, data...)
	}
	return keys, all
}

// checkObject checks that key holds want.
func checkObject(t *testing.T, b *s3bucket.Bucket, key string, want []byte) {
	t.Helper()
	r, err := b.Get(t.Context(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	got, err := io.ReadAll(r)
	r.Close()
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%q holds %d bytes (%v), want %d", key, len(got), err, len(want))
	}
}
