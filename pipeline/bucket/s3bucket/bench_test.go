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
	b.Setenv("AWS_ACCESS_KEY_ID", "test")
	b.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	b.Setenv("AWS_CONFIG_FILE", b.TempDir()+"/none")
	b.Setenv("AWS_SHARED_CREDENTIALS_FILE", b.TempDir()+"/none")
	b.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	raw := fmt.Sprintf("s3://%s/bench?path_style=true&endpoint=%s", buckettest.S3Bucket, url.QueryEscape(buckettest.NewS3Server(b)))
	u, _ := url.Parse(raw)
	bkt, err := s3bucket.Open(b.Context(), u, s3bucket.Opts{})
	if err != nil {
		b.Fatal(err)
	}
	buckettest.BenchmarkPutGet(b, bkt)
}
