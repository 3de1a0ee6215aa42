package batch

import (
	"fmt"
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// Column is one named, typed column of a kind. Declare a kind's columns as
// variables, then the kind from them; code then appends and reads values
// by column, never by position:
//
//	var (
//		commitRepo = batch.Int64("repo_id")
//		commitOID  = batch.String("commit_oid")
//		CommitsKind = batch.NewKind("repo-commits", 1, commitRepo, commitOID)
//	)
//
//	commitRepo.Append(b, id)
//	commitOID.Append(b, oid)
//	err := b.EndRow()
//
// A column may be shared by several kinds only at the same position.
type Column interface {
	// Field returns the column's Arrow field.
	Field() arrow.Field
	// bind records the column's position in a kind.
	bind(kind string, i int)
}

// Col is a column whose values have the Go type T. Make one with Int32,
// Int64, String, Time, StringList or TimeList (or their Nullable forms),
// and give it to NewKind before use.
type Col[T any] struct {
	field    arrow.Field
	index    int
	kind     string
	appendTo func(array.Builder, T)
	value    func(arrow.Array, int) T
}

func newCol[T any](name string, typ arrow.DataType, appendTo func(array.Builder, T), value func(arrow.Array, int) T) *Col[T] {
	return &Col[T]{field: arrow.Field{Name: name, Type: typ}, index: -1, appendTo: appendTo, value: value}
}

// Field implements Column.
func (c *Col[T]) Field() arrow.Field { return c.field }

func (c *Col[T]) bind(kind string, i int) {
	if c.index >= 0 && c.index != i {
		panic(fmt.Sprintf("batch: column %q is field %d of kind %s and field %d of kind %s", c.field.Name, c.index, c.kind, i, kind))
	}
	c.index, c.kind = i, kind
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *Col[T]) Nullable() *Col[T] {
	c.field.Nullable = true
	return c
}

// Index returns the column's position in its kinds' schemas.
func (c *Col[T]) Index() int { return c.mustBeBound() }

func (c *Col[T]) mustBeBound() int {
	if c.index < 0 {
		panic(fmt.Sprintf("batch: column %q is in no kind (pass it to NewKind)", c.field.Name))
	}
	return c.index
}

// Append appends v to the column of the row b is building.
func (c *Col[T]) Append(b *Builder, v T) { c.appendTo(b.column(c.index), v) }

// AppendNull appends a null to the column of the row b is building. The
// column must be Nullable.
func (c *Col[T]) AppendNull(b *Builder) {
	if !c.field.Nullable {
		panic(fmt.Sprintf("batch: column %q of kind %s is not nullable", c.field.Name, c.kind))
	}
	b.column(c.index).AppendNull()
}

// AppendValid appends v when valid is true and a null otherwise.
func (c *Col[T]) AppendValid(b *Builder, v T, valid bool) {
	if valid {
		c.Append(b, v)
		return
	}
	c.AppendNull(b)
}

// Value returns the column's value in row i of rec, a record of one of
// the column's kinds (the zero value where it is null).
func (c *Col[T]) Value(rec arrow.Record, i int) T { return c.value(rec.Column(c.mustBeBound()), i) }

// IsNull reports whether the column is null in row i of rec.
func (c *Col[T]) IsNull(rec arrow.Record, i int) bool { return rec.Column(c.mustBeBound()).IsNull(i) }

// Int32 returns an int32 column called name.
func Int32(name string) *Col[int32] {
	return newCol(name, arrow.PrimitiveTypes.Int32,
		func(b array.Builder, v int32) { b.(*array.Int32Builder).Append(v) },
		func(a arrow.Array, i int) int32 { return a.(*array.Int32).Value(i) })
}

// Int64 returns an int64 column called name.
func Int64(name string) *Col[int64] {
	return newCol(name, arrow.PrimitiveTypes.Int64,
		func(b array.Builder, v int64) { b.(*array.Int64Builder).Append(v) },
		func(a arrow.Array, i int) int64 { return a.(*array.Int64).Value(i) })
}

// String returns a UTF-8 string column called name.
func String(name string) *Col[string] {
	return newCol(name, arrow.BinaryTypes.String,
		func(b array.Builder, v string) { b.(*array.StringBuilder).Append(v) },
		func(a arrow.Array, i int) string { return a.(*array.String).Value(i) })
}

// Time returns a column of times called name, stored as whole seconds in
// UTC (TimestampUTC); sub-second parts are dropped.
func Time(name string) *Col[time.Time] {
	return newCol(name, TimestampUTC,
		func(b array.Builder, v time.Time) { b.(*array.TimestampBuilder).Append(arrow.Timestamp(v.Unix())) },
		func(a arrow.Array, i int) time.Time { return unixUTC(a.(*array.Timestamp).Value(i)) })
}

// Timestamp returns a column of times called name, stored in unit (e.g.
// arrow.Microsecond) in UTC; parts finer than unit are dropped. Time is the
// column of whole seconds most kinds use.
func Timestamp(name string, unit arrow.TimeUnit) *Col[time.Time] {
	return newCol(name, &arrow.TimestampType{Unit: unit, TimeZone: "UTC"},
		func(b array.Builder, v time.Time) { b.(*array.TimestampBuilder).AppendTime(v) },
		func(a arrow.Array, i int) time.Time { return a.(*array.Timestamp).Value(i).ToTime(unit) })
}

// StringList returns a column of string lists called name.
func StringList(name string) *Col[[]string] {
	return newCol(name, arrow.ListOf(arrow.BinaryTypes.String),
		func(b array.Builder, vs []string) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			sb := lb.ValueBuilder().(*array.StringBuilder)
			for _, v := range vs {
				sb.Append(v)
			}
		},
		func(a arrow.Array, i int) []string {
			l := a.(*array.List)
			vs := l.ListValues().(*array.String)
			start, end := l.ValueOffsets(i)
			out := make([]string, 0, end-start)
			for j := start; j < end; j++ {
				out = append(out, vs.Value(int(j)))
			}
			return out
		})
}

// TimeList returns a column of time lists called name, each time stored as
// whole seconds in UTC.
func TimeList(name string) *Col[[]time.Time] {
	return newCol(name, arrow.ListOf(TimestampUTC),
		func(b array.Builder, ts []time.Time) {
			lb := b.(*array.ListBuilder)
			lb.Append(true)
			tb := lb.ValueBuilder().(*array.TimestampBuilder)
			for _, t := range ts {
				tb.Append(arrow.Timestamp(t.Unix()))
			}
		},
		func(a arrow.Array, i int) []time.Time {
			l := a.(*array.List)
			vs := l.ListValues().(*array.Timestamp)
			start, end := l.ValueOffsets(i)
			out := make([]time.Time, 0, end-start)
			for j := start; j < end; j++ {
				out = append(out, unixUTC(vs.Value(int(j))))
			}
			return out
		})
}

func unixUTC(ts arrow.Timestamp) time.Time { return time.Unix(int64(ts), 0).UTC() }
