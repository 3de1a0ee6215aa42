package loader

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// column returns the Go value pgx encodes for row i of one column.
type column func(i int) any

// binder makes the column of one record's array, whose type is the one the
// binder was made for.
type binder func(arrow.Array) column

// binderFor returns the binder for arrow type dt, or an error if COPY cannot
// load it. Values: signed integers as themselves, unsigned ones as int64,
// timestamps (any unit, any zone) and date32 as UTC time.Time, list<string>
// as []string (or []*string when elements are null).
func binderFor(dt arrow.DataType) (binder, error) {
	switch dt.ID() {
	case arrow.INT8:
		return typed[int8, *array.Int8](box), nil
	case arrow.INT16:
		return typed[int16, *array.Int16](box), nil
	case arrow.INT32:
		return typed[int32, *array.Int32](box), nil
	case arrow.INT64:
		return typed[int64, *array.Int64](box), nil
	case arrow.UINT8:
		return typed[uint8, *array.Uint8](func(v uint8) any { return int64(v) }), nil
	case arrow.UINT16:
		return typed[uint16, *array.Uint16](func(v uint16) any { return int64(v) }), nil
	case arrow.UINT32:
		return typed[uint32, *array.Uint32](func(v uint32) any { return int64(v) }), nil
	case arrow.FLOAT32:
		return typed[float32, *array.Float32](box), nil
	case arrow.FLOAT64:
		return typed[float64, *array.Float64](box), nil
	case arrow.BOOL:
		return typed[bool, *array.Boolean](box), nil
	case arrow.STRING:
		return typed[string, *array.String](box), nil
	case arrow.LARGE_STRING:
		return typed[string, *array.LargeString](box), nil
	// Binary and string values point into the record's buffers, without a
	// copy: pgx encodes each row before asking for the next.
	case arrow.BINARY:
		return typed[[]byte, *array.Binary](box), nil
	case arrow.LARGE_BINARY:
		return typed[[]byte, *array.LargeBinary](box), nil
	case arrow.TIMESTAMP:
		unit := dt.(*arrow.TimestampType).Unit
		return typed[arrow.Timestamp, *array.Timestamp](func(v arrow.Timestamp) any { return v.ToTime(unit).UTC() }), nil
	case arrow.DATE32:
		return typed[arrow.Date32, *array.Date32](func(v arrow.Date32) any { return v.ToTime() }), nil
	case arrow.LIST:
		if dt.(*arrow.ListType).Elem().ID() == arrow.STRING {
			return bindStringList, nil
		}
	}
	return nil, fmt.Errorf("arrow type %s is not supported by the loader", dt)
}

func box[T any](v T) any { return v }

// valuer is an Arrow array of Go values T.
type valuer[T any] interface {
	arrow.Array
	Value(int) T
}

// typed returns the binder of arrays A, converting values with conv.
func typed[T any, A valuer[T]](conv func(T) any) binder {
	return func(arr arrow.Array) column {
		a := arr.(A)
		return func(i int) any { return conv(a.Value(i)) }
	}
}

// bindNullable returns b's column for arr, giving nil (NULL) for nulls.
func bindNullable(arr arrow.Array, b binder) column {
	col := b(arr)
	if arr.NullN() == 0 {
		return col
	}
	return func(i int) any {
		if arr.IsNull(i) {
			return nil
		}
		return col(i)
	}
}

func bindStringList(arr arrow.Array) column {
	list := arr.(*array.List)
	elems := list.ListValues().(*array.String)
	return func(i int) any {
		start, end := list.ValueOffsets(i)
		if elems.NullN() > 0 {
			return stringPtrs(elems, int(start), int(end))
		}
		out := make([]string, 0, end-start)
		for j := int(start); j < int(end); j++ {
			out = append(out, elems.Value(j))
		}
		return out
	}
}

// stringPtrs returns elems[start:end] with nil for null elements, which pgx
// encodes as NULL array elements.
func stringPtrs(elems *array.String, start, end int) []*string {
	out := make([]*string, 0, end-start)
	for j := start; j < end; j++ {
		if elems.IsNull(j) {
			out = append(out, nil)
			continue
		}
		v := elems.Value(j)
		out = append(out, &v)
	}
	return out
}

func columnError(name string, f arrow.Field, err error) error {
	return fmt.Errorf("column %q (field %q): %w", name, f.Name, err)
}
