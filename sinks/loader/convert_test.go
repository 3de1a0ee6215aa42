package loader

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/apache/arrow/go/v15/arrow/memory"
	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// typeFields are the fields of typesKind, each with the value its rows
// hold (i64 is the row's key).
var typeFields = []struct {
	field batch.Field
	value func(b array.Builder, i64 int64)
}{
	{batch.Field{Name: "i8", Type: arrow.PrimitiveTypes.Int8, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Int8Builder).Append(-8) }},
	{batch.Field{Name: "i16", Type: arrow.PrimitiveTypes.Int16, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Int16Builder).Append(-16) }},
	{batch.Field{Name: "i32", Type: arrow.PrimitiveTypes.Int32, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Int32Builder).Append(-32) }},
	{batch.Field{Name: "i64", Type: arrow.PrimitiveTypes.Int64}, func(b array.Builder, i64 int64) { b.(*array.Int64Builder).Append(i64) }},
	{batch.Field{Name: "u8", Type: arrow.PrimitiveTypes.Uint8, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Uint8Builder).Append(255) }},
	{batch.Field{Name: "u16", Type: arrow.PrimitiveTypes.Uint16, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Uint16Builder).Append(65535) }},
	{batch.Field{Name: "u32", Type: arrow.PrimitiveTypes.Uint32, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Uint32Builder).Append(4294967295) }},
	{batch.Field{Name: "f32", Type: arrow.PrimitiveTypes.Float32, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Float32Builder).Append(1.5) }},
	{batch.Field{Name: "f64", Type: arrow.PrimitiveTypes.Float64, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Float64Builder).Append(-2.25) }},
	{batch.Field{Name: "b", Type: arrow.FixedWidthTypes.Boolean, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.BooleanBuilder).Append(true) }},
	{batch.Field{Name: "s", Type: arrow.BinaryTypes.String, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.StringBuilder).Append("héllo") }},
	{batch.Field{Name: "ls", Type: arrow.BinaryTypes.LargeString, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.LargeStringBuilder).Append("large") }},
	{batch.Field{Name: "bin", Type: arrow.BinaryTypes.Binary, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.BinaryBuilder).Append([]byte{0, 1, 0xff}) }},
	{batch.Field{Name: "ts_ns", Type: &arrow.TimestampType{Unit: arrow.Nanosecond, TimeZone: "America/New_York"}, Nullable: true},
		func(b array.Builder, _ int64) {
			b.(*array.TimestampBuilder).Append(arrow.Timestamp(typesTime.UnixNano()))
		}},
	{batch.Field{Name: "ts_s", Type: &arrow.TimestampType{Unit: arrow.Second}, Nullable: true},
		func(b array.Builder, _ int64) { b.(*array.TimestampBuilder).Append(arrow.Timestamp(typesTime.Unix())) }},
	{batch.Field{Name: "d", Type: arrow.FixedWidthTypes.Date32, Nullable: true}, func(b array.Builder, _ int64) { b.(*array.Date32Builder).Append(arrow.Date32FromTime(typesTime)) }},
	{batch.Field{Name: "tags", Type: arrow.ListOf(arrow.BinaryTypes.String), Nullable: true}, func(b array.Builder, _ int64) {
		lb := b.(*array.ListBuilder)
		lb.Append(true)
		vb := lb.ValueBuilder().(*array.StringBuilder)
		vb.Append("a,b")
		vb.AppendNull()
		vb.Append("c")
	}},
}

var typesTime = time.Date(2024, 2, 29, 23, 59, 58, 123456000, time.UTC)

// typesKind has a field of every type the loader supports.
var typesKind = func() batch.Kind {
	cols := make([]batch.Column, len(typeFields))
	for i, f := range typeFields {
		cols[i] = f.field
	}
	return batch.NewKind("types", 1, cols...)
}()

const typesTable = `CREATE TABLE types (
	i8 smallint, i16 smallint, i32 integer, i64 bigint PRIMARY KEY,
	u8 smallint, u16 integer, u32 bigint, f32 real, f64 double precision,
	b boolean, s text, ls text, bin bytea, ts_ns timestamptz, ts_s timestamptz,
	d date, tags text[])`

// typesRecord returns a typesKind record of one row of every type, then
// one of nulls but i64, keyed 1 and 2. The caller releases it.
func typesRecord() arrow.Record {
	rb := array.NewRecordBuilder(memory.DefaultAllocator, typesKind.Schema())
	defer rb.Release()
	for i, tf := range typeFields {
		fb := rb.Field(i) // typeFields are typesKind's fields, in order
		tf.value(fb, 1)
		if tf.field.Name == "i64" {
			tf.value(fb, 2)
		} else {
			fb.AppendNull()
		}
	}
	return rb.NewRecord()
}

// TestLoadTypes loads a row of every supported type, and a row of nulls,
// through the binary fast path and through pgx's CopyFrom.
func TestLoadTypes(t *testing.T) {
	t.Parallel()
	for _, pgxCopy := range []bool{false, true} {
		t.Run(fmt.Sprintf("pgx-%t", pgxCopy), func(t *testing.T) {
			t.Parallel()
			testLoadTypes(t, pgxCopy)
		})
	}
}

func testLoadTypes(t *testing.T, pgxCopy bool) {
	db, b := newDB(t), buckettest.NewFileBucket(t)
	exec(t, db, typesTable)
	m := writeOne(t, b, "run1", typesKind, func(w *batch.Writer) {
		rec := typesRecord()
		defer rec.Release()
		if err := w.Write(rec); err != nil {
			t.Fatal(err)
		}
	})
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: typesKind, Table: "types"}}, pgxCopy: pgxCopy}
	if _, err := l.LoadRun(t.Context(), m); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`(-8,-16,-32,1,255,65535,4294967295,1.5,-2.25,t,héllo,large,"\\x0001ff","2024-02-29 23:59:58.123456+00","2024-02-29 23:59:58+00",2024-02-29,"{""a,b"",NULL,c}")`,
		`(,,,2,,,,,,,,,,,,,)`,
	}
	if diff := cmp.Diff(want, typesRows(t, db)); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

// writeOne commits run runID of job "job" with one batch of kind, whose
// rows fill writes.
func writeOne(t *testing.T, b bucket.Bucket, runID string, kind batch.Kind, fill func(*batch.Writer)) batch.Manifest {
	t.Helper()
	run := batch.NewRun(b, "job", runID)
	w, err := run.Create(t.Context(), kind.Name(), kind)
	if err != nil {
		t.Fatal(err)
	}
	fill(w)
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := run.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// typesRows returns the rows of table types in Postgres's text form, in UTC.
func typesRows(t *testing.T, db *pgxpool.Pool) []string {
	t.Helper()
	ctx := t.Context()
	tx, err := db.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SET LOCAL TimeZone = 'UTC'`); err != nil {
		t.Fatal(err)
	}
	rows, err := tx.Query(ctx, `SELECT t::text FROM types t ORDER BY i64`)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLoadConversions loads fields into columns of other types than the
// fast path writes (an int64 into integer, a string into jsonb, an int32
// into numeric): pgx converts them, and rejects a value out of range.
func TestLoadConversions(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	exec(t, db, `CREATE TABLE conv (i64 integer, s jsonb, i32 numeric)`)
	i64Col, sCol, i32Col := batch.Int64("i64"), batch.String("s"), batch.Int32("i32")
	kind := batch.NewKind("conv", 1, i64Col, sCol, i32Col)
	write := func(runID string, i64 int64) batch.Manifest {
		return writeOne(t, b, runID, kind, func(w *batch.Writer) {
			bld := w.Builder()
			i64Col.Append(bld, i64)
			sCol.Append(bld, `{"a": [1, 2]}`)
			i32Col.Append(bld, -7)
			if err := bld.EndRow(); err != nil {
				t.Fatal(err)
			}
		})
	}
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: kind, Table: "conv"}}}
	if _, err := l.LoadRun(t.Context(), write("ok", 42)); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := db.QueryRow(t.Context(), `SELECT c::text FROM conv c`).Scan(&got); err != nil || got != `(42,"{""a"": [1, 2]}",-7)` {
		t.Errorf("row = %s, %v", got, err)
	}
	_, err := l.LoadRun(t.Context(), write("big", 1<<40))
	if err == nil || !strings.Contains(err.Error(), "conv") {
		t.Errorf("LoadRun of an int64 too large for integer = %v, want an error", err)
	}
}

func TestUnsupportedType(t *testing.T) {
	t.Parallel()
	db, b := newDB(t), buckettest.NewFileBucket(t)
	kind := batch.NewKind("odd", 1,
		batch.Field{Name: "id", Type: arrow.PrimitiveTypes.Int64},
		batch.Field{Name: "big", Type: arrow.PrimitiveTypes.Uint64},
	)
	run := batch.NewRun(b, "job", "run1")
	w, err := run.Create(t.Context(), "odd", kind)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	m, err := run.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	l := &Loader{DB: db, Bucket: b, Targets: []Target{{Kind: kind, Table: "odd", Columns: []string{"id", "big_col"}}}}
	_, err = l.LoadRun(t.Context(), m)
	want := `column "big_col" (field "big"): arrow type uint64 is not supported by the loader`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("LoadRun = %v\nwant it to contain %s", err, want)
	}
}
