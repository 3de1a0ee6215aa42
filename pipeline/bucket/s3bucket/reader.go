package s3bucket

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// reader is the body of a GetRange. When the body fails midway (a reset,
// a truncated response, a stall), it reopens the rest of the range with a
// ranged GET of the same version of the object (If-Match its ETag), as the
// GCS library does, so a transient fault costs a re-read rather than the
// caller's whole operation. A replaced object is an error, never a mix of
// two versions, on a server that answers ETags (see ifMatch).
type reader struct {
	ctx       context.Context
	b         *Bucket
	key, k    string // the bucket key, for errors, and the S3 key
	etag      string
	offset    int64 // of the next byte
	remaining int64 // bytes left to read; negative means to the end
	body      io.ReadCloser

	failures int       // since the last byte read
	progress time.Time // when the last byte was read
}

// Read reads from the body, reopening it after a failure.
func (r *reader) Read(p []byte) (int, error) {
	for {
		if r.body == nil {
			if err := r.reopen(); err != nil {
				return 0, err
			}
		}
		n, err := r.body.Read(p)
		r.advance(int64(n))
		if err == nil || errors.Is(err, io.EOF) {
			return n, err
		}
		r.body.Close()
		r.body = nil
		if !r.mayRetry() {
			return n, fmt.Errorf("get %q: read at offset %d: %w", r.key, r.offset, err)
		}
		if n > 0 {
			return n, nil
		}
	}
}

// advance records that n bytes were read.
func (r *reader) advance(n int64) {
	if n == 0 {
		return
	}
	r.offset += n
	if r.remaining > 0 {
		r.remaining -= n
	}
	r.failures, r.progress = 0, time.Now()
}

// mayRetry counts a failure and reports whether the read may go on: the
// context is live and the retry options allow another attempt.
func (r *reader) mayRetry() bool {
	r.failures++
	return r.ctx.Err() == nil && r.failures < r.b.retry.MaxAttempts && time.Since(r.progress) < r.b.retry.MaxTime
}

// reopen asks for the rest of the range.
func (r *reader) reopen() error {
	if r.remaining == 0 {
		r.body = empty()
		return nil
	}
	out, err := r.b.client.GetObject(r.ctx, &s3.GetObjectInput{
		Bucket:  &r.b.name,
		Key:     &r.k,
		Range:   aws.String(httpRange(r.offset, r.remaining)),
		IfMatch: ifMatch(r.etag),
	})
	switch code := errorCode(err); {
	case code == "InvalidRange": // the object ended where the last read stopped
		r.body = empty()
		return nil
	case code == "PreconditionFailed":
		return fmt.Errorf("get %q: object replaced while reading it, at offset %d", r.key, r.offset)
	case err != nil:
		return fmt.Errorf("get %q: reopen at offset %d: %w", r.key, r.offset, translate(err))
	}
	r.body = out.Body
	return nil
}

// ifMatch is the If-Match condition for the version of an object with
// etag: none when the server answered no ETag (some S3-compatible stores
// do not), since an empty condition matches no object. Without it, a
// replaced object goes unnoticed.
func ifMatch(etag string) *string {
	if etag == "" {
		return nil
	}
	return &etag
}

// Close closes the body.
func (r *reader) Close() error {
	if r.body == nil {
		return nil
	}
	return r.body.Close()
}
