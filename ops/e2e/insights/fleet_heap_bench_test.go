package insights

import (
	"os"
	"runtime/metrics"
	"runtime/pprof"
	"sync"
	"testing"
	"time"
)

// fleetHeapProfileEnv names the file BenchmarkFleetInProcess writes a heap
// profile to, taken when the run's live heap (after a collection) is at
// its largest, with the peak's size and time in the log.
const fleetHeapProfileEnv = "SIGHTLINE_FLEET_HEAPPROFILE"

// heapPeak samples the live heap every 50 ms and writes a heap profile
// whenever it passes the largest seen so far.
type heapPeak struct {
	name string
	stop chan struct{}
	done sync.WaitGroup
	peak uint64
	at   time.Duration
	t0   time.Time
	err  error
}

// startHeapPeak starts sampling when $SIGHTLINE_FLEET_HEAPPROFILE is set;
// the returned stop ends it and logs the peak.
func startHeapPeak(b *testing.B) (stop func()) {
	name := os.Getenv(fleetHeapProfileEnv)
	if name == "" {
		return func() {}
	}
	h := &heapPeak{name: name, stop: make(chan struct{}), t0: time.Now()}
	h.done.Add(1)
	go h.loop()
	return func() {
		close(h.stop)
		h.done.Wait()
		if h.err != nil {
			b.Fatalf("%s: %v", fleetHeapProfileEnv, h.err)
		}
		b.Logf("live heap peaked at %.1f MiB, %.1f s into the run (profile in %s)", float64(h.peak)/(1<<20), h.at.Seconds(), name)
	}
}

func (h *heapPeak) loop() {
	defer h.done.Done()
	// The live heap as of the last collection: the heap goal's base.
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(50 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-h.stop:
			return
		case <-t.C:
		}
		metrics.Read(s)
		if v := s[0].Value.Uint64(); v > h.peak && h.err == nil {
			h.peak, h.at = v, time.Since(h.t0)
			h.err = h.write()
		}
	}
}

func (h *heapPeak) write() error {
	f, err := os.Create(h.name)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
