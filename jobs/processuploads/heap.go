package processuploads

import (
	"runtime/debug"
	"sync"
)

// A conversion's live heap grows with the dump (the converters keep a few
// fixed-size records per range, symbol and result until the end), and Go's
// collector lets the heap grow to twice the live heap before collecting:
// left alone, a large dump's conversion peaks near twice its live heap. While
// converting, the soft memory limit is lowered to the dump's uncompressed
// size (never raised above GOMEMLIMIT, never under minHeapBound), so that
// the collector runs earlier instead of letting the process grow past the
// dump's size. The limit is soft: when the live heap itself exceeds it, Go
// caps the collector's share of CPU, so a conversion gets slower, never fails.
const minHeapBound = 128 << 20

// heapBoundMu keeps two conversions in one process from restoring each
// other's limits out of order.
var heapBoundMu sync.Mutex

// boundHeap lowers the process's soft memory limit for the conversion of a
// dump of uncompressed bytes (unknown: -1) and returns the limit in force
// and the function that restores the previous one.
func boundHeap(uncompressed int64) (limit int64, restore func()) {
	heapBoundMu.Lock()
	prev := debug.SetMemoryLimit(-1)
	limit = prev
	if uncompressed > 0 {
		limit = min(prev, max(uncompressed, minHeapBound))
	}
	debug.SetMemoryLimit(limit)
	return limit, func() {
		debug.SetMemoryLimit(prev)
		heapBoundMu.Unlock()
	}
}
