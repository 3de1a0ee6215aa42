package s3bucket_test

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// noETags is an S3 server, as some S3-compatible stores are, whose reads
// answer no ETag; it records the If-Match headers it is sent.
type noETags struct {
	next http.Handler

	mu      sync.Mutex
	ifMatch []string // "<method> <If-Match>" of each request with one
}

func (s *noETags) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	for _, h := range []string{"If-Match", "X-Amz-Copy-Source-If-Match"} {
		if v, ok := r.Header[h]; ok {
			s.mu.Lock()
			s.ifMatch = append(s.ifMatch, r.Method+" "+h+": "+strings.Join(v, ","))
			s.mu.Unlock()
		}
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		w = withoutETag{w}
	}
	s.next.ServeHTTP(w, r)
}

type withoutETag struct{ http.ResponseWriter }

func (w withoutETag) WriteHeader(code int) {
	w.Header().Del("ETag")
	w.ResponseWriter.WriteHeader(code)
}

func (w withoutETag) Write(b []byte) (int, error) {
	w.Header().Del("ETag")
	return w.ResponseWriter.Write(b)
}

// TestReadWithoutETag reads, from a server that answers no ETag, an object
// whose first response is cut halfway, so the reader reopens the rest, and
// composes objects: no request carries an empty If-Match (a condition no
// object meets), and both succeed.
func TestReadWithoutETag(t *testing.T) {
	setEnv(t)
	srv := &noETags{next: buckettest.NewS3Handler(t)}
	faults := buckettest.NewFaults(srv)
	b := open(t, buckettest.Serve(t, faults), s3bucket.Opts{Retry: fastRetry})
	data := strings.Repeat("0123456789", 10000)
	for _, key := range []string{"a", "b"} {
		if err := b.Put(t.Context(), key, strings.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	}
	faults.Break(1, buckettest.Truncate, func(r *http.Request) bool { return r.Method == http.MethodGet })
	rc, err := b.Get(t.Context(), "a")
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	rc.Close()
	if err != nil || string(got) != data {
		t.Errorf("read %d bytes, %v; want the %d bytes put", len(got), err, len(data))
	}
	if err := b.Compose(t.Context(), "ab", []string{"a", "b"}); err != nil {
		t.Errorf("compose: %v", err)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	for _, h := range srv.ifMatch {
		if strings.HasSuffix(h, ": ") {
			t.Errorf("sent %q: an empty condition", h)
		}
	}
}
