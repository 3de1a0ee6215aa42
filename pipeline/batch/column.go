package batch

import (
	"cmp"
	"fmt"

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
//
// There is one column type per Go value type (Int32Col, Int64Col,
// StringCol, BytesCol, TimeCol, StringListCol, TimeListCol), each with Append,
// AppendValid, Value and Nullable, rather than one generic type: a
// concrete type appends straight to its Arrow builder, which on the
// process-uploads path is measurably cheaper than calling a per-column
// function (docs/benchmarks.md).
type Column interface {
	// Field returns the column's Arrow field.
	Field() arrow.Field
	// bind records the column's position in a kind.
	bind(kind string, i int)
}

// col is what every column type holds: its field and its position, which
// NewKind sets.
type col struct {
	field arrow.Field
	index int
	bit   uint64 // 1 << index, for Builder's check of a row
	kind  string
}

func newColumn(name string, typ arrow.DataType) col {
	return col{field: arrow.Field{Name: name, Type: typ}, index: -1}
}

// Field implements Column.
func (c *col) Field() arrow.Field { return c.field }

func (c *col) bind(kind string, i int) {
	if c.index >= 0 && c.index != i {
		panic(fmt.Sprintf("batch: column %q is field %d of kind %s and field %d of kind %s", c.field.Name, c.index, c.kind, i, kind))
	}
	c.index, c.bit, c.kind = i, 1<<i, kind
}

// Index returns the column's position in its kinds' schemas.
func (c *col) Index() int { return c.mustBeBound() }

func (c *col) mustBeBound() int {
	if c.index < 0 {
		panic(fmt.Sprintf("batch: column %q is in no kind (pass it to NewKind)", c.field.Name))
	}
	return c.index
}

// AppendNull appends a null to the column of the row b is building. The
// column must be Nullable.
func (c *col) AppendNull(b *Builder) {
	if !c.field.Nullable {
		panic(fmt.Sprintf("batch: column %q of kind %s is not nullable", c.field.Name, c.kind))
	}
	b.column(c).AppendNull()
}

// IsNull reports whether the column is null in row i of rec, a record of
// one of the column's kinds.
func (c *col) IsNull(rec arrow.Record, i int) bool { return rec.Column(c.mustBeBound()).IsNull(i) }

// array returns the column's values in rec.
func (c *col) array(rec arrow.Record) arrow.Array { return rec.Column(c.mustBeBound()) }

// Int32Col is a column of int32 values. Make one with Int32.
type Int32Col struct{ col }

// Int32 returns an int32 column called name.
func Int32(name string) *Int32Col {
	return &Int32Col{newColumn(name, arrow.PrimitiveTypes.Int32)}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *Int32Col) Nullable() *Int32Col { c.field.Nullable = true; return c }

// Append appends v to the column of the row b is building.
func (c *Int32Col) Append(b *Builder, v int32) { b.column(&c.col).(*array.Int32Builder).Append(v) }

// AppendValid appends v when valid is true and a null otherwise.
func (c *Int32Col) AppendValid(b *Builder, v int32, valid bool) {
	if !valid {
		c.AppendNull(b)
		return
	}
	c.Append(b, v)
}

// Value returns the column's value in row i of rec, a record of one of the
// column's kinds (0 where it is null).
func (c *Int32Col) Value(rec arrow.Record, i int) int32 { return c.array(rec).(*array.Int32).Value(i) }

// Int64Col is a column of int64 values. Make one with Int64.
type Int64Col struct{ col }

// Int64 returns an int64 column called name.
func Int64(name string) *Int64Col {
	return &Int64Col{newColumn(name, arrow.PrimitiveTypes.Int64)}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *Int64Col) Nullable() *Int64Col { c.field.Nullable = true; return c }

// Append appends v to the column of the row b is building.
func (c *Int64Col) Append(b *Builder, v int64) { b.column(&c.col).(*array.Int64Builder).Append(v) }

// AppendValid appends v when valid is true and a null otherwise.
func (c *Int64Col) AppendValid(b *Builder, v int64, valid bool) {
	if !valid {
		c.AppendNull(b)
		return
	}
	c.Append(b, v)
}

// Value returns the column's value in row i of rec, a record of one of the
// column's kinds (0 where it is null).
func (c *Int64Col) Value(rec arrow.Record, i int) int64 { return c.array(rec).(*array.Int64).Value(i) }

// StringCol is a column of UTF-8 strings. Make one with String.
type StringCol struct{ col }

// String returns a UTF-8 string column called name.
func String(name string) *StringCol {
	return &StringCol{newColumn(name, arrow.BinaryTypes.String)}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *StringCol) Nullable() *StringCol { c.field.Nullable = true; return c }

// Append appends v to the column of the row b is building.
func (c *StringCol) Append(b *Builder, v string) { b.column(&c.col).(*array.StringBuilder).Append(v) }

// AppendValid appends v when valid is true and a null otherwise.
func (c *StringCol) AppendValid(b *Builder, v string, valid bool) {
	if !valid {
		c.AppendNull(b)
		return
	}
	c.Append(b, v)
}

// Value returns the column's value in row i of rec, a record of one of the
// column's kinds ("" where it is null).
func (c *StringCol) Value(rec arrow.Record, i int) string {
	return c.array(rec).(*array.String).Value(i)
}

// BytesCol is a column of byte strings (Arrow binary). Make one with
// Bytes.
type BytesCol struct{ col }

// Bytes returns a binary column called name.
func Bytes(name string) *BytesCol {
	return &BytesCol{newColumn(name, arrow.BinaryTypes.Binary)}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *BytesCol) Nullable() *BytesCol { c.field.Nullable = true; return c }

// Append appends a copy of v to the column of the row b is building.
// The builder's value buffer is reserved for a whole record at once
// rather than grown by doubling, which copied and zeroed it again at every
// step: MaxBytes and an eighth more, for the row that crosses MaxBytes
// (only a value larger than that eighth makes the buffer grow).
func (c *BytesCol) Append(b *Builder, v []byte) {
	bb := b.column(&c.col).(*array.BinaryBuilder)
	if bb.DataCap()-bb.DataLen() < len(v) {
		limit := cmp.Or(b.MaxBytes, DefaultMaxBytes)
		bb.ReserveData(max(len(v), limit+limit/8-bb.DataLen()))
	}
	bb.Append(v)
	b.bytes += len(v)
}

// AppendValid appends v when valid is true and a null otherwise.
func (c *BytesCol) AppendValid(b *Builder, v []byte, valid bool) {
	if !valid {
		c.AppendNull(b)
		return
	}
	c.Append(b, v)
}

// Value returns the column's value in row i of rec, a record of one of the
// column's kinds (empty where it is null). It points into rec's buffers:
// copy it to keep it after rec is released.
func (c *BytesCol) Value(rec arrow.Record, i int) []byte {
	return c.array(rec).(*array.Binary).Value(i)
}
