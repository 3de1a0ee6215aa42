package scip

import (
	"bytes"
	"hash/maphash"
	"unsafe"
)

// nameTable interns the global symbols' names: their bytes in fixed-size
// blocks, found again through an open-addressing table of indexes. A name
// costs its bytes and about 20 bytes, where a string in a map costs its
// header, its map entry and an allocation rounded up to a size class,
// and the collector never has to trace the names one by one.
type nameTable struct {
	blocks [][]byte
	locs   []nameLoc // name i+1 is locs[i]; 0 is no name
	slots  []uint32  // name indexes; 0 is an empty slot
	seed   maphash.Seed
}

// nameLoc is where a name's bytes are.
type nameLoc struct{ block, off, len uint32 }

const nameBlock = 64 << 10

// intern returns the index (from 1) of name, adding it if it is new.
func (t *nameTable) intern(name []byte) (idx uint32, added bool) {
	if len(t.slots) == 0 {
		t.seed = maphash.MakeSeed()
		t.slots = make([]uint32, 1024)
	}
	mask := uint64(len(t.slots) - 1)
	for i := maphash.Bytes(t.seed, name) & mask; ; i = (i + 1) & mask {
		n := t.slots[i]
		if n == 0 {
			t.slots[i] = t.add(name)
			if 2*len(t.locs) > len(t.slots) {
				t.grow()
			}
			return uint32(len(t.locs)), true
		}
		if bytes.Equal(t.bytes(n), name) {
			return n, false
		}
	}
}

// add copies name into the blocks.
func (t *nameTable) add(name []byte) uint32 {
	last := len(t.blocks) - 1
	if last < 0 || cap(t.blocks[last])-len(t.blocks[last]) < len(name) {
		t.blocks = append(t.blocks, make([]byte, 0, max(nameBlock, len(name))))
		last++
	}
	b := &t.blocks[last]
	t.locs = append(t.locs, nameLoc{block: uint32(last), off: uint32(len(*b)), len: uint32(len(name))})
	*b = append(*b, name...)
	return uint32(len(t.locs))
}

// grow doubles the table.
func (t *nameTable) grow() {
	slots := make([]uint32, 2*len(t.slots))
	mask := uint64(len(slots) - 1)
	for n := uint32(1); n <= uint32(len(t.locs)); n++ {
		i := maphash.Bytes(t.seed, t.bytes(n)) & mask
		for slots[i] != 0 {
			i = (i + 1) & mask
		}
		slots[i] = n
	}
	t.slots = slots
}

func (t *nameTable) bytes(n uint32) []byte {
	l := t.locs[n-1]
	return t.blocks[l.block][l.off : l.off+l.len : l.off+l.len]
}

// name returns name n as a string sharing the block's bytes, which are
// never written again once added.
func (t *nameTable) name(n uint32) string {
	b := t.bytes(n)
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

// done drops the lookup table: the names stay readable.
func (t *nameTable) done() { t.slots = nil }

// size is what the table holds.
func (t *nameTable) size() int64 {
	n := int64(cap(t.locs))*12 + int64(len(t.slots))*4
	for _, b := range t.blocks {
		n += int64(cap(b))
	}
	return n
}
