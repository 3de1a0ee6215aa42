package filebucket_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// open opens a file bucket at a fresh directory that Open must create, and
// checks when the test ends that no temporary file was left behind.
func open(t *testing.T) *filebucket.Bucket {
	t.Helper()
	root := filepath.Join(t.TempDir(), "not", "yet")
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: filepath.ToSlash(root)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Close()
		entries, err := os.ReadDir(filepath.Join(root, ".tmp-filebucket"))
		if err != nil || len(entries) > 0 {
			t.Errorf("temporary directory holds %d entries (%v), want none", len(entries), err)
		}
	})
	return b
}

func TestConformance(t *testing.T) {
	t.Parallel()
	buckettest.Run(t, func(t *testing.T) bucket.Bucket { return open(t) })
}

func TestOpenErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		url, want string
	}{
		{"file:///x?foo=1", `file bucket URL "file:///x?foo=1": unknown parameter "foo"`},
		{"file:///x?b=1&a=2", `unknown parameter "a"`},
		{"file://relative/x", `use file:///abs/path`},
		{"file:relative", `use file:///abs/path`},
		{"file://", `use file:///abs/path`},
		{"file://user:secret@localhost/x", `user information is not allowed`},
		{"s3://bucket/x", `scheme "s3" is not file`},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = filebucket.Open(u)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) error = %v, want it to contain %q", tt.url, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error = %v, leaks the password", tt.url, err)
		}
	}
}

func TestReservedKeys(t *testing.T) {
	t.Parallel()
	b := open(t)
	for _, key := range []string{".tmp-filebucket", ".tmp-filebucket/x"} {
		if err := b.Put(t.Context(), key, strings.NewReader("x")); err == nil {
			t.Errorf("Put(%q) succeeded, want the reserved name rejected", key)
		}
	}
}

// TestOpenDotSegments checks that a URL cannot climb out of the directory it
// names: the bucket is refused and nothing is created where the dots lead.
func TestOpenDotSegments(t *testing.T) {
	t.Parallel()
	root := filepath.ToSlash(t.TempDir())
	tests := []struct {
		path, want, escaped string
	}{
		{root + "/x/../../escaped", `has a ".." segment`, root + "/../escaped"},
		{root + "/x/%2e%2e/%2E%2E/encoded", `has a ".." segment`, root + "/../encoded"},
		{root + "/./dot", `has a "." segment`, root + "/dot"},
	}
	for _, tt := range tests {
		u, err := url.Parse("file://" + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		_, err = filebucket.Open(u)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%q) error = %v, want it to contain %q", u, err, tt.want)
		}
		if _, err := os.Stat(filepath.FromSlash(tt.escaped)); err == nil {
			t.Errorf("Open(%q) created %s", u, tt.escaped)
		}
	}
}
