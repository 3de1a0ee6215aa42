package soak

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// retry is the providers' retry configuration in the soak: the default
// attempts and time bound, but waits of milliseconds rather than seconds,
// so that a run takes minutes. Only the waits differ from production.
var retry = bucket.RetryOpts{MaxBackoff: 10 * time.Millisecond}

// provider opens a bucket on a fresh fake server behind a Chaos.
type provider struct {
	name string
	open func(t *testing.T, cfg buckettest.ChaosConfig) (bucket.Bucket, *buckettest.Chaos)
}

var providers = []provider{{"s3", openS3}, {"gcs", openGCS}}

func openS3(t *testing.T, cfg buckettest.ChaosConfig) (bucket.Bucket, *buckettest.Chaos) {
	chaos := buckettest.NewChaos(buckettest.NewS3Handler(t), cfg)
	u := mustURL(t, fmt.Sprintf("s3://%s/soak/?endpoint=%s&path_style=true",
		buckettest.S3Bucket, url.QueryEscape(buckettest.Serve(t, chaos))))
	b, err := s3bucket.Open(t.Context(), u, s3bucket.Opts{Retry: retry})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, chaos
}

func openGCS(t *testing.T, cfg buckettest.ChaosConfig) (bucket.Bucket, *buckettest.Chaos) {
	var chaos *buckettest.Chaos
	endpoint := buckettest.NewGCSServer(t, func(next http.Handler) http.Handler {
		chaos = buckettest.NewChaos(next, cfg)
		return chaos
	})
	u := mustURL(t, fmt.Sprintf("gs://%s/soak?endpoint=%s", buckettest.GCSBucket, url.QueryEscape(endpoint)))
	b, err := gcsbucket.Open(t.Context(), u, gcsbucket.Opts{Retry: retry})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b, chaos
}

// s3Env points the AWS SDK at fake credentials and away from the machine's
// own configuration.
func s3Env(t *testing.T) { buckettest.SetFakeAWSEnv(t) }

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
