package batch

import (
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// benchRecords returns rows repoKind rows in records of DefaultMaxRows, and
// their uncompressed size in bytes.
func benchRecords(rows int) ([]arrow.Record, int64) {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, repoKind.Schema())
	defer rb.Release()
	var recs []arrow.Record
	var size int64
	for start := 0; start < rows; start += DefaultMaxRows {
		for i := start; i < min(start+DefaultMaxRows, rows); i++ {
			rb.Field(0).(*array.Int64Builder).Append(int64(i))
			rb.Field(1).(*array.StringBuilder).Append(fmt.Sprintf("github.com/org%d/repo%d", i%100, i))
			rb.Field(2).(*array.TimestampBuilder).Append(arrow.Timestamp(1_700_000_000_000_000 + int64(i)*1000))
		}
		rec := rb.NewRecord()
		for _, col := range rec.Columns() {
			for _, buf := range col.Data().Buffers() {
				if buf != nil {
					size += int64(buf.Len())
				}
			}
		}
		recs = append(recs, rec)
	}
	return recs, size
}

// BenchmarkWriteRead writes 1M rows of (int64, string, timestamp) to a file
// bucket and reads them back. MB/s counts uncompressed Arrow data.
func BenchmarkWriteRead(b *testing.B) {
	const rows = 1_000_000
	recs, size := benchRecords(rows)
	bkt := buckettest.NewFileBucket(b)
	reg := NewRegistry(repoKind)
	b.SetBytes(size)
	b.ResetTimer()
	for i := range b.N {
		key := fmt.Sprintf("bench/%d.arrow", i)
		w, err := NewWriter(b.Context(), bkt, key, repoKind)
		if err != nil {
			b.Fatal(err)
		}
		for _, rec := range recs {
			if err := w.Write(rec); err != nil {
				b.Fatal(err)
			}
		}
		info, err := w.Close()
		if err != nil {
			b.Fatal(err)
		}
		r, err := Open(b.Context(), bkt, key, reg)
		if err != nil {
			b.Fatal(err)
		}
		for r.Next() {
		}
		if r.Err() != nil || r.Rows() != rows {
			b.Fatalf("read %d rows: %v", r.Rows(), r.Err())
		}
		r.Close()
		b.ReportMetric(float64(size)/float64(info.Bytes), "ratio")
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}

// The columns of BenchmarkBuilder's kind: a row per range, as code
// navigation's ranges were stored before they were packed per document.
var (
	benchUpload = Int64("upload_id")
	benchPath   = String("path")
	benchLine   = Int32("line")
	benchChar   = Int32("character")
	benchHover  = Int32("hover_id")
	benchKind   = NewKind("bench-row", 1, benchUpload, benchPath, benchLine, benchChar, benchHover)
)

// BenchmarkBuilder appends 1M rows of (int64, string, 3 × int32) through
// the kind's columns, as process-uploads does, and stores them.
func BenchmarkBuilder(b *testing.B) {
	const rows = 1_000_000
	bkt := buckettest.NewFileBucket(b)
	cpu := cpuTime(b)
	for n := range b.N {
		w, err := NewWriter(b.Context(), bkt, fmt.Sprintf("bench/%d.arrow", n), benchKind)
		if err != nil {
			b.Fatal(err)
		}
		bld := w.Builder()
		for i := range rows {
			benchUpload.Append(bld, 7)
			benchPath.Append(bld, "src/a/b.ts")
			benchLine.Append(bld, int32(i))
			benchChar.Append(bld, int32(i&63))
			benchHover.Append(bld, int32(i>>3))
			if err := bld.EndRow(); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := w.Close(); err != nil {
			b.Fatal(err)
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
