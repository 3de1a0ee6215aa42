package bucketurl_test

import (
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket/bucketurl"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
	}{
		{"ftp://x", `bucket URL "ftp://x": unknown scheme "ftp" (want file://, s3:// or gs://)`},
		{"/abs/path", `bucket URL "/abs/path": no scheme (want file://, s3:// or gs://)`},
		{"", `bucket URL "": no scheme (want file://, s3:// or gs://)`},
		{"s3://bucket/%zz", `bucket URL "s3://bucket/%zz": invalid URL escape "%zz" (want file://, s3:// or gs://)`},
		{"://nothing", `bucket URL "://nothing": missing protocol scheme (want file://, s3:// or gs://)`},
		{"s3://key:secret@[::1/x", `bucket URL "s3://key:xxxxx@[::1/x": missing ']' in host`},
		{"ftp://key:secret@host/x", `bucket URL "ftp://key:xxxxx@host/x": unknown scheme "ftp"`},
		{"file://relative", `file bucket URL "file://relative": path is not absolute: use file:///abs/path`},
		{"file://relative/dir", `use file:///abs/path`},
		{"file:relative", `use file:///abs/path`},
		{"file://", `use file:///abs/path`},
		{"file:///tmp/x?mode=fast", `unknown parameter "mode"`},
		{"s3://bucket/p?bogus=1", `unknown parameter "bogus"`},
		{"gs://bucket/p?bogus=1", `unknown parameter "bogus"`},
	}
	for _, tt := range tests {
		b, err := bucketurl.Open(t.Context(), tt.url)
		if err == nil {
			b.Close()
		}
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) error = %v, want it to contain %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error = %v, leaks the password", tt.url, err)
		}
	}
}

// TestOpen opens a bucket of each scheme and checks that it works.
func TestOpen(t *testing.T) {
	buckettest.SetFakeAWSEnv(t)
	root := filepath.ToSlash(t.TempDir())
	urls := []string{
		"file://" + root,
		"s3://" + buckettest.S3Bucket + "/p?path_style=true&endpoint=" + url.QueryEscape(buckettest.NewS3Server(t)),
		"gs://" + buckettest.GCSBucket + "/p?endpoint=" + url.QueryEscape(buckettest.NewGCSServer(t)),
	}
	for _, raw := range urls {
		b, err := bucketurl.Open(t.Context(), raw)
		if err != nil {
			t.Errorf("Open(%q): %v", raw, err)
			continue
		}
		defer b.Close()
		if err := b.Put(t.Context(), "k", strings.NewReader("v")); err != nil {
			t.Errorf("%s: Put: %v", raw, err)
		}
		if a, err := b.Stat(t.Context(), "k"); err != nil || a.Size != 1 {
			t.Errorf("%s: Stat = %+v, %v; want size 1", raw, a, err)
		}
		if got := b.String(); got != raw {
			t.Errorf("String() = %q, want %q", got, raw)
		}
	}
}
