package buckettest

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
)

// GCSBucket is the bucket the fake GCS servers hold.
const GCSBucket = "sightline-test"

// NewGCSServer starts a fake GCS server (fake-gcs-server, in memory, plain
// HTTP) holding one empty bucket named GCSBucket, stopped when the test
// ends. It returns the server's base URL, to use as STORAGE_EMULATOR_HOST,
// in a gs:// URL's endpoint parameter, or with "/storage/v1/" appended in
// option.WithEndpoint. Each wrap, if any, wraps the fake's handler, as
// Faults does.
//
// The fake differs from GCS when a client sends a chunk of a resumable
// upload again, as the storage library does after a failed attempt: the
// fake appends every chunk it is sent, ignoring the offset in its
// Content-Range (fsouza/fake-gcs-server#2056, open), so a chunk it had
// stored is stored twice, where GCS keeps only the bytes it lacks; and it
// drops the upload when the last chunk completes the object, so that chunk
// sent again gets 404 where GCS answers with the object. A fault test must
// not make the client send again a chunk the fake has stored.
func NewGCSServer(t testing.TB, wrap ...func(http.Handler) http.Handler) string {
	t.Helper()
	var h http.Handler
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
	}))
	// The storage client reads objects through GCS's XML API, which the
	// fake serves only on its "public host": make that this server.
	host := srv.Listener.Addr().String()
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		NoListener: true,
		Scheme:     "http",
		PublicHost: host,
	})
	if err != nil {
		t.Fatalf("start fake GCS server: %v", err)
	}
	fake.CreateBucketWithOpts(fakestorage.CreateBucketOpts{Name: GCSBucket})
	h = fake.HTTPHandler()
	for _, w := range wrap {
		h = w(h)
	}
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		fake.Stop()
	})
	return srv.URL
}

// NewFaultyGCSServer starts a fake GCS server, as NewGCSServer does, behind
// a Faults, and returns its endpoint and the Faults.
func NewFaultyGCSServer(t testing.TB) (endpoint string, faults *Faults) {
	t.Helper()
	endpoint = NewGCSServer(t, func(h http.Handler) http.Handler {
		faults = NewFaults(h)
		return faults
	})
	return endpoint, faults
}
