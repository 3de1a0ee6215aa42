package buckettest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Cloud is what RunFaults needs of a cloud provider.
type Cloud struct {
	// Serve starts the provider's fake server behind a Faults, until the
	// test ends, and returns its endpoint and the Faults.
	Serve func(t *testing.T) (endpoint string, faults *Faults)
	// Open opens an empty bucket at endpoint that retries as retry says.
	Open func(t *testing.T, endpoint string, retry bucket.RetryOpts) bucket.Bucket
}

// FaultRetry is the retry configuration of RunFaults: short enough that a
// test waits little for a dead endpoint, with attempts to spare.
var FaultRetry = bucket.RetryOpts{
	MaxAttempts:    1000,
	MaxBackoff:     20 * time.Millisecond,
	MaxTime:        2 * time.Second,
	AttemptTimeout: 300 * time.Millisecond,
}

// putFaultRetry is the retry configuration of RunFaults's Put tests. Their
// faults fail an attempt at once, so they need no short attempt timeout;
// the bounds must instead outlast the fake's own work. Storing a 16 MiB
// chunk keeps fake-gcs-server silent for up to 2.5 s on a loaded 2-core
// machine (measured at load 14). FaultRetry's 300 ms abandoned such
// attempts, which the fake completed anyway; the client sent them again
// and the fake stored the chunk twice (see NewGCSServer). These bounds
// leave four times that margin and still fail a hung Put within about
// 20 s (MaxTime + AttemptTimeout).
var putFaultRetry = bucket.RetryOpts{
	MaxAttempts:    bucket.DefaultMaxAttempts,
	MaxBackoff:     20 * time.Millisecond,
	MaxTime:        10 * time.Second,
	AttemptTimeout: 10 * time.Second,
}

// opDeadline is how long RunFaults lets an operation take against a dead
// endpoint: FaultRetry's bound, MaxTime + AttemptTimeout + MaxBackoff, with
// room for a loaded machine.
const opDeadline = 8 * time.Second

// RunFaults checks that a cloud provider survives what networks do: an
// endpoint that refuses connections or never answers fails every operation
// within a deadline, and resets, truncated and stalled responses are
// retried or resumed, leaving the objects intact.
func RunFaults(t *testing.T, c Cloud) {
	tests := []struct {
		name string
		fn   func(t *testing.T, c Cloud)
	}{
		{"DeadlineRefused", testDeadlineRefused},
		{"DeadlineSilent", testDeadlineSilent},
		{"PutReset", func(t *testing.T, c Cloud) { testPutFault(t, c, Reset) }},
		{"PutTruncated", func(t *testing.T, c Cloud) { testPutFault(t, c, Truncate) }},
		{"GetReset", func(t *testing.T, c Cloud) { testGetFault(t, c, Reset) }},
		{"GetTruncated", func(t *testing.T, c Cloud) { testGetFault(t, c, Truncate) }},
		{"GetStalled", func(t *testing.T, c Cloud) { testGetFault(t, c, Stall) }},
		{"ListTruncated", testListTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, c)
		})
	}
}

// testDeadlineRefused checks every operation on an endpoint where nothing
// listens.
func testDeadlineRefused(t *testing.T, c Cloud) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close()
	checkDeadlines(t, c.Open(t, endpoint, FaultRetry))
}

// testDeadlineSilent checks every operation on an endpoint that accepts
// connections and never answers.
func testDeadlineSilent(t *testing.T, c Cloud) {
	endpoint, faults := c.Serve(t)
	b := c.Open(t, endpoint, FaultRetry)
	faults.Break(1<<40, Silent, nil)
	checkDeadlines(t, b)
}

// checkDeadlines checks that each operation on b fails within opDeadline.
// ComposeMany has more parts than GCS composes at once: the time to fail
// must not grow with the number of parts.
func checkDeadlines(t *testing.T, b bucket.Bucket) {
	var parts []string
	for i := range 40 {
		parts = append(parts, fmt.Sprintf("p%02d", i))
	}
	ops := []struct {
		name string
		fn   func() error
	}{
		{"Stat", func() error { _, err := b.Stat(t.Context(), "k"); return err }},
		{"Get", func() error { _, err := readKey(t.Context(), b, "k", 0, -1); return err }},
		{"GetRange", func() error { _, err := readKey(t.Context(), b, "k", 1, 5); return err }},
		{"Put", func() error { return b.Put(t.Context(), "k", strings.NewReader("data")) }},
		{"PutLarge", func() error { return b.Put(t.Context(), "k", gen(3, 17*mib)) }},
		{"List", func() error { return b.List(t.Context(), "", func(bucket.Attrs) error { return nil }) }},
		{"Delete", func() error { return b.Delete(t.Context(), "k") }},
		{"Compose", func() error { return b.Compose(t.Context(), "k", []string{"a", "b"}) }},
		{"ComposeMany", func() error { return b.Compose(t.Context(), "k", parts) }},
	}
	var wg sync.WaitGroup
	for _, op := range ops {
		wg.Go(func() {
			start := time.Now()
			done := make(chan error, 1)
			go func() { done <- op.fn() }()
			select {
			case err := <-done:
				if err == nil {
					t.Errorf("%s on a dead endpoint succeeded", op.name)
				}
				if d := time.Since(start); d > opDeadline {
					t.Errorf("%s on a dead endpoint took %v, want under %v", op.name, d, opDeadline)
				}
			case <-time.After(4 * opDeadline):
				t.Errorf("%s on a dead endpoint still running after %v", op.name, 4*opDeadline)
			}
		})
	}
	wg.Wait()
}

// readKey reads length bytes of key from offset.
func readKey(ctx context.Context, b bucket.Bucket, key string, offset, length int64) (digest, error) {
	r, err := b.GetRange(ctx, key, offset, length)
	if err != nil {
		return digest{}, err
	}
	defer r.Close()
	return digestOf(r)
}

// firstTries fails the first attempt of each request and lets its retries
// pass, however attempts interleave and whichever the client abandons.
// Requests are told apart by method, URL and Content-Range, which tells a
// resumable upload's chunks apart.
type firstTries struct {
	seen  map[string]bool // guarded by the Faults, which calls match in order
	fails atomic.Int64
}

func newFirstTries() *firstTries {
	return &firstTries{seen: map[string]bool{}}
}

// match is the Faults's matcher.
func (m *firstTries) match(r *http.Request) bool {
	id := r.Method + " " + r.URL.String() + " " + r.Header.Get("Content-Range")
	if m.seen[id] {
		return false
	}
	m.seen[id] = true
	m.fails.Add(1)
	return true
}

// testPutFault checks that Puts, of one request and of many, survive fault
// on the first attempt of every request, and write the right bytes.
//
// Against fake-gcs-server the faults must not make the storage library
// send again a chunk the fake has stored (see NewGCSServer), and they do
// not: a reset attempt was never served; a truncated answer is cut in its
// body, which the library does not read for a chunk other than the last
// (nor for the request that starts the upload); and putFaultRetry does not
// abandon an attempt while the fake stores it. The last chunk's truncated
// answer fails the upload once the object exists, which tests Put's check
// of the object after a lost answer.
func testPutFault(t *testing.T, c Cloud, fault Fault) {
	endpoint, faults := c.Serve(t)
	b := c.Open(t, endpoint, putFaultRetry)
	for i, size := range []int64{10, 17*mib + 3} {
		key := fmt.Sprintf("obj-%d", i)
		tries := newFirstTries()
		faults.Break(1<<40, fault, tries.match)
		if err := b.Put(t.Context(), key, gen(uint64(i), size)); err != nil {
			t.Errorf("Put of %d bytes with each request failing once: %v", size, err)
			continue
		}
		faults.Break(0, 0, nil)
		// Any Put sends one request; a large one, several.
		if n, want := tries.fails.Load(), 1+int64(i); n < want {
			t.Errorf("Put of %d bytes: %d requests failed, want at least %d", size, n, want)
		}
		if got, err := readKey(t.Context(), b, key, 0, -1); err != nil || got != genDigest(t, uint64(i), size) {
			t.Errorf("after Put of %d bytes with each request failing once, Get = %+v, %v; want %+v", size, got, err, genDigest(t, uint64(i), size))
		}
	}
}

// testGetFault checks that a Get and a GetRange survive fault on their
// first three requests, and read the right bytes.
func testGetFault(t *testing.T, c Cloud, fault Fault) {
	endpoint, faults := c.Serve(t)
	b := c.Open(t, endpoint, FaultRetry)
	const size = 3*mib + 5
	if err := b.Put(t.Context(), "obj", gen(9, size)); err != nil {
		t.Fatal(err)
	}
	want := genDigest(t, 9, size)
	faults.Break(3, fault, nil)
	if got, err := readKey(t.Context(), b, "obj", 0, -1); err != nil || got != want {
		t.Errorf("Get through three faults = %+v, %v; want %+v", got, err, want)
	}
	r := gen(9, size)
	io.CopyN(io.Discard, r, mib)
	want, err := digestOf(io.LimitReader(r, 2*mib))
	if err != nil {
		t.Fatal(err)
	}
	faults.Break(3, fault, nil)
	if got, err := readKey(t.Context(), b, "obj", mib, 2*mib); err != nil || got != want {
		t.Errorf("GetRange(obj, %d, %d) through three faults = %+v, %v; want %+v", mib, 2*mib, got, err, want)
	}
}

// testListTruncated checks that a List survives a truncated response.
func testListTruncated(t *testing.T, c Cloud) {
	endpoint, faults := c.Serve(t)
	b := c.Open(t, endpoint, FaultRetry)
	for _, key := range []string{"a", "b", "c"} {
		put(t, b, key, key)
	}
	faults.Break(1, Truncate, nil)
	var keys []string
	err := b.List(t.Context(), "", func(a bucket.Attrs) error {
		keys = append(keys, a.Key)
		return nil
	})
	if got := strings.Join(keys, " "); err != nil || got != "a b c" {
		t.Errorf("List through a truncated response = %q, %v; want %q", got, err, "a b c")
	}
}
