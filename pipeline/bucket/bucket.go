// Package bucket is Sightline's object storage: one small interface for the
// blob stores that jobs exchange Arrow batches and LSIF uploads through.
// bucketurl.Open picks a provider by URL scheme.
//
// It is not a file system: keys are flat strings ("runs/sync-repos/<id>/x"),
// there are no directories, and the only write primitive is a whole-object Put.
// Providers live in subpackages (filebucket, s3bucket, gcsbucket); the
// conformance suite every provider passes is in pipeline/buckettest.
//
// Every operation of the cloud providers has a deadline, set by RetryOpts
// (the defaults in brackets): an HTTP attempt on which nothing moves for
// AttemptTimeout [30s] is abandoned; transient failures are retried up to
// MaxAttempts [8] times with backoff up to MaxBackoff [5s], for up to
// MaxTime [30s] since the operation last made progress. Against an
// endpoint that refuses connections or never answers, an operation fails
// within about MaxTime + AttemptTimeout + MaxBackoff [65s]; Stat and Delete
// also carry that as a context deadline. A streamed Get or Put is bounded
// by progress rather than by total time, so a large object is never cut
// off while bytes move; a Get whose body fails or stalls resumes from where
// it stopped, and a Put whose answer was lost checks what was written.
package bucket

import (
	"context"
	"errors"
	"io"
	"time"
)

// ErrNotExist is returned (possibly wrapped) when an object does not exist.
// Providers translate their own not-found errors (S3 NoSuchKey, GCS
// ErrObjectNotExist, fs.ErrNotExist) into it; test with errors.Is.
var ErrNotExist = errors.New("object does not exist")

// Attrs describes a stored object.
type Attrs struct {
	// Key is the object's key relative to the bucket's prefix.
	Key string
	// Size is the object's length in bytes.
	Size int64
	// ModTime is when the object was last written.
	ModTime time.Time
}

// Bucket is a flat store of immutable-once-written objects under a prefix.
// All keys are relative to the prefix given in the bucket's URL. Keys use "/"
// as separator, must not be empty, and must not start with "/" or contain
// "." or ".." segments; providers reject such keys with an error.
//
// Implementations are safe for concurrent use.
type Bucket interface {
	// Get opens key for reading. It returns ErrNotExist if key does not exist.
	// The caller must close the reader.
	Get(ctx context.Context, key string) (io.ReadCloser, error)

	// GetRange opens length bytes of key starting at offset. A negative
	// length reads to the end of the object. Reading past the end yields
	// fewer bytes, not an error. It returns ErrNotExist if key does not exist.
	GetRange(ctx context.Context, key string, offset, length int64) (io.ReadCloser, error)

	// Put writes the contents of r to key, replacing any existing object.
	// Put is atomic: readers see the old object or the new one, never a
	// partial one; if r returns an error or ctx is cancelled, no object is
	// written (and an existing one is kept). Put streams: it does not hold
	// the whole object in memory.
	Put(ctx context.Context, key string, r io.Reader) error

	// Stat returns the attributes of key, or ErrNotExist.
	Stat(ctx context.Context, key string) (Attrs, error)

	// List calls fn for each object whose key starts with prefix, in
	// lexical key order. An empty prefix lists the whole bucket. If fn
	// returns an error, List stops and returns it.
	List(ctx context.Context, prefix string, fn func(Attrs) error) error

	// Delete removes key. Deleting a key that does not exist is not an
	// error: Delete is idempotent.
	Delete(ctx context.Context, key string) error

	// Compose writes to dst the concatenation of parts, in order, and
	// leaves the parts in place. Like Put it is atomic. It returns
	// ErrNotExist (naming the part) if a part does not exist. Any number
	// of parts (at least one) is accepted, whatever the provider's own
	// limit on sources per call.
	Compose(ctx context.Context, dst string, parts []string) error

	// Close releases the provider's resources.
	Close() error

	// String returns the bucket's URL, without credentials.
	String() string
}

// URLError is a bucket URL that cannot be used as written: an unknown
// scheme or parameter, a malformed value, a path that is not allowed. It is
// the user's mistake to fix, unlike a failure to reach the store; find it
// with errors.As. Its message is Err's.
type URLError struct {
	Err error
}

func (e *URLError) Error() string { return e.Err.Error() }

// Unwrap returns Err.
func (e *URLError) Unwrap() error { return e.Err }

// TempCleaner is implemented by providers whose interrupted writes can
// leave temporary files behind, out of List's sight: a file bucket's
// process that crashes mid-Put leaves its .tmp-filebucket/write-* file. The
// prune job calls it on buckets that have it.
type TempCleaner interface {
	// CleanTemp removes the temporary files last written before cutoff and
	// returns how many it removed. A cutoff well in the past leaves writes
	// in progress alone.
	CleanTemp(ctx context.Context, cutoff time.Time) (int, error)
}
