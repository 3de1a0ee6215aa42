package gitsource

import (
	"bufio"
	"context"
	"fmt"
	"io"
)

// BlobFunc receives one blob read by ReadBlobs: its index in the ids, its
// content and size, or the error for that blob alone (ErrMissingObject, not
// a blob). data is nil for a blob over the size limit, and is only valid
// during the call. Returning an error stops ReadBlobs.
type BlobFunc func(i int, data []byte, size int64, err error) error

// ReadBlobs reads the blobs oids in order and calls fn for each. It sends
// all the requests ahead to one cat-file process rather than waiting for
// each answer, for several times the throughput of ReadBlob on small blobs.
// Blobs larger than limit bytes are discarded unread, as by ReadBlobMax, so
// the one buffer it reuses grows to at most twice the largest blob read and
// limit bytes (or 64 KiB); the process keeps it for later calls when it is
// at most 4 MiB. It returns fn's error, or an error of git or of ctx,
// and then kills the process.
func (r *Repo) ReadBlobs(ctx context.Context, oids []string, limit int64, fn BlobFunc) error {
	for _, oid := range oids {
		if err := r.checkName(oid); err != nil {
			return err
		}
	}
	for attempt := 0; ; attempt++ {
		c, err := r.readers.get(ctx)
		if err != nil {
			return fmt.Errorf("read blobs in %s: %w", r.Dir(), err)
		}
		answered, broken, err := r.readBlobsOn(ctx, c, oids, limit, fn)
		// A process that sat idle may have died meanwhile: start another.
		if broken && answered == 0 && c.reused && ctx.Err() == nil && attempt < cap(r.readers.slots) {
			continue
		}
		return err
	}
}

// readBlobsOn runs ReadBlobs on c. It returns how many blobs were
// answered, and whether c failed (rather than fn).
func (r *Repo) readBlobsOn(ctx context.Context, c *catFile, oids []string, limit int64, fn BlobFunc) (answered int, broken bool, err error) {
	stop := context.AfterFunc(ctx, c.kill) // cancellation kills the process
	sent := make(chan error, 1)
	go func() { sent <- sendAll(c.stdin, oids) }()
	answered, broken, err = r.answerAll(c, oids, limit, fn)
	return r.endRead(ctx, c, stop, sent, answered, broken, err)
}

// endRead ends a read on c whose answers are in (answered, broken, err,
// as from answerAll): it kills c on an error (answers are still coming;
// this also ends the sender), waits for the sender's result on sent,
// returns c to the pool when it is reusable (stop detaches ctx from it),
// and says why a broken c failed.
func (r *Repo) endRead(ctx context.Context, c *catFile, stop func() bool, sent <-chan error,
	answered int, broken bool, err error) (int, bool, error) {
	if err != nil {
		c.kill()
	}
	if serr := <-sent; err == nil && serr != nil {
		broken, err = true, serr
	}
	r.readers.put(c, err == nil && stop())
	switch {
	case broken && ctx.Err() != nil:
		return answered, true, fmt.Errorf("read blobs in %s: %w", r.Dir(), context.Cause(ctx))
	case broken:
		return answered, true, fmt.Errorf("read blobs in %s: %w", r.Dir(), c.broken(err))
	}
	return answered, false, err
}

func sendAll(w io.Writer, oids []string) error {
	bw := bufio.NewWriter(w)
	for _, oid := range oids {
		bw.WriteString(oid)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// answerAll reads the answers to oids and hands them to fn.
func (r *Repo) answerAll(c *catFile, oids []string, limit int64, fn BlobFunc) (answered int, broken bool, err error) {
	defer c.trimBuffer()
	for i, oid := range oids {
		broken, err := r.answerOne(c, oid, i, limit, fn)
		switch {
		case broken:
			return i, true, err
		case err != nil: // fn's
			return i + 1, false, err
		}
	}
	return len(oids), false, nil
}

// answerOne reads the answer to oid and hands it to fn as blob i. broken
// reports that c failed (rather than fn).
func (r *Repo) answerOne(c *catFile, oid string, i int, limit int64, fn BlobFunc) (broken bool, err error) {
	hdr, err := c.answer()
	if err != nil {
		return true, err
	}
	var data []byte
	var ferr error
	switch {
	case hdr.missing:
		ferr = r.blobError(oid, ErrMissingObject)
	case hdr.kind != "blob":
		ferr = r.blobError(oid, fmt.Errorf("object is a %s, not a blob", hdr.kind))
	}
	if !hdr.missing {
		if data, err = c.content(hdr, limit); err != nil {
			return true, err
		}
	}
	return false, fn(i, data, hdr.size, ferr)
}

// content reads the content of a blob of at most limit bytes into c.buf,
// growing it if need be; it discards any other object's content.
func (c *catFile) content(hdr header, limit int64) ([]byte, error) {
	if hdr.kind != "blob" || hdr.size > limit {
		return nil, c.skip(hdr.size)
	}
	if c.buf == nil || int64(cap(c.buf)) < hdr.size {
		// Never nil, even for an empty blob. Doubling: a pass over
		// growing blobs allocates little.
		c.buf = make([]byte, max(hdr.size, min(2*int64(cap(c.buf)), limit), 64<<10))
	}
	data := c.buf[:hdr.size]
	if _, err := io.ReadFull(c.out, data); err != nil {
		return nil, err
	}
	return data, c.newline()
}

// maxKeptBuffer bounds the content buffer an idle cat-file process keeps.
const maxKeptBuffer = 4 << 20

// trimBuffer drops a content buffer too large to keep between requests.
func (c *catFile) trimBuffer() {
	if cap(c.buf) > maxKeptBuffer {
		c.buf = nil
	}
}
