package lsif

import "fmt"

// vkind is the kind of vertex an id names.
type vkind uint8

const (
	kNone vkind = iota
	kOther
	kDocument
	kRange
	kResultSet
	kDefResult
	kRefResult
	kHover
	kMoniker
	kPackage
	kDiagnostics
	kDocResult
	kDocString
)

var kindNames = [...]string{
	kNone:        "unknown vertex",
	kOther:       "vertex this converter ignores",
	kDocument:    "document",
	kRange:       "range",
	kResultSet:   "resultSet",
	kDefResult:   "definitionResult",
	kRefResult:   "referenceResult",
	kHover:       "hoverResult",
	kMoniker:     "moniker",
	kPackage:     "packageInformation",
	kDiagnostics: "diagnosticResult",
	kDocResult:   "sourcegraph:documentationResult",
	kDocString:   "sourcegraph:documentationString",
}

func (k vkind) String() string { return kindNames[k] }

// denseBits sizes the id table's chunks: 4 Ki ids, 16 KiB.
const denseBits = 12

// An id slot packs a vertex's kind and its 1-based index in the kind's
// table into 4 bytes.
const (
	idxBits = 28
	maxIdx  = 1<<idxBits - 1
)

func slot(k vkind, idx uint32) uint32     { return uint32(k)<<idxBits | idx }
func unslot(s uint32) (vkind, uint32)     { return vkind(s >> idxBits), s & maxIdx }
func denseChunkOf(n int64) (int64, int64) { return n >> denseBits, n & (1<<denseBits - 1) }

// idTable maps vertex ids to slots. Numeric ids, which indexers emit
// densely from 1, index 4 Ki-entry chunks directly (4 bytes per id, edges'
// ids included); ids far beyond the number of vertices seen and
// non-numeric strings go to maps. Edges' own ids are never stored.
type idTable struct {
	dense    [][]uint32
	chunks   int
	vertices int
	sparse   map[int64]uint32
	strs     map[string]uint32
	arena    *arena
}

func newIDTable(a *arena) *idTable {
	return &idTable{sparse: make(map[int64]uint32), strs: make(map[string]uint32), arena: a}
}

func (t *idTable) get(id rawID) (vkind, uint32) {
	if id.isStr {
		return unslot(t.strs[string(id.str)])
	}
	if c, i := denseChunkOf(id.num); id.num >= 0 && c < int64(len(t.dense)) && t.dense[c] != nil {
		if s := t.dense[c][i]; s != 0 {
			return unslot(s)
		}
	}
	return unslot(t.sparse[id.num])
}

// put records a new vertex; a second vertex with the same id is an error.
func (t *idTable) put(id rawID, k vkind, idx uint32) error {
	if idx > maxIdx {
		return fmt.Errorf("more than %d %s vertices", maxIdx, k)
	}
	if prev, _ := t.get(id); prev != kNone {
		return fmt.Errorf("duplicate vertex id %s (already a %s)", id, prev)
	}
	t.vertices++
	s := slot(k, idx)
	if id.isStr {
		t.strs[t.arena.string(id.str)] = s
		return nil
	}
	c, i := denseChunkOf(id.num)
	// Chunks and the directory stay proportional to the vertices seen:
	// scattered or huge ids cannot blow up memory.
	if id.num < 0 || c > 64+int64(t.vertices>>10) {
		t.sparse[id.num] = s
		return nil
	}
	for int64(len(t.dense)) <= c {
		t.dense = append(t.dense, nil)
	}
	if t.dense[c] == nil {
		t.dense[c] = make([]uint32, 1<<denseBits)
		t.chunks++
	}
	t.dense[c][i] = s
	return nil
}

func (t *idTable) bytes() int64 {
	return int64(t.chunks)<<(denseBits+2) + int64(len(t.dense))*24 + int64(len(t.sparse))*24 + int64(len(t.strs))*40
}
