package batch

import (
	"time"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// TimeCol is a column of times, stored in UTC in a unit. Make one with
// Time (whole seconds) or Timestamp.
type TimeCol struct {
	col
	unit arrow.TimeUnit
}

// Time returns a column of times called name, stored as whole seconds in
// UTC (TimestampUTC); sub-second parts are dropped.
func Time(name string) *TimeCol {
	return &TimeCol{newColumn(name, TimestampUTC), arrow.Second}
}

// Timestamp returns a column of times called name, stored in unit (e.g.
// arrow.Microsecond) in UTC; parts finer than unit are dropped. Time is the
// column of whole seconds most kinds use.
func Timestamp(name string, unit arrow.TimeUnit) *TimeCol {
	return &TimeCol{newColumn(name, &arrow.TimestampType{Unit: unit, TimeZone: "UTC"}), unit}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *TimeCol) Nullable() *TimeCol { c.field.Nullable = true; return c }

// Append appends v to the column of the row b is building.
func (c *TimeCol) Append(b *Builder, v time.Time) {
	tb := b.column(&c.col).(*array.TimestampBuilder)
	if c.unit == arrow.Second {
		tb.Append(arrow.Timestamp(v.Unix()))
		return
	}
	tb.AppendTime(v)
}

// AppendValid appends v when valid is true and a null otherwise.
func (c *TimeCol) AppendValid(b *Builder, v time.Time, valid bool) {
	if !valid {
		c.AppendNull(b)
		return
	}
	c.Append(b, v)
}

// Value returns the column's value in row i of rec, a record of one of the
// column's kinds, in UTC (the Unix epoch where it is null).
func (c *TimeCol) Value(rec arrow.Record, i int) time.Time {
	return c.array(rec).(*array.Timestamp).Value(i).ToTime(c.unit)
}

// StringListCol is a column of string lists. Make one with StringList.
type StringListCol struct{ col }

// StringList returns a column of string lists called name.
func StringList(name string) *StringListCol {
	return &StringListCol{newColumn(name, arrow.ListOf(arrow.BinaryTypes.String))}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *StringListCol) Nullable() *StringListCol { c.field.Nullable = true; return c }

// Append appends vs to the column of the row b is building.
func (c *StringListCol) Append(b *Builder, vs []string) {
	lb := b.column(&c.col).(*array.ListBuilder)
	lb.Append(true)
	sb := lb.ValueBuilder().(*array.StringBuilder)
	for _, v := range vs {
		sb.Append(v)
	}
}

// AppendBytes appends vs to the column of the row b is building, as
// Append does with strings: for callers that build the elements in a
// buffer they reuse, so that a row costs no allocation. The bytes are
// copied.
func (c *StringListCol) AppendBytes(b *Builder, vs [][]byte) {
	lb := b.column(&c.col).(*array.ListBuilder)
	lb.Append(true)
	sb := lb.ValueBuilder().(*array.StringBuilder)
	for _, v := range vs {
		sb.BinaryBuilder.Append(v)
	}
}

// Value returns the column's list in row i of rec, a record of one of the
// column's kinds (empty where it is null).
func (c *StringListCol) Value(rec arrow.Record, i int) []string {
	l := c.array(rec).(*array.List)
	vs := l.ListValues().(*array.String)
	start, end := l.ValueOffsets(i)
	out := make([]string, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vs.Value(int(j)))
	}
	return out
}

// TimeListCol is a column of time lists, each time stored as whole
// seconds in UTC. Make one with TimeList.
type TimeListCol struct{ col }

// TimeList returns a column of time lists called name.
func TimeList(name string) *TimeListCol {
	return &TimeListCol{newColumn(name, arrow.ListOf(TimestampUTC))}
}

// Nullable returns c allowing nulls (AppendNull). Call it where the column
// is declared, before NewKind.
func (c *TimeListCol) Nullable() *TimeListCol { c.field.Nullable = true; return c }

// Append appends ts to the column of the row b is building.
func (c *TimeListCol) Append(b *Builder, ts []time.Time) {
	lb := b.column(&c.col).(*array.ListBuilder)
	lb.Append(true)
	tb := lb.ValueBuilder().(*array.TimestampBuilder)
	for _, t := range ts {
		tb.Append(arrow.Timestamp(t.Unix()))
	}
}

// Value returns the column's list in row i of rec, a record of one of the
// column's kinds (empty where it is null).
func (c *TimeListCol) Value(rec arrow.Record, i int) []time.Time {
	l := c.array(rec).(*array.List)
	vs := l.ListValues().(*array.Timestamp)
	start, end := l.ValueOffsets(i)
	out := make([]time.Time, 0, end-start)
	for j := start; j < end; j++ {
		out = append(out, vs.Value(int(j)).ToTime(arrow.Second))
	}
	return out
}
