package batch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/ipc"

	"github.com/sightline-dev/sightline/pipeline/bucket"
)

// errAborted is what bucket.Put sees when a writer is aborted without a cause.
var errAborted = errors.New("batch writer aborted")

// Info describes a written batch. It is what a Manifest lists.
type Info struct {
	// Key is the batch's object key.
	Key string `json:"key"`
	// Kind and Version identify the batch's schema.
	Kind    string `json:"kind"`
	Version int    `json:"version"`
	// Rows is the number of rows in the batch.
	Rows int64 `json:"rows"`
	// Bytes is the size of the stored (compressed) object.
	Bytes int64 `json:"bytes"`
}

// Writer streams Arrow records into one bucket object. Its output goes
// through a pipe straight into bucket.Put, so the object is never held in
// memory; the object appears, atomically, only when Close succeeds.
// Records are IPC-encoded, compressed and written by a goroutine of the
// Writer's own, one at a time, while the caller builds the next: an error
// there is returned by a later write or by Close.
// A Writer is not safe for concurrent use.
type Writer struct {
	key     string
	kind    Kind
	pipe    *io.PipeWriter
	counter *countingWriter
	ipc     *ipc.Writer
	put     chan error // receives bucket.Put's result
	rows    int64
	builder *Builder
	done    bool
	// records hands records to the encoder goroutine, which IPC-encodes,
	// compresses and writes them while the caller builds the next one:
	// on two cores that is most of a batch's writing off the caller's
	// path. encoded receives the encoder's error when it ends; failed
	// holds it as soon as it happens, for write to stop early.
	records chan arrow.Record
	encoded chan error
	failed  atomic.Pointer[error]
	// onDone, set by Run, is called once when Close or Abort is done, with
	// ok reporting whether the batch was stored.
	onDone func(info Info, ok bool)
}

// NewWriter starts writing a batch of kind to key in b. The caller must call
// Close to store it, or Abort to discard it; ctx bounds the whole write.
func NewWriter(ctx context.Context, b bucket.Bucket, key string, kind Kind) (*Writer, error) {
	if kind.schema == nil {
		return nil, fmt.Errorf("write batch %q: zero Kind (use NewKind)", key)
	}
	if err := bucket.ValidateKey(key); err != nil {
		return nil, fmt.Errorf("write batch: %w", err)
	}
	pr, pw := io.Pipe()
	w := &Writer{key: key, kind: kind, pipe: pw, put: make(chan error, 1)}
	w.counter = &countingWriter{w: pw}
	w.ipc = ipc.NewWriter(w.counter,
		ipc.WithSchema(kind.schema),
		ipc.WithLZ4(),
		// The IPC writer's buffers (the compressed bodies) live until the
		// record is written: they are recycled too.
		ipc.WithAllocator(builderAllocator),
	)
	w.startEncoder()
	go func() {
		err := b.Put(ctx, key, pr)
		// Unblocks a Write stuck on the pipe when Put gives up early.
		pr.CloseWithError(cmp.Or(err, io.ErrClosedPipe))
		w.put <- err
	}()
	return w, nil
}

// Kind returns the kind the writer writes.
func (w *Writer) Kind() Kind { return w.kind }

// Key returns the object key the writer writes to.
func (w *Writer) Key() string { return w.key }

// Write appends rec to the batch. rec's fields must be the kind's fields
// (name, type, nullability); its schema metadata is not compared. Rows
// pending in the writer's Builder are written first, to keep row order.
func (w *Writer) Write(rec arrow.Record) error {
	if err := w.kind.checkFields(rec.Schema()); err != nil {
		return fmt.Errorf("write batch %q: record does not match: %w", w.key, err)
	}
	if err := w.flushBuilder(); err != nil {
		return err
	}
	return w.write(rec)
}

func (w *Writer) write(rec arrow.Record) error {
	if w.done {
		return fmt.Errorf("write batch %q: writer is closed", w.key)
	}
	if rec.Schema() != w.kind.schema {
		// The IPC writer compares field metadata too; give it the kind's
		// schema, the fields having been checked already.
		rec = recordWithSchema(w.kind.schema, rec)
		defer rec.Release()
	}
	if err := w.failed.Load(); err != nil {
		return fmt.Errorf("write batch %q: %w", w.key, *err)
	}
	rec.Retain() // the encoder releases it
	w.records <- rec
	w.rows += rec.NumRows()
	return nil
}

// startEncoder starts the goroutine that writes the records write hands
// it, one at a time: the channel is unbuffered, so at most one record is
// being written while the caller builds the next.
func (w *Writer) startEncoder() {
	records, encoded := make(chan arrow.Record), make(chan error, 1)
	w.records, w.encoded = records, encoded
	go func() {
		var err error
		for rec := range records {
			if err == nil {
				if err = w.ipc.Write(rec); err != nil {
					w.failed.Store(&err)
				}
			}
			rec.Release()
		}
		encoded <- err
	}()
}

// endEncoder waits until the encoder has written every record handed to
// it, ends it and returns its error. It does nothing the second time.
func (w *Writer) endEncoder() error {
	if w.records == nil {
		return nil
	}
	close(w.records)
	w.records = nil
	return <-w.encoded
}

// Close flushes the Builder, ends the stream and waits until the object is
// stored. After an error the object does not exist. Close after Close or
// Abort returns an error and does nothing.
func (w *Writer) Close() (Info, error) {
	if w.done {
		return Info{}, fmt.Errorf("close batch %q: writer is already closed", w.key)
	}
	info, err := w.close()
	if w.onDone != nil {
		w.onDone(info, err == nil)
	}
	return info, err
}

func (w *Writer) close() (Info, error) {
	if err := w.flushBuilder(); err != nil {
		w.abort(err)
		return Info{}, err
	}
	if err := w.endEncoder(); err != nil {
		err = fmt.Errorf("write batch %q: %w", w.key, err)
		w.abort(err)
		return Info{}, err
	}
	if err := w.ipc.Close(); err != nil {
		err = fmt.Errorf("close batch %q: %w", w.key, err)
		w.abort(err)
		return Info{}, err
	}
	w.release()
	w.pipe.Close()
	if err := <-w.put; err != nil {
		return Info{}, fmt.Errorf("store batch %q: %w", w.key, err)
	}
	return Info{Key: w.key, Kind: w.kind.name, Version: w.kind.version, Rows: w.rows, Bytes: w.counter.n}, nil
}

// Abort discards the batch: the object is not stored. cause (nil for a
// plain abort) is the error bucket.Put sees. Abort after Close or Abort does
// nothing, so `defer w.Abort(nil)` is a safe way to clean up on error paths.
func (w *Writer) Abort(cause error) {
	if w.done {
		return
	}
	w.abort(cause)
	if w.onDone != nil {
		w.onDone(Info{}, false)
	}
}

func (w *Writer) abort(cause error) {
	w.release()
	// Put reads this error from the pipe and, being atomic, stores nothing.
	// A record the encoder is writing into the pipe fails the same way.
	w.pipe.CloseWithError(cmp.Or(cause, errAborted))
	w.endEncoder()
	<-w.put
}

func (w *Writer) release() {
	w.done = true
	if w.builder != nil {
		w.builder.release()
	}
}

// countingWriter counts the bytes of the stored object.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
