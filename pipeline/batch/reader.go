package batch

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/ipc"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// Reader streams the records of one batch straight from the bucket, one
// record in memory at a time. It is not safe for concurrent use.
type Reader struct {
	ctx    context.Context
	key    string
	kind   Kind
	body   io.ReadCloser
	ipc    *ipc.Reader
	rows   int64
	err    error
	closed bool
}

// Open opens the batch at key for reading. It fails if the object does not
// exist (errors.Is(err, bucket.ErrNotExist)), is not an Arrow stream, or is
// of a kind or version reg does not know (*UnknownKindError), or if its
// fields differ from the registered kind's.
func Open(ctx context.Context, b bucket.Bucket, key string, reg *Registry) (*Reader, error) {
	body, err := b.Get(ctx, key)
	if err != nil {
		return nil, fmt.Errorf("open batch %q: %w", key, err)
	}
	mr := &eosReader{MessageReader: ipc.NewMessageReader(body, ipc.WithAllocator(memory.DefaultAllocator))}
	ir, err := ipc.NewReaderFromMessageReader(mr, ipc.WithAllocator(memory.DefaultAllocator))
	if err != nil {
		body.Close()
		return nil, fmt.Errorf("batch %q is not a readable Arrow stream (corrupt or truncated?): %w", key, err)
	}
	kind, err := reg.resolveSchema(key, ir.Schema())
	if err != nil {
		ir.Release()
		body.Close()
		return nil, err
	}
	return &Reader{ctx: ctx, key: key, kind: kind, body: body, ipc: ir}, nil
}

// Kind returns the batch's kind, as registered.
func (r *Reader) Kind() Kind { return r.kind }

// Key returns the batch's object key.
func (r *Reader) Key() string { return r.key }

// Next advances to the next record. It returns false at the end of the
// stream or on error; check Err.
func (r *Reader) Next() bool {
	if r.err != nil {
		return false
	}
	if err := r.ctx.Err(); err != nil {
		r.err = fmt.Errorf("read batch %q: %w", r.key, err)
		return false
	}
	if !r.ipc.Next() {
		if err := r.ipc.Err(); err != nil {
			r.err = fmt.Errorf("read batch %q (corrupt or truncated?): %w", r.key, err)
		}
		return false
	}
	r.rows += r.ipc.Record().NumRows()
	return true
}

// Record returns the current record. It is valid until the next call to
// Next; Retain it to keep it longer.
func (r *Reader) Record() arrow.Record { return r.ipc.Record() }

// Rows returns the number of rows read so far.
func (r *Reader) Rows() int64 { return r.rows }

// Err returns the error that stopped Next, if any.
func (r *Reader) Err() error { return r.err }

// Close releases the reader and closes the object. Closing twice is a no-op.
func (r *Reader) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	r.ipc.Release()
	if err := r.body.Close(); err != nil {
		return fmt.Errorf("close batch %q: %w", r.key, err)
	}
	return nil
}

// errTruncated reports a stream that ends without an end-of-stream marker.
var errTruncated = errors.New("stream ends without an end-of-stream marker")

// eosReader makes a stream cut short at a message boundary an error. The
// ipc package returns a bare io.EOF for the end-of-stream marker but a
// wrapped io.EOF when the input simply ends, and treats both as a clean
// end; only the marker is one.
type eosReader struct {
	ipc.MessageReader
}

func (e *eosReader) Message() (*ipc.Message, error) {
	msg, err := e.MessageReader.Message()
	if err != nil && err != io.EOF && errors.Is(err, io.EOF) {
		return nil, errTruncated
	}
	return msg, err
}
