package scip_test

import (
	"context"
	"io"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/scip"
	"github.com/sightline-dev/sightline/sources/scip/sciptest"
)

// discard is a Sink that drops every row.
type discard struct{}

func (discard) Hover(lsif.Hover) error                   { return nil }
func (discard) Result(lsif.Result) error                 { return nil }
func (discard) Document(lsif.Document) error             { return nil }
func (discard) MonikerResults(lsif.MonikerResults) error { return nil }
func (discard) Package(lsif.Package) error               { return nil }
func (discard) PackageRef(lsif.PackageRef) error         { return nil }
func (discard) DocEntry(lsif.DocEntry) error             { return nil }

// BenchmarkConvert converts a generated index of $SCIP_BENCH_MB MB
// (default 50) into a Sink that drops the rows: the converter alone. It
// reports the converter's state at the end of the stream and the peak heap
// (sampled after the stream and after grouping) relative to the index.
func BenchmarkConvert(b *testing.B) {
	mb := 50
	if s := os.Getenv("SCIP_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil {
			b.Fatalf("SCIP_BENCH_MB: %v", err)
		}
	}
	limit := int64(mb) << 20
	var st lsif.Stats
	for b.Loop() {
		var err error
		st, err = scip.Convert(context.Background(), sciptest.NewGenerator(limit), lsif.Opts{}, discard{})
		if err != nil {
			b.Fatal(err)
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.SetBytes(st.Bytes)
	b.ReportMetric(float64(st.Ranges), "occurrences")
	b.ReportMetric(float64(st.StateBytes)/float64(st.Bytes), "state/index")
	b.ReportMetric(float64(ms.HeapSys)/float64(st.Bytes), "heapsys/index")
}

// BenchmarkConvertFile converts the index named by $SCIP_BENCH_FILE (a real
// one); without it the benchmark says so and stops.
func BenchmarkConvertFile(b *testing.B) {
	name := os.Getenv("SCIP_BENCH_FILE")
	if name == "" {
		b.Skip("set SCIP_BENCH_FILE=index.scip to convert a real index")
	}
	var st lsif.Stats
	for b.Loop() {
		f, err := os.Open(name)
		if err != nil {
			b.Fatal(err)
		}
		st, err = scip.Convert(context.Background(), f, lsif.Opts{}, discard{})
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(st.Bytes)
	b.ReportMetric(float64(st.Ranges), "occurrences")
	b.ReportMetric(float64(st.StateBytes)/float64(st.Bytes), "state/index")
}

var _ io.Reader = (*sciptest.Generator)(nil)
