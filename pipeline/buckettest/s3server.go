package buckettest

import (
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// S3Bucket is the bucket the fake S3 servers hold.
const S3Bucket = "sightline-test"

// NewS3Handler returns a fake S3 API (gofakes3, in memory) holding one
// empty bucket named S3Bucket. It needs path-style addressing and accepts
// any credentials.
func NewS3Handler(t testing.TB) http.Handler {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket(S3Bucket); err != nil {
		t.Fatalf("create fake S3 bucket: %v", err)
	}
	return gofakes3.New(backend).Server()
}

// NewS3Server serves NewS3Handler over HTTP until the test ends and returns
// its endpoint URL.
func NewS3Server(t testing.TB) string {
	t.Helper()
	return Serve(t, NewS3Handler(t))
}

// Serve serves h over HTTP until the test ends and returns its URL.
func Serve(t testing.TB, h http.Handler) string {
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// FakeAWSEnv is the environment that points the AWS SDK at fake
// credentials and keeps it from the machine's own AWS configuration
// (profiles, credential files, instance metadata). AWS_CA_BUNDLE is left
// as the environment has it.
var FakeAWSEnv = map[string]string{
	"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1",
	"AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	"AWS_EC2_METADATA_DISABLED": "true",
}

// SetFakeAWSEnv sets FakeAWSEnv for the rest of t (t.Setenv: t and its
// parents must not be parallel).
func SetFakeAWSEnv(t testing.TB) {
	for k, v := range FakeAWSEnv {
		t.Setenv(k, v)
	}
}
