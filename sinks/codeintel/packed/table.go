package packed

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"slices"
	"unsafe"
)

// stringTable numbers the distinct strings of a row (a document's
// monikers, a chunk's paths) in the order they first come, and writes
// them sorted and front-coded: each string as the length of the prefix it
// shares with the one before it and the rest. Monikers and paths share
// long prefixes (a package, a directory), which front coding stores once:
// a document's moniker table is several times smaller so.
//
// Written, a table is:
//
//	uvarint n
//	n times, sorted: uvarint shared prefix length, uvarint suffix length, suffix
//	n times, by number: uvarint position in the sorted order
type stringTable struct {
	// index maps a string's hash to its number; a string whose hash is
	// another's (which a 64-bit hash makes unlikely) is in collided.
	index    map[uint64]uint64
	collided map[string]uint64
	arena    []byte
	ends     []int // ends[i] is where string i ends in arena
	order    []entry
	rank     []uint64
}

// entry is a string of a table and its number, for sorting.
type entry struct {
	s []byte
	i uint64
}

// seed is the hash seed of every stringTable.
var seed = maphash.MakeSeed()

func (t *stringTable) reset() {
	clear(t.index)
	clear(t.collided)
	t.arena, t.ends = t.arena[:0], t.ends[:0]
}

// len returns the number of strings in the table.
func (t *stringTable) len() int { return len(t.ends) }

func (t *stringTable) str(i uint64) []byte {
	start := 0
	if i > 0 {
		start = t.ends[i-1]
	}
	return t.arena[start:t.ends[i]]
}

// add returns the number of s, adding it (a copy) if it is new. Strings
// are keyed by their hash, so that adding one allocates nothing once the
// table has grown.
func (t *stringTable) add(s []byte) uint64 {
	h := maphash.Bytes(seed, s)
	i, ok := t.index[h]
	switch {
	case !ok:
		if t.index == nil {
			t.index = make(map[uint64]uint64)
		}
		i = t.append(s)
		t.index[h] = i
	case !bytes.Equal(t.str(i), s):
		if i, ok = t.collided[string(s)]; !ok {
			if t.collided == nil {
				t.collided = make(map[string]uint64)
			}
			i = t.append(s)
			t.collided[string(s)] = i
		}
	}
	return i
}

// addString is add for a string (whose bytes add only reads).
func (t *stringTable) addString(s string) uint64 {
	return t.add(unsafe.Slice(unsafe.StringData(s), len(s)))
}

func (t *stringTable) append(s []byte) uint64 {
	i := uint64(len(t.ends))
	t.arena = append(t.arena, s...)
	t.ends = append(t.ends, len(t.arena))
	return i
}

// appendTo appends the written table to out.
func (t *stringTable) appendTo(out []byte) []byte {
	n := len(t.ends)
	out = binary.AppendUvarint(out, uint64(n))
	t.order = t.order[:0]
	for i := range n {
		t.order = append(t.order, entry{t.str(uint64(i)), uint64(i)})
	}
	slices.SortFunc(t.order, func(a, b entry) int { return bytes.Compare(a.s, b.s) })
	t.rank = slices.Grow(t.rank[:0], n)[:n]
	var prev []byte
	for pos, e := range t.order {
		s, i := e.s, e.i
		shared := commonPrefix(prev, s)
		out = binary.AppendUvarint(out, uint64(shared))
		out = binary.AppendUvarint(out, uint64(len(s)-shared))
		out = append(out, s[shared:]...)
		t.rank[i] = uint64(pos)
		prev = s
	}
	for _, r := range t.rank {
		out = binary.AppendUvarint(out, r)
	}
	return out
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	for i := range n {
		if a[i] != b[i] {
			return i
		}
	}
	return n
}

// table reads a table as stringTable writes it, returning its strings by
// number: skipTable's checks, then every string.
func (r *reader) table() []string {
	t := r.skipTable()
	if r.err != nil {
		return nil
	}
	return t.strings(r.data, nil)
}

// maxExpansion bounds how many times its row's size a table may decode
// to (see skipTable).
const maxExpansion = 64

// tableIndex is where a table's sorted strings start, how many there are
// and the sorted position of each number, read without making the strings.
type tableIndex struct {
	start int
	n     int
	pos   []uint64
}

// skipTable reads past a table as table does, checking it, and returns
// its index.
func (r *reader) skipTable() tableIndex {
	n := r.count(3)
	t := tableIndex{start: r.off, n: n}
	prev := uint64(0)
	// Front coding lets a few bytes stand for a long string: a corrupt
	// table of n strings each one byte longer than the one before would
	// decode to n²/2 bytes. What a real table decodes to is bounded by a
	// multiple of the row's size.
	total, limit := 0, maxExpansion*len(r.data)+1<<20
	for range n {
		shared, suffix := r.uvarint(), r.uvarint()
		if r.err == nil && shared > prev {
			r.fail("string shares %d bytes with one of %d", shared, prev)
		}
		if total += int(shared); r.err == nil && total > limit {
			r.fail("table of %d bytes decodes to more than %d", len(r.data), limit)
		}
		if r.err == nil && suffix > uint64(len(r.data)-r.off) {
			r.fail("string suffix of %d bytes exceeds the remaining %d", suffix, len(r.data)-r.off)
		}
		if r.err != nil {
			return tableIndex{}
		}
		r.off += int(suffix)
		prev = shared + suffix
	}
	t.pos = make([]uint64, n)
	for i := range t.pos {
		p := r.uvarint()
		if r.err == nil && p >= uint64(n) {
			r.fail("string %d at position %d of %d", i, p, n)
		}
		if r.err != nil {
			return tableIndex{}
		}
		t.pos[i] = p
	}
	return t
}

// strings returns the strings of the numbers in nums, by number (others
// are left empty; nil nums means every string), reading the table of data
// that skipTable checked.
func (t tableIndex) strings(data []byte, nums [][]uint64) []string {
	want := make([]bool, t.n)
	for i := range want {
		want[i] = nums == nil
	}
	for _, ns := range nums {
		for _, k := range ns {
			want[t.pos[k]] = true
		}
	}
	sorted := make([]string, t.n)
	r := &reader{data: data, off: t.start}
	var prev []byte
	for p := range t.n {
		shared, suffix := int(r.uvarint()), int(r.uvarint())
		prev = append(prev[:shared], data[r.off:r.off+suffix]...)
		r.off += suffix
		if want[p] {
			sorted[p] = string(prev)
		}
	}
	out := make([]string, t.n)
	for k, p := range t.pos {
		out[k] = sorted[p]
	}
	return out
}
