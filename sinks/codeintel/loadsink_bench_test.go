package codeintel_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// BenchmarkBatchSink times the append path of process-uploads on its own:
// the rows of a generated dump of $LSIF_BENCH_MB MB (default 50), converted
// once beforehand and kept in memory, are replayed into a BatchSink writing
// to a file bucket, then the batches are stored (Close). No Postgres.
// cpu-s/op is the process's CPU time per op, steadier than the wall time
// on a shared machine.
func BenchmarkBatchSink(b *testing.B) {
	mb := 50
	if s := os.Getenv("LSIF_BENCH_MB"); s != "" {
		var err error
		if mb, err = strconv.Atoi(s); err != nil {
			b.Fatalf("LSIF_BENCH_MB: %v", err)
		}
	}
	rec := lsiftest.NewRecorder()
	if _, err := lsif.Convert(context.Background(), lsiftest.NewGenerator(int64(mb)<<20), lsif.Opts{}, rec); err != nil {
		b.Fatal(err)
	}
	bkt := buckettest.NewFileBucket(b)
	var rows int64
	b.ResetTimer()
	cpu := cpuTime(b)
	for i := range b.N {
		run := batch.NewRun(bkt, "bench", fmt.Sprintf("run-%d", i))
		s, err := codeintel.NewBatchSink(b.Context(), run, 1)
		if err != nil {
			b.Fatal(err)
		}
		if err := replay(rec, s); err != nil {
			s.Abort(err)
			b.Fatal(err)
		}
		if err := s.Close(); err != nil {
			b.Fatal(err)
		}
		m, err := run.Commit(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		rows = 0
		for _, info := range m.Batches {
			rows += info.Rows
		}
	}
	b.ReportMetric((cpuTime(b)-cpu).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// cpuTime returns the process's CPU time so far, user and system.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// replay delivers what rec recorded to s, documents in delivery order.
func replay(rec *lsiftest.Recorder, s lsif.Sink) error {
	for _, p := range rec.Paths {
		if err := s.Document(rec.Documents[p]); err != nil {
			return err
		}
	}
	for id, text := range rec.Hovers {
		if err := s.Hover(lsif.Hover{ID: id, Text: text}); err != nil {
			return err
		}
	}
	for _, r := range rec.Results {
		if err := s.Result(r); err != nil {
			return err
		}
	}
	for _, m := range rec.MonikerRows {
		if err := s.MonikerResults(m); err != nil {
			return err
		}
	}
	for _, p := range rec.Packages {
		if err := s.Package(p); err != nil {
			return err
		}
	}
	for _, p := range rec.PackageRefs {
		if err := s.PackageRef(p); err != nil {
			return err
		}
	}
	return nil
}
