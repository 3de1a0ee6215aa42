package processuploads

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// resumingReader reads an object from a bucket and, when a read fails
// mid-stream (a reset connection, a provider hiccup), opens it again with
// a ranged read from the first byte not yet received, so a long download
// survives transient failures without starting over. A stream that ends
// before the object's known size counts as such a failure.
type resumingReader struct {
	ctx  context.Context
	b    bucket.Bucket
	key  string
	size int64 // -1 when unknown

	off      int64
	rc       io.ReadCloser
	failures int // consecutive, without progress
	// maxFailures and backoff bound the retries; Resumes counts them.
	maxFailures int
	backoff     time.Duration
	Resumes     int
}

func newResumingReader(ctx context.Context, b bucket.Bucket, key string, size int64) *resumingReader {
	return &resumingReader{ctx: ctx, b: b, key: key, size: size, maxFailures: 5, backoff: 100 * time.Millisecond}
}

func (r *resumingReader) Read(p []byte) (int, error) {
	for {
		if r.rc == nil {
			rc, err := r.b.GetRange(r.ctx, r.key, r.off, -1)
			if err != nil {
				if err := r.retry(err); err != nil {
					return 0, err
				}
				continue
			}
			r.rc = rc
		}
		n, err := r.rc.Read(p)
		r.off += int64(n)
		if n > 0 {
			r.failures = 0
		}
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, io.EOF) && (r.size < 0 || r.off >= r.size):
			return n, io.EOF
		case errors.Is(err, io.EOF):
			if cut := r.cutShort(); cut != nil {
				return n, cut
			}
			err = fmt.Errorf("stream ended at byte %d of %d", r.off, r.size)
		}
		r.rc.Close()
		r.rc = nil
		if rerr := r.retry(err); rerr != nil {
			return n, rerr
		}
		if n > 0 {
			return n, nil
		}
	}
}

// cutShort returns a permanent error when the object in the bucket is
// shorter than the size recorded at upload: no retry brings the missing
// bytes back. It returns nil when the object cannot be examined or has its
// size (the stream merely ended early), so that reading resumes.
func (r *resumingReader) cutShort() error {
	attrs, err := r.b.Stat(r.ctx, r.key)
	if err != nil || attrs.Size >= r.size {
		return nil
	}
	return permanent("the upload's object %q is %d bytes, not the %d it had when uploaded: it was truncated in the bucket; upload the dump again",
		r.key, attrs.Size, r.size)
}

// retry decides whether to resume after err, waiting a little first.
func (r *resumingReader) retry(err error) error {
	if r.ctx.Err() != nil || errors.Is(err, bucket.ErrNotExist) {
		return fmt.Errorf("read %q at byte %d: %w", r.key, r.off, err)
	}
	r.failures++
	if r.failures > r.maxFailures {
		return fmt.Errorf("read %q at byte %d: %w (gave up after %d attempts)", r.key, r.off, err, r.failures)
	}
	r.Resumes++
	select {
	case <-time.After(r.backoff * time.Duration(r.failures)):
		return nil
	case <-r.ctx.Done():
		return fmt.Errorf("read %q at byte %d: %w", r.key, r.off, r.ctx.Err())
	}
}

// Close closes the current stream.
func (r *resumingReader) Close() error {
	if r.rc == nil {
		return nil
	}
	err := r.rc.Close()
	r.rc = nil
	return err
}
