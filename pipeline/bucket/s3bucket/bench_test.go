package s3bucket_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// BenchmarkPutGet measures the throughput of writing and reading back a
// 64 MiB object through the SDK and gofakes3, an in-memory server on the
// loopback interface: it measures this package and the SDK, not S3.
func BenchmarkPutGet(b *testing.B) {
	buckettest.SetFakeAWSEnv(b)
	raw := fmt.Sprintf("s3://%s/bench?path_style=true&endpoint=%s", buckettest.S3Bucket, url.QueryEscape(buckettest.NewS3Server(b)))
	u, _ := url.Parse(raw)
	bkt, err := s3bucket.Open(b.Context(), u, s3bucket.Opts{})
	if err != nil {
		b.Fatal(err)
	}
	buckettest.BenchmarkPutGet(b, bkt)
}
