package buckettest

import (
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
)

// NewFileBucket returns a file bucket in a fresh temporary directory,
// closed when the test ends: the bucket of tests that need one but are not
// about buckets.
func NewFileBucket(t testing.TB) bucket.Bucket {
	t.Helper()
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: filepath.ToSlash(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}
