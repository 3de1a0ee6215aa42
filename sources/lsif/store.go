package lsif

import (
	"encoding/binary"
	"unicode/utf8"
	"unsafe"
)

// chunkBits sizes the chunks of the per-vertex tables: growing a table
// allocates one more chunk instead of copying the whole slice, so a table
// never needs twice its size in memory, as doubling append would.
const chunkBits = 13

// table is an append-only slice of T stored in fixed-size chunks. Indexes
// are 1-based: 0 means "none" in the records that point at each other.
type table[T any] struct {
	chunks [][]T
	n      uint32
}

// add appends v and returns its 1-based index.
func (t *table[T]) add(v T) uint32 {
	c := t.n >> chunkBits
	if int(c) == len(t.chunks) {
		// The first chunk grows by appending, so that a small dump stays
		// small; the others are allocated whole.
		size := 1 << chunkBits
		if c == 0 {
			size = 64
		}
		t.chunks = append(t.chunks, make([]T, 0, size))
	}
	t.chunks[c] = append(t.chunks[c], v)
	t.n++
	return t.n
}

// at returns the record with 1-based index i.
func (t *table[T]) at(i uint32) *T {
	i--
	return &t.chunks[i>>chunkBits][i&(1<<chunkBits-1)]
}

func (t *table[T]) len() int { return int(t.n) }

// bytes estimates the table's memory.
func (t *table[T]) bytes() int64 {
	var zero T
	n := int64(0)
	for _, c := range t.chunks {
		n += int64(cap(c))
	}
	return n * int64(unsafe.Sizeof(zero))
}

// arena holds strings that live until the end of a conversion in large
// shared blocks, instead of one allocation (and one object for the garbage
// collector to scan) each.
type arena struct {
	block []byte
	total int64
}

const arenaBlock = 256 << 10

func (a *arena) string(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if len(b) > cap(a.block)-len(a.block) {
		size := min(arenaBlock, max(4<<10, 2*cap(a.block)))
		a.block = make([]byte, 0, max(size, len(b)))
		a.total += int64(cap(a.block))
	}
	start := len(a.block)
	a.block = append(a.block, b...)
	return unsafe.String(&a.block[start], len(b))
}

// interner maps (scheme, identifier) pairs to dense 1-based ids.
type interner struct {
	arena *arena
	ids   map[string]uint32
	keys  table[monikerKey]
	buf   []byte
}

type monikerKey struct {
	scheme, identifier string
}

func newInterner(a *arena) *interner {
	return &interner{arena: a, ids: make(map[string]uint32)}
}

// intern returns the id of (scheme, identifier), adding it if new. The map
// key is the scheme's length, the scheme and the identifier: unambiguous
// whatever bytes they hold.
func (in *interner) intern(scheme, identifier []byte) uint32 {
	in.buf = binary.AppendUvarint(in.buf[:0], uint64(len(scheme)))
	in.buf = append(in.buf, scheme...)
	in.buf = append(in.buf, identifier...)
	if id, ok := in.ids[string(in.buf)]; ok {
		return id
	}
	key := in.arena.string(in.buf)
	off := len(key) - len(scheme) - len(identifier)
	id := in.keys.add(monikerKey{
		scheme:     validArenaString(in.arena, key[off:off+len(scheme)]),
		identifier: validArenaString(in.arena, key[off+len(scheme):]),
	})
	in.ids[key] = id
	return id
}

func (in *interner) key(id uint32) *monikerKey { return in.keys.at(id) }

// validArenaString returns s, or a UTF-8-valid copy of it.
func validArenaString(a *arena, s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return a.string(bytesToValidUTF8([]byte(s)))
}
