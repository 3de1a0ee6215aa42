package gcsbucket_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"google.golang.org/api/option"
)

// fastRetry keeps tests quick where the fake answers 500: fake-gcs-server
// does so for a Compose with a missing source, which GCS answers with 404.
var fastRetry = bucket.RetryOpts{MaxBackoff: 5 * time.Millisecond}

// prefixes numbers bucket prefixes so buckets sharing a server never meet.
var prefixes atomic.Int64

// openURL opens a bucket under a fresh prefix with the endpoint parameter.
func openURL(t *testing.T, endpoint string, opts gcsbucket.Opts) *gcsbucket.Bucket {
	t.Helper()
	return openRaw(t, fmt.Sprintf("gs://%s/t%d?endpoint=%s", buckettest.GCSBucket, prefixes.Add(1), url.QueryEscape(endpoint)), opts)
}

// openRaw opens the bucket at raw.
func openRaw(t *testing.T, raw string, opts gcsbucket.Opts) *gcsbucket.Bucket {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	b, err := gcsbucket.Open(t.Context(), u, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", raw, err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

func TestConformance(t *testing.T) {
	t.Parallel()
	buckettest.Run(t, func(t *testing.T) bucket.Bucket {
		return openURL(t, buckettest.NewGCSServer(t), gcsbucket.Opts{Retry: fastRetry})
	})
}

// TestClientOptions opens a bucket the way a program with its own HTTP
// client would, through client options rather than the URL.
func TestClientOptions(t *testing.T) {
	t.Parallel()
	endpoint := buckettest.NewGCSServer(t)
	b := openRaw(t, "gs://"+buckettest.GCSBucket+"/opts", gcsbucket.Opts{ClientOptions: []option.ClientOption{
		option.WithEndpoint(endpoint + "/storage/v1/"),
		option.WithoutAuthentication(),
		option.WithHTTPClient(&http.Client{Timeout: time.Minute}),
	}})
	roundTrip(t, b)
}

// TestEmulatorHost checks that STORAGE_EMULATOR_HOST, which the storage
// library reads itself, is honoured.
func TestEmulatorHost(t *testing.T) {
	t.Setenv("STORAGE_EMULATOR_HOST", strings.TrimPrefix(buckettest.NewGCSServer(t), "http://"))
	roundTrip(t, openRaw(t, "gs://"+buckettest.GCSBucket+"/emulated", gcsbucket.Opts{}))
}

// roundTrip checks that b can write and read an object.
func roundTrip(t *testing.T, b bucket.Bucket) {
	t.Helper()
	if err := b.Put(t.Context(), "k", strings.NewReader("v")); err != nil {
		t.Fatalf("Put: %v", err)
	}
	r, err := b.Get(t.Context(), "k")
	if err != nil {
		t.Fatalf("Get: %v", err)
	}
	defer r.Close()
	if got, err := io.ReadAll(r); err != nil || string(got) != "v" {
		t.Errorf("Get = %q, %v; want %q", got, err, "v")
	}
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
	}{
		{"gs://b/p?foo=1", `gcs bucket URL "gs://b/p?foo=1": unknown parameter "foo"`},
		{"gs://b/p?endpoint=localhost:4443", `parameter "endpoint": "localhost:4443" is not an http:// or https:// URL`},
		{"gs:///p", `no bucket name`},
		{"gs://user:secret@b/p", `credentials do not belong in the URL`},
		{"gs://b/a//c", `prefix: invalid object key`},
		{"s3://b/p", `scheme "s3" is not gs`},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = gcsbucket.Open(t.Context(), u, gcsbucket.Opts{})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) error = %v, want it to contain %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error = %v, leaks the secret", tt.url, err)
		}
	}
}

func TestReservedKeys(t *testing.T) {
	t.Parallel()
	b := openURL(t, buckettest.NewGCSServer(t), gcsbucket.Opts{})
	for _, key := range []string{".tmp-gcsbucket", ".tmp-gcsbucket/x"} {
		if err := b.Put(t.Context(), key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) succeeded, want the reserved name rejected", key)
		}
	}
}

// TestComposeCleansUp checks that a staged Compose leaves no temporary
// objects, looking from outside the bucket's prefix, where List does not
// hide them.
func TestComposeCleansUp(t *testing.T) {
	t.Parallel()
	endpoint := buckettest.NewGCSServer(t)
	b := openRaw(t, "gs://"+buckettest.GCSBucket+"/inner?endpoint="+url.QueryEscape(endpoint), gcsbucket.Opts{})
	whole := openRaw(t, "gs://"+buckettest.GCSBucket+"?endpoint="+url.QueryEscape(endpoint), gcsbucket.Opts{})
	var parts []string
	var want strings.Builder
	for i := range 2*32 + 1 { // two groups and a leftover, then the final call
		key := fmt.Sprintf("p%04d", i)
		if err := b.Put(t.Context(), key, strings.NewReader(key)); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, key)
		want.WriteString(key)
	}
	if err := b.Compose(t.Context(), "all", parts); err != nil {
		t.Fatalf("Compose: %v", err)
	}
	r, err := b.Get(t.Context(), "all")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if got, err := io.ReadAll(r); err != nil || string(got) != want.String() {
		t.Errorf("Compose of %d parts wrote %d bytes (%v), want %d", len(parts), len(got), err, want.Len())
	}
	var n int
	err = whole.List(t.Context(), "", func(a bucket.Attrs) error {
		if strings.Contains(a.Key, ".tmp-gcsbucket") {
			t.Errorf("temporary object %q left behind", a.Key)
		}
		n++
		return nil
	})
	if err != nil || n != len(parts)+1 {
		t.Errorf("List of the whole bucket found %d objects (%v), want %d", n, err, len(parts)+1)
	}
}
