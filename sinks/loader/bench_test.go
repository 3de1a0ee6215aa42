package loader

import (
	"fmt"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

var (
	benchID   = batch.Int64("id")
	benchName = batch.String("name")
	benchAt   = batch.Timestamp("at", arrow.Microsecond)
	benchKind = batch.NewKind("bench", 1, benchID, benchName, benchAt)
)

// BenchmarkCopy loads one batch of 500k (bigint, text, timestamptz) rows
// into a table without indexes.
func BenchmarkCopy(b *testing.B) {
	const rows = 500_000
	db, bkt := pgtest.NewDB(b), buckettest.NewFileBucket(b)
	exec(b, db, `CREATE TABLE bench (id bigint, name text, at timestamptz)`)
	run := batch.NewRun(bkt, "bench", "run1")
	w, err := run.Create(b.Context(), "rows", benchKind)
	if err != nil {
		b.Fatal(err)
	}
	bld := w.Builder()
	for i := range rows {
		benchID.Append(bld, int64(i))
		benchName.Append(bld, fmt.Sprintf("github.com/org%d/repo%d", i%100, i))
		benchAt.Append(bld, time.UnixMicro(1_700_000_000_000_000+int64(i)))
		if err := bld.EndRow(); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		b.Fatal(err)
	}
	m, err := run.Commit(b.Context())
	if err != nil {
		b.Fatal(err)
	}
	l := &Loader{DB: db, Bucket: bkt, Targets: []Target{{Kind: benchKind, Table: "bench"}}}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		exec(b, db, `TRUNCATE bench, loaded_batches`)
		b.StartTimer()
		res, err := l.LoadRun(b.Context(), m)
		if err != nil || res.Rows != rows {
			b.Fatalf("LoadRun = %+v, %v", res, err)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
