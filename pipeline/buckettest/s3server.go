package buckettest

import (
	"net/http"
	"net/http/httptest"
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
