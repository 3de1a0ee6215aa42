package lsif_test

import (
	"context"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// countingSink discards rows but looks at them, as a batch writer would.
type countingSink struct{ n int64 }

func (s *countingSink) Hover(h lsif.Hover) error { s.n += int64(len(h.Text)); return nil }
func (s *countingSink) Result(r lsif.Result) error {
	for _, l := range r.Locations {
		s.n += int64(len(l.Path)) + int64(l.StartLine)
	}
	return nil
}
func (s *countingSink) Document(d lsif.Document) error {
	for _, r := range d.Ranges {
		s.n += int64(r.DefinitionResultID) + int64(len(r.Monikers))
	}
	return nil
}
func (s *countingSink) MonikerResults(m lsif.MonikerResults) error {
	s.n += int64(len(m.ResultIDs))
	return nil
}
func (s *countingSink) Package(lsif.Package) error       { return nil }
func (s *countingSink) PackageRef(lsif.PackageRef) error { return nil }
func (s *countingSink) DocEntry(lsif.DocEntry) error     { return nil }

// heapSampler records the peak of the heap's in-use bytes (live objects and
// garbage not yet collected: what the process needs) while it runs.
type heapSampler struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func sampleHeap() *heapSampler {
	h := &heapSampler{stop: make(chan struct{})}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			h.peak = max(h.peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-h.stop:
				return
			case <-tick.C:
			}
		}
	}()
	return h
}

func (h *heapSampler) Stop() uint64 {
	close(h.stop)
	h.wg.Wait()
	return h.peak
}

// BenchmarkConvert converts a generated dump of $LSIF_BENCH_MB MB (default
// 100) streamed from a generator, and reports throughput (MB/s of
// uncompressed LSIF), the peak heap in use during the conversion, the
// converter's state at the end of the stream, and both relative to the
// input size.
func BenchmarkConvert(b *testing.B) {
	mb := 100
	if s := os.Getenv("LSIF_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil {
			b.Fatalf("LSIF_BENCH_MB: %v", err)
		}
	}
	benchConvert(b, func() io.Reader { return lsiftest.NewGenerator(int64(mb) << 20) })
}

// BenchmarkConvertFile converts the dump in $LSIF_BENCH_FILE (plain or
// gzipped), streamed from disk: a real dump, e.g. one gen-lsif wrote.
func BenchmarkConvertFile(b *testing.B) {
	name := os.Getenv("LSIF_BENCH_FILE")
	if name == "" {
		b.Skip("set LSIF_BENCH_FILE to a dump")
	}
	benchConvert(b, func() io.Reader {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { f.Close() })
		return f
	})
}

func benchConvert(b *testing.B, input func() io.Reader) {
	var size int64
	var peak uint64
	var stats lsif.Stats
	var cpu time.Duration
	for b.Loop() {
		runtime.GC()
		r := input()
		h := sampleHeap()
		cpu0 := cpuTime()
		var err error
		stats, err = lsif.Convert(context.Background(), r, lsif.Opts{}, &countingSink{})
		cpu += cpuTime() - cpu0
		peak = max(peak, h.Stop())
		if err != nil {
			b.Fatal(err)
		}
		size = stats.Bytes
	}
	b.SetBytes(size)
	// On a shared machine wall time varies with the load; CPU time (all
	// goroutines and the GC, the generator's share included) does not.
	b.ReportMetric(float64(size)*float64(b.N)/(1<<20)/cpu.Seconds(), "MB/cpu-s")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(peak)/float64(size), "peak-heap/input")
	b.ReportMetric(float64(stats.StateBytes)/(1<<20), "state-MB")
	b.ReportMetric(float64(stats.StateBytes)/float64(size), "state/input")
	b.ReportMetric(float64(stats.Ranges), "ranges")
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		b.ReportMetric(float64(ru.Maxrss)/1024, "maxrss-MB")
	}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkGenerate measures the generator alone, BenchmarkConvert's input.
func BenchmarkGenerate(b *testing.B) {
	var size int64
	buf := make([]byte, 64<<10)
	for b.Loop() {
		gen := lsiftest.NewGenerator(100 << 20)
		for {
			if _, err := gen.Read(buf); err != nil {
				break
			}
		}
		size = gen.Size()
	}
	b.SetBytes(size)
}
