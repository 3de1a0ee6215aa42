package batch

import (
	"math/bits"
	"sync"

	"github.com/apache/arrow/go/v15/arrow/memory"
)

// poolAllocator is a memory.Allocator that recycles the buffers Arrow frees.
// A Builder's buffers are handed to each record it makes and freed when
// the writer has written and released the record, so without recycling
// every record allocates its buffers again, each growing by doubling: for
// a large batch, garbage many times the data's size, which costs the
// collector's time and makes the heap overshoot. Buffers come in
// power-of-two sizes of at least 64 bytes (so they are 64-byte aligned, as
// Arrow's own allocator makes them) and are zeroed when handed out.
//
// Only buffers nothing reads after their release may come from it: a
// Builder's, whose records only the Writer reads, and the IPC writer's
// own (compressed bodies, written before the call returns). Records read
// back from a batch use Arrow's allocator, since readers may keep strings
// that point into them.
type poolAllocator struct {
	classes [48]sync.Pool // class c holds *[]byte of capacity 1<<c
}

const minPoolClass = 6 // 64 bytes

// builderAllocator is the allocator of every Builder and IPC writer.
var builderAllocator memory.Allocator = &poolAllocator{}

func poolClass(size int) int {
	return max(minPoolClass, bits.Len(uint(size-1)))
}

// Allocate implements memory.Allocator.
func (p *poolAllocator) Allocate(size int) []byte {
	if size <= 0 {
		return []byte{}
	}
	c := poolClass(size)
	if c >= len(p.classes) {
		return make([]byte, size)
	}
	if v, ok := p.classes[c].Get().(*[]byte); ok {
		b := (*v)[:size]
		clear(b)
		return b
	}
	return make([]byte, size, 1<<c)
}

// Reallocate implements memory.Allocator.
func (p *poolAllocator) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		old := len(b)
		b = b[:size]
		if size > old {
			clear(b[old:])
		}
		return b
	}
	nb := p.Allocate(size)
	copy(nb, b)
	p.Free(b)
	return nb
}

// Free implements memory.Allocator: a buffer of one of the pool's sizes
// goes back to the pool.
func (p *poolAllocator) Free(b []byte) {
	c := cap(b)
	if c < 1<<minPoolClass || c&(c-1) != 0 {
		return
	}
	class := bits.TrailingZeros(uint(c))
	if class >= len(p.classes) {
		return
	}
	b = b[:c]
	p.classes[class].Put(&b)
}
