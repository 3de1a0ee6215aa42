package s3bucket_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// caBundle is a real CA bundle: the SDK reads AWS_CA_BUNDLE when loading
// its configuration and fails if the file does not parse.
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

// setEnv points the SDK at fake credentials, keeps it from the machine's
// own AWS configuration, and sets AWS_CA_BUNDLE, which changes how the SDK
// builds its HTTP client.
func setEnv(t *testing.T) {
	buckettest.SetFakeAWSEnv(t)
	t.Setenv("AWS_CA_BUNDLE", caBundle)
}

// prefixes numbers bucket prefixes so tests sharing a server never meet.
var prefixes atomic.Int64

// open opens a bucket under a fresh prefix at endpoint.
func open(t *testing.T, endpoint string, opts s3bucket.Opts) *s3bucket.Bucket {
	t.Helper()
	raw := fmt.Sprintf("s3://%s/t%d/?endpoint=%s&path_style=true",
		buckettest.S3Bucket, prefixes.Add(1), url.QueryEscape(endpoint))
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s3bucket.Open(t.Context(), u, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", raw, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// Each conformance test gets a fresh prefix on its own server, so the
// prefix is exercised and tests cannot see each other's objects.
func TestConformanceDefaultClient(t *testing.T) {
	setEnv(t)
	buckettest.Run(t, func(t *testing.T) bucket.Bucket {
		return open(t, buckettest.NewS3Server(t), s3bucket.Opts{})
	})
}

func TestConformanceCustomClient(t *testing.T) {
	setEnv(t)
	client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: time.Minute}
	buckettest.Run(t, func(t *testing.T) bucket.Bucket {
		return open(t, buckettest.NewS3Server(t), s3bucket.Opts{HTTPClient: client})
	})
}

// TestConformancePartCopy runs the suite on a server with UploadPartCopy,
// which gofakes3 lacks, so that Compose copies large parts server-side.
func TestConformancePartCopy(t *testing.T) {
	setEnv(t)
	buckettest.Run(t, func(t *testing.T) bucket.Bucket {
		copier := &buckettest.S3PartCopier{Next: buckettest.NewS3Handler(t)}
		return open(t, buckettest.Serve(t, copier), s3bucket.Opts{})
	})
}

func TestOpenErrors(t *testing.T) {
	setEnv(t)
	tests := []struct {
		url, want string
	}{
		{"s3://b/p?foo=1", `s3 bucket URL "s3://b/p?foo=1": unknown parameter "foo"`},
		{"s3://b/p?region=x&insecure=true", `unknown parameter "insecure"`},
		{"s3://b/p?path_style=maybe", `parameter "path_style": "maybe" is not true or false`},
		{"s3:///p", `no bucket name`},
		{"s3://key:secret@b/p", `credentials do not belong in the URL`},
		{"s3://b/a/../c", `prefix: invalid object key`},
		{"gs://b/p", `scheme "gs" is not s3`},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = s3bucket.Open(t.Context(), u, s3bucket.Opts{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) error = %v, want it to contain %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error = %v, leaks the secret", tt.url, err)
		}
	}
}
