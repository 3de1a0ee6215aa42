package s3bucket_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// TestSDKLogger checks that the SDK's warnings reach the bucket's
// slog.Logger, as structured records, rather than the SDK's own stderr
// logger: a truncated List response makes the SDK warn that it could not
// discard the rest of the body.
func TestSDKLogger(t *testing.T) {
	setEnv(t)
	var logs bytes.Buffer
	faults := buckettest.NewFaults(buckettest.NewS3Handler(t))
	b := open(t, buckettest.Serve(t, faults), s3bucket.Opts{
		Retry:  fastRetry,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
	})
	if err := b.Put(t.Context(), "obj", strings.NewReader(strings.Repeat("x", 1<<20))); err != nil {
		t.Fatal(err)
	}
	faults.Break(1, buckettest.Truncate, nil)
	if err := b.List(t.Context(), "", func(bucket.Attrs) error { return nil }); err != nil {
		t.Errorf("List through a truncated response: %v", err)
	}
	if !strings.Contains(logs.String(), `"level":"WARN","msg":"aws sdk: failed to discard`) {
		t.Errorf("the SDK's warning did not reach the logger; it logged:\n%s", logs.String())
	}
}
