package packed

import (
	"encoding/binary"
	"slices"
)

// ChunkWriter encodes the results of one chunk: Reset, then for each
// result AddResult followed by AddLocation for each of its locations, then
// Bytes. The zero value is ready to use.
type ChunkWriter struct {
	body    []byte
	paths   stringTable
	results uint64
	out     []byte
	// last is the path of the last location and its number: a result's
	// locations come sorted by path, so most locations repeat it.
	last    string
	lastNum uint64
	// The result being added: its locations, encoded, wait in res until
	// the next AddResult or Bytes writes them after its size.
	open    bool
	resID   int32
	resKind byte
	resN    int
	res     []byte
}

// Reset starts a new chunk.
func (w *ChunkWriter) Reset() {
	w.body, w.out, w.res = w.body[:0], w.out[:0], w.res[:0]
	w.results, w.open = 0, false
	w.paths.reset()
	w.last, w.lastNum = "", 0
}

// Results returns the number of results added since Reset.
func (w *ChunkWriter) Results() int { return int(w.results) }

// AddResult starts result id of kind (Definitions or References) with
// locations locations, which AddLocation adds next.
func (w *ChunkWriter) AddResult(id int32, kind byte, locations int) {
	w.endResult()
	w.open, w.resID, w.resKind, w.resN, w.res = true, id, kind, locations, w.res[:0]
	w.results++
}

// AddLocation adds a location of the result AddResult started.
func (w *ChunkWriter) AddLocation(path string, pos [4]int32) {
	if path != w.last || w.paths.len() == 0 {
		w.last, w.lastNum = path, w.paths.addString(path)
	}
	w.res = binary.AppendUvarint(w.res, w.lastNum)
	w.res = binary.AppendVarint(w.res, int64(pos[0]))
	w.res = binary.AppendVarint(w.res, int64(pos[1]))
	w.res = binary.AppendVarint(w.res, int64(pos[2])-int64(pos[0]))
	w.res = binary.AppendVarint(w.res, int64(pos[3]))
}

// endResult writes the result being added, if any, into the body.
func (w *ChunkWriter) endResult() {
	if !w.open {
		return
	}
	w.open = false
	var n [binary.MaxVarintLen64]byte
	count := binary.PutUvarint(n[:], uint64(w.resN))
	w.body = binary.AppendVarint(w.body, int64(w.resID))
	w.body = append(w.body, w.resKind)
	w.body = binary.AppendUvarint(w.body, uint64(count+len(w.res)))
	w.body = append(w.body, n[:count]...)
	w.body = append(w.body, w.res...)
}

// Bytes returns the encoded chunk, valid until the next Reset. It ends
// the last result: add no location after it.
func (w *ChunkWriter) Bytes() []byte {
	w.endResult()
	w.out = append(w.out[:0], Version)
	w.out = w.paths.appendTo(w.out)
	w.out = binary.AppendUvarint(w.out, w.results)
	w.out = append(w.out, w.body...)
	return w.out
}

// DecodeChunk decodes a result chunk row's results, in the order they were
// added.
func DecodeChunk(data []byte) ([]Result, error) {
	r := &reader{what: "result chunk", data: data}
	r.version()
	paths := r.table()
	results := make([]Result, r.count(4))
	for i := range results {
		res := &results[i]
		var end int
		res.ID, res.Kind, end = r.resultHead()
		res.Locations, _ = r.locations(paths, len(paths))
		r.resultEnd(end)
		if r.err != nil {
			return nil, r.err
		}
	}
	return results, r.end()
}

// DecodeChunkResults decodes the results of a result chunk row that have
// one of ids and kind, and skips the others unread (a chunk holds the
// results of 64 result ids, some with thousands of locations): what code
// navigation reads for one symbol. Only the paths those results name are
// made strings.
func DecodeChunkResults(data []byte, ids []int32, kind byte) ([]Result, error) {
	r := &reader{what: "result chunk", data: data}
	r.version()
	table := r.skipTable()
	n := r.count(4)
	var (
		out  []Result
		nums [][]uint64 // each result's path numbers
	)
	for range n {
		id, k, end := r.resultHead()
		if r.err != nil {
			return nil, r.err
		}
		if k != kind || !slices.Contains(ids, id) {
			r.off = end
			continue
		}
		locs, ns := r.locations(nil, table.n)
		r.resultEnd(end)
		if r.err != nil {
			return nil, r.err
		}
		out = append(out, Result{ID: id, Kind: k, Locations: locs})
		nums = append(nums, ns)
	}
	if err := r.end(); err != nil {
		return nil, err
	}
	names := table.strings(data, nums)
	for i, res := range out {
		for j := range res.Locations {
			res.Locations[j].Path = names[nums[i][j]]
		}
	}
	return out, nil
}

// resultHead reads a result's id, kind and size, and returns where the
// result ends.
func (r *reader) resultHead() (int32, byte, int) {
	id := r.int32()
	kind := r.byte()
	if r.err == nil && kind != Definitions && kind != References {
		r.fail("result kind %d", kind)
	}
	size := r.uvarint()
	if r.err == nil && size > uint64(len(r.data)-r.off) {
		r.fail("result of %d bytes exceeds the remaining %d", size, len(r.data)-r.off)
	}
	if r.err != nil {
		return 0, 0, 0
	}
	return id, kind, r.off + int(size)
}

// resultEnd checks that a result ended where its size said.
func (r *reader) resultEnd(end int) {
	if r.err == nil && r.off != end {
		r.fail("result ends at byte %d, its size says %d", r.off, end)
	}
}

// locations reads a result's locations, naming their paths from paths
// (a table of tableLen strings), or, paths nil, leaving them empty and
// returning their numbers.
func (r *reader) locations(paths []string, tableLen int) ([]Location, []uint64) {
	locs := make([]Location, r.count(5))
	var nums []uint64
	if paths == nil {
		nums = make([]uint64, len(locs))
	}
	for j := range locs {
		l := &locs[j]
		k := r.uvarint()
		if r.err == nil && k >= uint64(tableLen) {
			r.fail("path %d of a table of %d", k, tableLen)
		}
		if r.err != nil {
			return nil, nil
		}
		if paths != nil {
			l.Path = paths[k]
		} else {
			nums[j] = k
		}
		l.StartLine, l.StartCharacter = r.int32(), r.int32()
		l.EndLine = r.plus(l.StartLine)
		l.EndCharacter = r.int32()
	}
	return locs, nums
}
