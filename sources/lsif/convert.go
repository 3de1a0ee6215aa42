package lsif

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
)

// converter is the state of one conversion.
type converter struct {
	opts Opts
	sink Sink

	stats     Stats
	metaRoot  string
	groupRoot string

	arena         arena
	ids           *idTable
	keys          *interner
	ranges        table[rangeRec]
	sets          table[node]
	results       table[resultRec]
	items         table[item]
	links         table[resultLink]
	monikers      table[monikerRec]
	extraMonikers map[uint64][]uint32
	docs          []docRec
	docsByURI     map[string]uint32
	pkgs          []PackageInfo
	diags         [][]Diagnostic
	api           apiState

	el   element
	tgts []target
}

// Convert reads an LSIF dump from r (plain or gzipped: see NewReader) and
// delivers its code intelligence to sink. It returns what it saw; on error,
// the Stats so far and an error that wraps ErrMalformed (with the 1-based
// line number, as a *LineError) when the dump is at fault.
//
// # Memory
//
// An edge may name any earlier vertex, so Convert keeps, until the end of
// the stream, one fixed-size record per vertex it needs, in chunked tables
// (no pointers, no per-vertex allocation): 4 bytes per numeric id in the
// id table (edges' ids included), 40 bytes per range (position, document,
// next, results, hover, first moniker), 20 per resultSet, 16 per
// definition or reference result, 8 per item edge target (a range, or a
// reference result it links to), 20 per moniker
// plus its scheme and identifier once per distinct pair (local monikers
// keep no strings), and per document its URI and path. Hover texts go to
// the Sink as soon as they are read; document contents and every other
// payload are skipped without being copied. Non-numeric string ids cost a
// map entry and their bytes each.
//
// After the stream, Convert groups: it sorts each document's ranges and
// each result's locations in turn, so the extra memory is one index over
// all ranges (4 bytes each), the largest single document or result, and
// the set of distinct (moniker, result) pairs. Peak memory is therefore a
// fraction of the uncompressed dump (see BenchmarkConvert), bounded by the
// number of ranges and item edges, not by the dump's bytes.
func Convert(ctx context.Context, r io.Reader, opts Opts, sink Sink) (Stats, error) {
	root, err := CleanRoot(opts.Root)
	if err != nil {
		return Stats{}, err
	}
	opts.Root = root
	opts.MaxLineSize = cmp.Or(opts.MaxLineSize, DefaultMaxLineSize)
	in, err := NewReader(r)
	if err != nil {
		return Stats{}, err
	}
	defer in.Close()

	c := newConverter(opts, sink)
	if err := c.read(ctx, in); err != nil {
		return c.stats, err
	}
	c.stats.StateBytes = c.stateBytes()
	if err := c.finish(ctx); err != nil {
		return c.stats, err
	}
	return c.stats, nil
}

func newConverter(opts Opts, sink Sink) *converter {
	c := &converter{
		opts:          opts,
		sink:          sink,
		extraMonikers: make(map[uint64][]uint32),
		docsByURI:     make(map[string]uint32),
	}
	c.ids = newIDTable(&c.arena)
	c.keys = newInterner(&c.arena)
	return c
}

// read correlates the whole stream.
func (c *converter) read(ctx context.Context, in io.Reader) error {
	br := bufio.NewReaderSize(in, 256<<10)
	var long []byte
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long, err = c.readLong(br, append(long[:0], line...))
			if _, tooLong := err.(*LineError); tooLong {
				return err
			}
			line = long
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read dump after line %d: %w", c.stats.Lines, err)
		}
		if len(line) > 0 {
			c.stats.Lines++
			c.stats.Bytes += int64(len(line))
			if lerr := c.handle(line); lerr != nil {
				return lerr
			}
			if cap(long) > 8<<20 {
				long = nil // do not keep one huge line's buffer
			}
		}
		if err == io.EOF {
			return nil
		}
		if c.stats.Lines&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
}

// readLong reads the rest of a line longer than the buffer.
func (c *converter) readLong(br *bufio.Reader, long []byte) ([]byte, error) {
	for {
		if len(long) > c.opts.MaxLineSize {
			return long, &LineError{Line: c.stats.Lines + 1, Err: fmt.Errorf("line longer than %d bytes", c.opts.MaxLineSize)}
		}
		more, err := br.ReadSlice('\n')
		long = append(long, more...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return long, err
		}
	}
}

func (c *converter) handle(line []byte) error {
	line = bytes.TrimRight(line, "\r\n")
	if len(bytes.TrimSpace(line)) == 0 {
		return nil
	}
	err := c.line(line)
	if err == nil {
		return nil
	}
	var se *sinkError
	if errors.As(err, &se) {
		return se.err
	}
	return &LineError{Line: c.stats.Lines, Err: err}
}

// stateBytes estimates the memory held in the converter's tables.
func (c *converter) stateBytes() int64 {
	n := c.ids.bytes() + c.ranges.bytes() + c.sets.bytes() + c.results.bytes() +
		c.items.bytes() + c.links.bytes() + c.monikers.bytes() + c.arena.total
	n += int64(len(c.keys.ids)) * 56 // map entry and key record
	n += c.api.bytes()
	for _, d := range c.docs {
		n += int64(2*len(d.uri)) + 96 // record, URI, map entry
	}
	return n
}
