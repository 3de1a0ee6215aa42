package processuploads

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// storageError is a failure of the bucket: a request the provider gave up
// on, or a stream that broke while being read. It says nothing about the
// dump, so it must not use up one of the upload's attempts.
type storageError struct {
	op, key string
	err     error
}

func (e *storageError) Error() string { return fmt.Sprintf("bucket %s %q: %v", e.op, e.key, e.err) }
func (e *storageError) Unwrap() error { return e.err }

// storage marks err, returned by op on key, as a storage failure, unless
// it is nil, io.EOF or bucket.ErrNotExist (a missing object is an answer,
// not a hiccup).
func storage(op, key string, err error) error {
	if err == nil || err == io.EOF || errors.Is(err, bucket.ErrNotExist) {
		return err
	}
	var se *storageError
	if errors.As(err, &se) {
		return err
	}
	return &storageError{op: op, key: key, err: err}
}

// storageBucket marks every failure of the bucket it wraps as a
// storageError, including those of the streams Get and GetRange open, so
// that a failed attempt can tell a storage hiccup from a bad dump however
// deep in the converter or the loader the error surfaced.
type storageBucket struct{ bucket.Bucket }

var _ bucket.Bucket = storageBucket{}

// Get implements bucket.Bucket.
func (b storageBucket) Get(ctx context.Context, key string) (io.ReadCloser, error) {
	rc, err := b.Bucket.Get(ctx, key)
	if err != nil {
		return nil, storage("get", key, err)
	}
	return storageReader{rc: rc, key: key}, nil
}

// GetRange implements bucket.Bucket.
func (b storageBucket) GetRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	rc, err := b.Bucket.GetRange(ctx, key, off, n)
	if err != nil {
		return nil, storage("get", key, err)
	}
	return storageReader{rc: rc, key: key}, nil
}

// Put implements bucket.Bucket.
func (b storageBucket) Put(ctx context.Context, key string, r io.Reader) error {
	return storage("put", key, b.Bucket.Put(ctx, key, r))
}

// Stat implements bucket.Bucket.
func (b storageBucket) Stat(ctx context.Context, key string) (bucket.Attrs, error) {
	a, err := b.Bucket.Stat(ctx, key)
	return a, storage("stat", key, err)
}

// List implements bucket.Bucket. An error of fn is returned unmarked.
func (b storageBucket) List(ctx context.Context, prefix string, fn func(bucket.Attrs) error) error {
	var fnErr error
	err := b.Bucket.List(ctx, prefix, func(a bucket.Attrs) error {
		fnErr = fn(a)
		return fnErr
	})
	if err != nil && fnErr != nil && errors.Is(err, fnErr) {
		return err
	}
	return storage("list", prefix, err)
}

// Delete implements bucket.Bucket.
func (b storageBucket) Delete(ctx context.Context, key string) error {
	return storage("delete", key, b.Bucket.Delete(ctx, key))
}

// Compose implements bucket.Bucket.
func (b storageBucket) Compose(ctx context.Context, dst string, parts []string) error {
	return storage("compose", dst, b.Bucket.Compose(ctx, dst, parts))
}

// storageReader marks the read errors of an object's stream.
type storageReader struct {
	rc  io.ReadCloser
	key string
}

func (r storageReader) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	return n, storage("read", r.key, err)
}

func (r storageReader) Close() error { return r.rc.Close() }
