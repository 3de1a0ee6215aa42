package batch

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

var (
	colID    = Int64("id")
	colPos   = Int32("pos")
	colName  = String("name").Nullable()
	colAt    = Time("at")
	colPaths = StringList("paths")
	colTimes = TimeList("times")
	colData  = Bytes("data")
	colKind  = NewKind("columns", 1, colID, colPos, colName, colAt, colPaths, colTimes, colData)
	// A kind sharing the first columns at the same positions.
	colKindShort = NewKind("columns-short", 1, colID, colPos)
)

type colRow struct {
	ID    int64
	Pos   int32
	Name  string // "" is null
	At    time.Time
	Paths []string
	Times []time.Time
	Data  []byte
}

func appendColRow(b *Builder, r colRow) error {
	colID.Append(b, r.ID)
	colPos.Append(b, r.Pos)
	colName.AppendValid(b, r.Name, r.Name != "")
	colAt.Append(b, r.At)
	colPaths.Append(b, r.Paths)
	colTimes.Append(b, r.Times)
	colData.Append(b, r.Data)
	return b.EndRow()
}

func TestColumnsRoundTrip(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 12, 4, 10, 30, 15, 0, time.UTC)
	want := []colRow{
		{ID: 1, Pos: 7, Name: "mux", At: at, Paths: []string{"a.go", "b.go"}, Times: []time.Time{at, at.Add(time.Hour)},
			Data: []byte{1, 0, 0xff}},
		{ID: -2, Pos: 0, At: at.Add(-time.Hour), Paths: []string{}, Times: []time.Time{}, Data: []byte{}},
	}
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "cols.arrow", colKind)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range want {
		if err := appendColRow(w.Builder(), r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(t.Context(), b, "cols.arrow", NewRegistry(colKind))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var got []colRow
	for r.Next() {
		rec := r.Record()
		for i := range int(rec.NumRows()) {
			if colName.IsNull(rec, i) != (want[len(got)].Name == "") {
				t.Errorf("row %d: name null = %v", i, colName.IsNull(rec, i))
			}
			got = append(got, colRow{ID: colID.Value(rec, i), Pos: colPos.Value(rec, i), Name: colName.Value(rec, i),
				At: colAt.Value(rec, i), Paths: colPaths.Value(rec, i), Times: colTimes.Value(rec, i),
				Data: append([]byte{}, colData.Value(rec, i)...)})
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("rows (-want +got):\n%s", diff)
	}
}

func TestColumnsShareAtSamePosition(t *testing.T) {
	t.Parallel()
	if got := colKindShort.Schema().Field(1).Name; got != "pos" {
		t.Errorf("short kind's field 1 is %q, want pos", got)
	}
	defer func() {
		msg, _ := recover().(string)
		if !strings.Contains(msg, `column "pos" is field 1`) {
			t.Errorf("NewKind with a column at another position: panic %q", msg)
		}
	}()
	NewKind("columns-moved", 1, colPos)
}

func TestEndRowNamesMissingColumn(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		append func(*Builder)
		want   string
	}{
		{"missing", func(b *Builder) { colID.Append(b, 1) }, `has 0 values in column "pos"`},
		{"twice", func(b *Builder) { colID.Append(b, 1); colPos.Append(b, 2); colPos.Append(b, 3) }, `has 2 values in column "pos"`},
		// As many values as columns, but not one each.
		{"twice and missing", func(b *Builder) { colID.Append(b, 1); colID.Append(b, 2) }, `has 2 values in column "id"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w, err := NewWriter(t.Context(), buckettest.NewFileBucket(t), "short.arrow", colKindShort)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Abort(nil)
			b := w.Builder()
			colID.Append(b, 0) // a good first row
			colPos.Append(b, 0)
			if err := b.EndRow(); err != nil {
				t.Fatal(err)
			}
			tt.append(b)
			err = b.EndRow()
			if err == nil || !strings.Contains(err.Error(), "row 1 "+tt.want) {
				t.Errorf("EndRow = %v, want an error containing %q", err, "row 1 "+tt.want)
			}
		})
	}
}

// A column given three times in a row passes EndRow's check, which sees
// each column's appends only as odd or even; the record is refused when
// written.
func TestFlushNamesColumnGivenThrice(t *testing.T) {
	t.Parallel()
	w, err := NewWriter(t.Context(), buckettest.NewFileBucket(t), "thrice.arrow", colKindShort)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort(nil)
	b := w.Builder()
	colID.Append(b, 1)
	for range 3 {
		colPos.Append(b, 2)
	}
	if err := b.EndRow(); err != nil {
		t.Fatal(err)
	}
	_, err = w.Close()
	want := `column "pos" has 3 values for 1 rows`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Close = %v, want an error containing %q", err, want)
	}
}

func TestAppendNullOnRequiredColumnPanics(t *testing.T) {
	t.Parallel()
	w, err := NewWriter(t.Context(), buckettest.NewFileBucket(t), "null.arrow", colKindShort)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort(nil)
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "not nullable") {
			t.Errorf("AppendNull on a required column: panic %q", msg)
		}
	}()
	colID.AppendNull(w.Builder())
}

func TestNewKindTooManyColumns(t *testing.T) {
	t.Parallel()
	cols := make([]Column, maxColumns+1)
	for i := range cols {
		cols[i] = Field{Name: fmt.Sprintf("c%d", i), Type: arrow.PrimitiveTypes.Int32}
	}
	defer func() {
		if msg, _ := recover().(string); !strings.Contains(msg, "has 65 columns, more than 64") {
			t.Errorf("NewKind with 65 columns: panic %q", msg)
		}
	}()
	NewKind("wide", 1, cols...)
}

// TestBuilderMaxBytes checks that binary values end a record once MaxBytes
// of them are pending, whatever MaxRows says.
func TestBuilderMaxBytes(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	w, err := NewWriter(t.Context(), b, "bytes.arrow", colKind)
	if err != nil {
		t.Fatal(err)
	}
	bld := w.Builder()
	bld.MaxBytes = 250 // 100-byte values: records of 3, 3 and 1 rows
	for i := range 7 {
		r := colRow{ID: int64(i), Paths: []string{}, Times: []time.Time{}, Data: []byte(strings.Repeat("x", 100))}
		if err := appendColRow(bld, r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.Close(); err != nil {
		t.Fatal(err)
	}
	r, err := Open(t.Context(), b, "bytes.arrow", NewRegistry(colKind))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var sizes []int64
	for r.Next() {
		sizes = append(sizes, r.Record().NumRows())
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int64{3, 3, 1}, sizes); diff != "" {
		t.Errorf("rows per record (-want +got):\n%s", diff)
	}
}
