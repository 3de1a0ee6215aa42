package filebucket_test

import (
	"testing"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// BenchmarkPutGet measures the throughput of writing and reading back a
// 64 MiB object.
func BenchmarkPutGet(b *testing.B) {
	buckettest.BenchmarkPutGet(b, buckettest.NewFileBucket(b))
}
