package gitsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strings"
)

// ErrMissingObject is returned when an object is not in the repository's
// object store: a blob left out of a partial clone, a damaged mirror, or a
// made-up id. The reader stays usable; callers skip the file.
var ErrMissingObject = errors.New("object missing from the repository")

// ReadBlob returns the content of the blob oid (or of any object name
// cat-file accepts, such as "HEAD:README.md"). A missing object gives an
// error wrapping ErrMissingObject; an object that is not a blob, an error.
func (r *Repo) ReadBlob(ctx context.Context, oid string) ([]byte, error) {
	data, _, err := r.ReadBlobMax(ctx, oid, math.MaxInt64)
	return data, err
}

// ReadBlobMax is ReadBlob for blobs of at most limit bytes, and also returns
// the blob's size. A larger blob is not kept: ReadBlobMax discards its
// content as git streams it and returns a nil slice, its size and a nil
// error, so callers skip it (size > limit) at the cost of reading it once.
func (r *Repo) ReadBlobMax(ctx context.Context, oid string, limit int64) ([]byte, int64, error) {
	b, err := r.OpenBlob(ctx, oid)
	if err != nil {
		return nil, 0, err
	}
	size := b.Size()
	if size > limit {
		return nil, size, b.Close()
	}
	data := make([]byte, size)
	_, err = io.ReadFull(b, data)
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, size, err
	}
	return data, size, nil
}

// OpenBlob starts streaming the blob oid. The BlobReader holds one of the
// Repo's cat-file processes until it is closed: always close it. Errors are
// those of ReadBlob.
func (r *Repo) OpenBlob(ctx context.Context, oid string) (*BlobReader, error) {
	if err := r.checkName(oid); err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		c, err := r.readers.get(ctx)
		if err != nil {
			return nil, r.blobError(oid, err)
		}
		b, broken, err := r.openOn(ctx, c, oid)
		// A process that sat idle may have died meanwhile: start another.
		if broken && c.reused && ctx.Err() == nil && attempt < cap(r.readers.slots) {
			continue
		}
		return b, err
	}
}

// openOn asks c for oid and returns a reader positioned on its content;
// broken reports that c failed (rather than the object).
func (r *Repo) openOn(ctx context.Context, c *catFile, oid string) (b *BlobReader, broken bool, err error) {
	stop := context.AfterFunc(ctx, c.kill) // cancellation kills the process
	hdr, err := c.request(oid)
	switch {
	case err != nil:
		stop()
		err = c.broken(err)
		r.readers.put(c, false)
		if ctx.Err() != nil {
			err = context.Cause(ctx)
		}
		return nil, true, r.blobError(oid, err)
	case hdr.missing:
		r.readers.put(c, stop())
		return nil, false, r.blobError(oid, ErrMissingObject)
	case hdr.kind != "blob":
		r.readers.put(c, c.skip(hdr.size) == nil && stop())
		return nil, false, r.blobError(oid, fmt.Errorf("object is a %s, not a blob", hdr.kind))
	}
	return &BlobReader{repo: r, ctx: ctx, c: c, stop: stop, oid: oid, size: hdr.size, left: hdr.size}, false, nil
}

// checkName rejects an object name that cannot be a line of cat-file's
// input.
func (r *Repo) checkName(oid string) error {
	if oid == "" || strings.ContainsAny(oid, "\n\x00") {
		return fmt.Errorf("read blob %q in %s: invalid object name", oid, r.Dir())
	}
	return nil
}

func (r *Repo) blobError(oid string, err error) error {
	return fmt.Errorf("read blob %s in %s: %w", oid, r.Dir(), err)
}

// BlobReader streams the content of one blob from a cat-file process.
// It is not safe for concurrent use.
type BlobReader struct {
	repo       *Repo
	ctx        context.Context
	c          *catFile // nil once closed
	stop       func() bool
	oid        string
	size, left int64
	err        error // sticky read error
}

// Size returns the blob's size in bytes, known before any content is read.
func (b *BlobReader) Size() int64 { return b.size }

// Read reads the blob's content; it returns io.EOF at its end.
func (b *BlobReader) Read(p []byte) (int, error) {
	switch {
	case b.err != nil:
		return 0, b.err
	case b.c == nil:
		return 0, b.repo.blobError(b.oid, fs.ErrClosed)
	case b.left == 0:
		return 0, io.EOF
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.c.out.Read(p)
	b.left -= int64(n)
	if err != nil {
		b.err = b.fail(b.c, err)
		return n, b.err
	}
	return n, nil
}

// Close discards what was not read and hands the process back to the Repo.
func (b *BlobReader) Close() error {
	c := b.c
	if c == nil {
		return nil
	}
	b.c = nil
	var err error
	if b.err == nil {
		if serr := c.skip(b.left); serr != nil {
			err = b.fail(c, serr)
		}
	}
	b.repo.readers.put(c, b.err == nil && err == nil && b.stop())
	return err
}

// fail turns a read error into the error to report: the context's cause
// when the context ended (and killed the process), else git's failure.
func (b *BlobReader) fail(c *catFile, err error) error {
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if b.ctx.Err() != nil {
		return b.repo.blobError(b.oid, context.Cause(b.ctx))
	}
	return b.repo.blobError(b.oid, c.broken(err))
}
