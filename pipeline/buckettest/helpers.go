package buckettest

import (
	"bytes"
	"io"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
)

// NewFileBucket returns a file bucket in a fresh temporary directory,
// closed when the test ends: the bucket of tests that need one but are not
// about buckets.
func NewFileBucket(t testing.TB) bucket.Bucket {
	t.Helper()
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: filepath.ToSlash(t.TempDir())})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// BenchmarkPutGet measures the throughput of writing a 64 MiB object to bkt
// and reading it back.
func BenchmarkPutGet(b *testing.B, bkt bucket.Bucket) {
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		// onlyReader hides bytes.Reader's WriteTo and Seek, as a stream would.
		if err := bkt.Put(b.Context(), "obj", onlyReader{bytes.NewReader(data)}); err != nil {
			b.Fatal(err)
		}
		r, err := bkt.Get(b.Context(), "obj")
		if err != nil {
			b.Fatal(err)
		}
		if n, err := io.Copy(io.Discard, r); err != nil || n != int64(len(data)) {
			b.Fatalf("read %d bytes, %v", n, err)
		}
		r.Close()
	}
}

// onlyReader is just an io.Reader.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }
