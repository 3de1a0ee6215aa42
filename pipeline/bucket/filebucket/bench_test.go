package filebucket_test

import (
	"bytes"
	"io"
	"net/url"
	"path/filepath"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
)

// BenchmarkPutGet measures the throughput of writing and reading back a
// 64 MiB object.
func BenchmarkPutGet(b *testing.B) {
	bkt, err := filebucket.Open(&url.URL{Scheme: "file", Path: filepath.ToSlash(b.TempDir())})
	if err != nil {
		b.Fatal(err)
	}
	data := make([]byte, 64<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		// onlyReader hides bytes.Reader's WriteTo, as a stream would.
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
