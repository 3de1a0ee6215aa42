package processuploads_test

import (
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// peakHeapProfiles writes a heap profile to name each time the live heap
// (as of the last GC) reaches a new high, until stop is closed: the last
// profile written shows what the heap held at its peak.
func peakHeapProfiles(name string, stop <-chan struct{}) {
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak uint64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
		}
		metrics.Read(sample)
		if live := sample[0].Value.Uint64(); live > peak+peak/20 {
			peak = live
			if f, err := os.Create(name); err == nil {
				pprof.Lookup("heap").WriteTo(f, 0)
				f.Close()
			}
		}
	}
}
