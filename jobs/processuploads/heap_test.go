package processuploads

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestBoundHeap: a conversion's soft memory limit is the dump's
// uncompressed size, at least minHeapBound, never above the limit already
// set, unchanged when the size is unknown; restore puts the old one back.
func TestBoundHeap(t *testing.T) {
	orig := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(orig) })
	tests := []struct {
		name               string
		before, dump, want int64
	}{
		{name: "large dump", before: math.MaxInt64, dump: 200 << 20, want: 200 << 20},
		{name: "small dump", before: math.MaxInt64, dump: 3 << 20, want: minHeapBound},
		{name: "size unknown", before: math.MaxInt64, dump: -1, want: math.MaxInt64},
		{name: "GOMEMLIMIT lower", before: 150 << 20, dump: 200 << 20, want: 150 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			debug.SetMemoryLimit(tt.before)
			limit, restore := boundHeap(tt.dump)
			inForce := debug.SetMemoryLimit(-1)
			restore()
			if limit != tt.want || inForce != tt.want {
				t.Errorf("boundHeap(%d) = %d, limit in force %d; want %d", tt.dump, limit, inForce, tt.want)
			}
			if after := debug.SetMemoryLimit(-1); after != tt.before {
				t.Errorf("limit after restore %d, want %d", after, tt.before)
			}
		})
	}
}
