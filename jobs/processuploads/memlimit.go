package processuploads

import (
	"io"
	"math"
	"runtime"
	"runtime/debug"
)

// DefaultSCIPMemoryRatio is the Go runtime's soft memory limit while a SCIP
// index is converted, per uncompressed byte read: the converter holds
// about half the index at its peak (occurrences, names, grouping indexes,
// the batch builders), and the collector's default target (twice the live
// heap) would take the process past the index's size.
const DefaultSCIPMemoryRatio = 0.75

// MinSCIPMemoryLimit is the lowest limit set: below it the fixed cost of a
// run (the batch builders of every kind, the database pool) would make the
// collector run all the time on a small index.
const MinSCIPMemoryLimit = 128 << 20

// memoryBound passes reads through and, as the uncompressed bytes read
// grow, sets the runtime's soft memory limit to ratio times them (at least
// MinSCIPMemoryLimit), never above the limit in force when it was made
// (GOMEMLIMIT, or none). Restore puts that limit back.
type memoryBound struct {
	r       io.Reader
	ratio   float64
	read    int64
	next    int64
	ceiling int64
}

// boundMemory starts bounding the memory by what is read from r; ratio 0
// means DefaultSCIPMemoryRatio, a negative one no bound.
func boundMemory(r io.Reader, ratio float64) *memoryBound {
	if ratio == 0 {
		ratio = DefaultSCIPMemoryRatio
	}
	b := &memoryBound{r: r, ratio: ratio, ceiling: debug.SetMemoryLimit(-1)}
	if ratio > 0 {
		b.set()
	}
	return b
}

const memoryBoundStep = 4 << 20

func (b *memoryBound) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += int64(n)
	if b.ratio > 0 && b.read >= b.next {
		b.set()
	}
	return n, err
}

func (b *memoryBound) set() {
	limit := max(int64(MinSCIPMemoryLimit), int64(math.Min(b.ratio*float64(b.read), math.MaxInt64/2)))
	debug.SetMemoryLimit(min(limit, b.ceiling))
	b.next = b.read + memoryBoundStep
}

// Restore collects the garbage and puts back the limit in force before.
// Call it once the converter's state is garbage: the collector's next
// target is then twice what the load holds, not twice the converter's
// peak (without it, the load's garbage took the heap back up to twice
// that peak: 1.5× the index in RSS).
func (b *memoryBound) Restore() {
	runtime.GC()
	debug.SetMemoryLimit(b.ceiling)
}
