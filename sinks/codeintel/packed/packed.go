// Package packed encodes an upload's code navigation data the way
// lsif_documents and lsif_result_chunks store it: one row per document
// holding all its ranges, and one row per chunk of ResultsPerChunk
// consecutive result ids holding those results' locations. A converted
// upload has millions of ranges and locations; stored a row each, the
// COPY of their rows and index entries was most of the time spent loading
// it. Packed, an upload has as many rows as documents and result chunks,
// and a query reads one document's row or one chunk's.
//
// Both encodings start with a version byte and are sequences of varints
// (encoding/binary's zig-zag Varint for numbers that are positions or ids,
// Uvarint for counts, lengths and table indexes). Strings a row repeats
// (a document's monikers, a chunk's paths) are written once, in a table at
// the start (sorted and front-coded: see stringTable), and named by their
// number in it.
//
// A document row (Version, then):
//
//	table of monikers ("kind:scheme:identifier")
//	uvarint ranges; each:
//	  varint start line - previous range's start line
//	  varint start character
//	  varint end line - start line
//	  varint end character
//	  varint definition result, reference result, hover id (0: none)
//	  uvarint monikers; each: uvarint index into the moniker table
//
// A result chunk row (Version, then):
//
//	table of paths
//	uvarint results; each:
//	  varint result id; byte kind (1 definitions, 2 references)
//	  uvarint size: the bytes of the rest of the result, for a reader
//	    looking for one result to skip the others
//	  uvarint locations; each:
//	    uvarint index into the path table
//	    varint start line, start character, end line - start line, end character
package packed

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Version is the first byte of every row this package writes.
const Version = 1

// ChunkShift sets how results are chunked: result id >> ChunkShift is the
// chunk a result is stored in, so a chunk holds up to 1<<ChunkShift
// results.
const ChunkShift = 6

// ResultsPerChunk is the number of result ids a chunk covers.
const ResultsPerChunk = 1 << ChunkShift

// Chunk returns the chunk that holds result id.
func Chunk(id int32) int32 { return id >> ChunkShift }

// Range is one range of a document and what it leads to.
type Range struct {
	StartLine, StartCharacter, EndLine, EndCharacter int32
	// DefinitionResult, ReferenceResult and HoverID are the converter's
	// ids within the upload; 0 means none.
	DefinitionResult, ReferenceResult, HoverID int32
	// Monikers are spelled "kind:scheme:identifier".
	Monikers []string
}

// Contains reports whether the range contains the position, its ends
// included (a cursor just after a name is on it).
func (r Range) Contains(line, character int32) bool {
	if line < r.StartLine || line > r.EndLine {
		return false
	}
	if line == r.StartLine && character < r.StartCharacter {
		return false
	}
	return line != r.EndLine || character <= r.EndCharacter
}

// DocumentWriter encodes one document's ranges. Its buffers are reused
// from document to document: Reset, AddRange for each range, then Bytes.
// The zero value is ready to use.
type DocumentWriter struct {
	body     []byte
	monikers stringTable
	ranges   uint64
	line     int32
	out      []byte
	idx      []uint64
}

// Reset starts a new document.
func (w *DocumentWriter) Reset() {
	w.body, w.out = w.body[:0], w.out[:0]
	w.ranges, w.line = 0, 0
	w.monikers.reset()
}

// AddRange adds a range: its position (start line, start character, end
// line, end character), its results and hover (0: none) and its monikers.
// The monikers' bytes are copied.
func (w *DocumentWriter) AddRange(pos [4]int32, definition, reference, hover int32, monikers [][]byte) {
	w.body = binary.AppendVarint(w.body, int64(pos[0])-int64(w.line))
	w.body = binary.AppendVarint(w.body, int64(pos[1]))
	w.body = binary.AppendVarint(w.body, int64(pos[2])-int64(pos[0]))
	w.body = binary.AppendVarint(w.body, int64(pos[3]))
	w.body = binary.AppendVarint(w.body, int64(definition))
	w.body = binary.AppendVarint(w.body, int64(reference))
	w.body = binary.AppendVarint(w.body, int64(hover))
	w.idx = w.idx[:0]
	for _, m := range monikers {
		w.idx = append(w.idx, w.monikers.add(m))
	}
	w.body = binary.AppendUvarint(w.body, uint64(len(w.idx)))
	for _, i := range w.idx {
		w.body = binary.AppendUvarint(w.body, i)
	}
	w.line = pos[0]
	w.ranges++
}

// Ranges returns the number of ranges added since Reset.
func (w *DocumentWriter) Ranges() int { return int(w.ranges) }

// Bytes returns the encoded document, valid until the next Reset.
func (w *DocumentWriter) Bytes() []byte {
	w.out = append(w.out[:0], Version)
	w.out = w.monikers.appendTo(w.out)
	w.out = binary.AppendUvarint(w.out, w.ranges)
	w.out = append(w.out, w.body...)
	return w.out
}

// Location is one location of a result.
type Location struct {
	Path                                             string
	StartLine, StartCharacter, EndLine, EndCharacter int32
}

// Result kinds, as lsif.ResultKind numbers them.
const (
	Definitions = 1
	References  = 2
)

// Result is one result of a chunk.
type Result struct {
	ID        int32
	Kind      byte // Definitions or References
	Locations []Location
}

// ErrCorrupt is wrapped by every decoding error.
var ErrCorrupt = errors.New("corrupt packed data")

// reader decodes varints from data, remembering the first error.
type reader struct {
	what string
	data []byte
	off  int
	err  error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: %s at byte %d: %s", ErrCorrupt, r.what, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.data[r.off:])
	if n <= 0 {
		r.fail("bad or truncated count")
		return 0
	}
	r.off += n
	return v
}

// count reads a count of items each at least min bytes long, refusing
// one the rest of the data cannot hold (so that a corrupt count does not
// allocate without bound).
func (r *reader) count(min int) int {
	v := r.uvarint()
	if r.err == nil && v > uint64(len(r.data)-r.off)/uint64(min) {
		r.fail("count %d exceeds the remaining %d bytes", v, len(r.data)-r.off)
		return 0
	}
	return int(v)
}

func (r *reader) int32() int32 { return r.plus(0) }

// plus reads a number that is a difference from base (a line from the
// previous range's, an end line from its start line): the difference of
// two int32s, which may not fit one itself.
func (r *reader) plus(base int32) int32 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.data[r.off:])
	if n <= 0 {
		r.fail("bad or truncated number")
		return 0
	}
	if sum := int64(base) + v; sum < math.MinInt32 || sum > math.MaxInt32 {
		if base == 0 {
			r.fail("number %d out of int32 range", v)
		} else {
			r.fail("number %d + %d out of int32 range", base, v)
		}
		return 0
	}
	r.off += n
	return base + int32(v)
}

func (r *reader) byte() byte {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.data) {
		r.fail("truncated")
		return 0
	}
	r.off++
	return r.data[r.off-1]
}

func (r *reader) version() {
	if v := r.byte(); r.err == nil && v != Version {
		r.fail("version %d, want %d", v, Version)
	}
}

func (r *reader) end() error {
	if r.err == nil && r.off != len(r.data) {
		r.fail("%d bytes after the end", len(r.data)-r.off)
	}
	return r.err
}

// DecodeDocument decodes a document row's ranges, in the order they were
// added.
func DecodeDocument(data []byte) ([]Range, error) {
	r := &reader{what: "document", data: data}
	r.version()
	table := r.table()
	ranges := make([]Range, r.count(8))
	var nums []uint64
	line := int32(0)
	for i := range ranges {
		g := &ranges[i]
		nums = r.docRange(g, line, len(table), nums[:0])
		if r.err != nil {
			return nil, r.err
		}
		if len(nums) > 0 {
			g.Monikers = make([]string, len(nums))
			for j, k := range nums {
				g.Monikers[j] = table[k]
			}
		}
		line = g.StartLine
	}
	return ranges, r.end()
}

// DecodeDocumentAt decodes the ranges of a document row that contain the
// position (as Range.Contains), in the order they were added: what code
// navigation reads at a position. Only the monikers those ranges name are
// made strings.
func DecodeDocumentAt(data []byte, line, character int32) ([]Range, error) {
	r := &reader{what: "document", data: data}
	r.version()
	table := r.skipTable()
	n := r.count(8)
	var (
		out   []Range
		nums  [][]uint64 // each range's moniker numbers
		scrap []uint64
		prev  int32
	)
	for range n {
		var g Range
		scrap = r.docRange(&g, prev, table.n, scrap[:0])
		if r.err != nil {
			return nil, r.err
		}
		prev = g.StartLine
		if g.Contains(line, character) {
			out = append(out, g)
			nums = append(nums, slices.Clone(scrap))
		}
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	names := table.strings(data, nums)
	for i, ns := range nums {
		if len(ns) == 0 {
			continue
		}
		out[i].Monikers = make([]string, len(ns))
		for j, k := range ns {
			out[i].Monikers[j] = names[k]
		}
	}
	return out, nil
}

// docRange reads a range of a document into g, its start line given as a
// difference from line, and appends its moniker numbers (in a table of
// tableLen) to nums.
func (r *reader) docRange(g *Range, line int32, tableLen int, nums []uint64) []uint64 {
	g.StartLine = r.plus(line)
	g.StartCharacter = r.int32()
	g.EndLine = r.plus(g.StartLine)
	g.EndCharacter = r.int32()
	g.DefinitionResult, g.ReferenceResult, g.HoverID = r.int32(), r.int32(), r.int32()
	for range r.count(1) {
		k := r.uvarint()
		if r.err == nil && k >= uint64(tableLen) {
			r.fail("moniker %d of a table of %d", k, tableLen)
		}
		if r.err != nil {
			return nums
		}
		nums = append(nums, k)
	}
	return nums
}
