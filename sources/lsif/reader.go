package lsif

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
	"github.com/klauspost/compress/gzip"
)

// NewReader returns the uncompressed dump in r. A gzip stream (recognised by
// its magic bytes) is decompressed, including several concatenated members
// as the chunked upload produces, on a goroutine of its own so that
// decompression and parsing use two cores; anything else is returned as is.
// A corrupt or truncated gzip stream reads as an error wrapping
// ErrMalformed. Close stops the decompressing goroutine; it does not close
// r.
func NewReader(r io.Reader) (io.ReadCloser, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	magic, err := br.Peek(2)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("read dump: %w", err)
	}
	if len(magic) < 2 || magic[0] != 0x1f || magic[1] != 0x8b {
		return io.NopCloser(br), nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, gzipError(err)
	}
	return newReadahead(&gzipReader{zr: zr}), nil
}

type gzipReader struct{ zr *gzip.Reader }

func (g *gzipReader) Read(p []byte) (int, error) {
	n, err := g.zr.Read(p)
	if err != nil && err != io.EOF {
		err = gzipError(err)
	}
	return n, err
}

// gzipError marks the errors that mean the stream itself is bad. Others
// (the underlying reader's) pass through. A stream that ends early is told
// apart by identity: gzip and flate return io.ErrUnexpectedEOF itself, while
// a failure of the underlying reader that merely wraps it (a broken
// download) is not the dump's fault.
func gzipError(err error) error {
	var corrupt flate.CorruptInputError
	switch {
	case err == io.ErrUnexpectedEOF, err == io.EOF:
		return fmt.Errorf("%w: gzip stream truncated (an upload part is missing or cut short)", ErrMalformed)
	case errors.Is(err, gzip.ErrChecksum), errors.Is(err, gzip.ErrHeader), errors.As(err, &corrupt):
		return fmt.Errorf("%w: corrupt gzip stream: %v", ErrMalformed, err)
	}
	return err
}

// readahead runs a reader on its own goroutine, a few blocks ahead.
type readahead struct {
	full chan block
	free chan []byte
	done chan struct{}
	once sync.Once

	cur  block
	off  int
	prev []byte
}

type block struct {
	b   []byte
	err error
}

const (
	readaheadBlocks    = 4
	readaheadBlockSize = 256 << 10
)

func newReadahead(r io.Reader) *readahead {
	ra := &readahead{
		full: make(chan block, readaheadBlocks),
		free: make(chan []byte, readaheadBlocks+1),
		done: make(chan struct{}),
	}
	for range readaheadBlocks + 1 {
		ra.free <- make([]byte, readaheadBlockSize)
	}
	go ra.fill(r)
	return ra
}

func (ra *readahead) fill(r io.Reader) {
	for {
		var buf []byte
		select {
		case buf = <-ra.free:
		case <-ra.done:
			return
		}
		n, err := readBlock(r, buf)
		select {
		case ra.full <- block{b: buf[:n], err: err}:
		case <-ra.done:
			return
		}
		if err != nil {
			return
		}
	}
}

// readBlock fills buf unless r ends or fails first. Unlike io.ReadFull it
// returns r's own error (a truncated gzip stream's ErrUnexpectedEOF must not
// be confused with a short last block).
func readBlock(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func (ra *readahead) Read(p []byte) (int, error) {
	for ra.off == len(ra.cur.b) {
		if ra.cur.err != nil {
			return 0, ra.cur.err
		}
		if ra.prev != nil {
			ra.free <- ra.prev[:cap(ra.prev)]
		}
		ra.cur = <-ra.full
		ra.prev, ra.off = ra.cur.b, 0
	}
	n := copy(p, ra.cur.b[ra.off:])
	ra.off += n
	return n, nil
}

// Close stops the goroutine. It is safe to call more than once.
func (ra *readahead) Close() error {
	ra.once.Do(func() { close(ra.done) })
	return nil
}
