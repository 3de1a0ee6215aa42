package processuploads

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"

	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

// limitSink records the runtime's soft memory limit when the documents
// come (after the stream, when the converter holds the most).
type limitSink struct {
	*lsiftest.Recorder
	limit int64
}

func (s *limitSink) Document(d lsif.Document) error {
	s.limit = debug.SetMemoryLimit(-1)
	return s.Recorder.Document(d)
}

// garbageSink keeps nothing: what the heap holds after the conversion is
// the converter's, if not collected.
type garbageSink struct{ limitSink }

func (garbageSink) Hover(lsif.Hover) error                   { return nil }
func (garbageSink) Result(lsif.Result) error                 { return nil }
func (s *garbageSink) Document(lsif.Document) error          { s.limit = debug.SetMemoryLimit(-1); return nil }
func (garbageSink) MonikerResults(lsif.MonikerResults) error { return nil }
func (garbageSink) Package(lsif.Package) error               { return nil }
func (garbageSink) PackageRef(lsif.PackageRef) error         { return nil }
func (garbageSink) DocEntry(lsif.DocEntry) error             { return nil }

// TestSCIPMemoryCollectedAfter checks that the converter's state is
// collected when the conversion ends, before the limit goes: the heap's
// next target then follows what the load holds.
func TestSCIPMemoryCollectedAfter(t *testing.T) {
	u := &codeintel.Upload{ID: 1, Format: "scip"}
	runtime.GC()
	before := heapLive()
	if _, err := convertUpload(t.Context(), u, sciptest.NewGenerator(8<<20), lsif.Opts{}, &garbageSink{}, 0); err != nil {
		t.Fatal(err)
	}
	if grown := int64(heapLive()) - int64(before); grown > 1<<20 {
		t.Errorf("the heap live as of the last collection grew by %.1f MiB over the conversion of 8 MiB, want the converter's state collected", float64(grown)/(1<<20))
	}
}

func heapLive() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestSCIPMemoryLimit checks that a SCIP index is converted under a soft
// memory limit proportional to the uncompressed bytes read (at least
// MinSCIPMemoryLimit, never above the limit in force), and that the limit
// in force comes back afterwards. Not parallel: the limit is the
// process's.
func TestSCIPMemoryLimit(t *testing.T) {
	u := &codeintel.Upload{ID: 1, Format: "scip"}
	const size = 6 << 20
	for _, tc := range []struct {
		name           string
		ceiling        int64
		ratio          float64
		wantLo, wantHi int64
	}{
		{"floor", math.MaxInt64, 0, MinSCIPMemoryLimit, MinSCIPMemoryLimit},
		// Set every memoryBoundStep bytes: last at 4 MiB of 6.
		{"per byte read", math.MaxInt64, 64, 64 * memoryBoundStep, 64 * (size + 1<<20)},
		{"under GOMEMLIMIT", 200 << 20, 64, 200 << 20, 200 << 20},
		{"none", math.MaxInt64, -1, math.MaxInt64, math.MaxInt64},
	} {
		t.Run(tc.name, func(t *testing.T) {
			old := debug.SetMemoryLimit(tc.ceiling)
			defer debug.SetMemoryLimit(old)
			in := sciptest.NewGenerator(size)
			if tc.name == "floor" {
				f, err := os.Open("../../sources/scip/testdata/shapes.scip") // real scip-typescript output
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				sink := &limitSink{Recorder: lsiftest.NewRecorder()}
				if _, err := convertUpload(t.Context(), u, f, lsif.Opts{}, sink, tc.ratio); err != nil {
					t.Fatal(err)
				}
				check(t, sink.limit, tc.wantLo, tc.wantHi, tc.ceiling)
				return
			}
			sink := &limitSink{Recorder: lsiftest.NewRecorder()}
			if _, err := convertUpload(t.Context(), u, in, lsif.Opts{}, sink, tc.ratio); err != nil {
				t.Fatal(err)
			}
			check(t, sink.limit, tc.wantLo, tc.wantHi, tc.ceiling)
		})
	}
}

func check(t *testing.T, limit, lo, hi, ceiling int64) {
	t.Helper()
	if limit < lo || limit > hi {
		t.Errorf("memory limit during the conversion %d MiB, want %d to %d MiB", limit>>20, lo>>20, hi>>20)
	}
	if after := debug.SetMemoryLimit(-1); after != ceiling {
		t.Errorf("memory limit after the conversion %d, want %d back", after, ceiling)
	}
}
