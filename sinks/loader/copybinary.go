package loader

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

// The fast path of COPY: Arrow columns encoded straight into COPY's binary
// format for the target columns' types, record by record, instead of one
// boxed Go value per field that pgx plans and encodes on its own (about a
// quarter of process-uploads' CPU time went there). It covers the
// conversions that cannot fail (an Arrow int32 into integer or bigint, a
// string into text, ...); any other pairing (an int64 into integer, a
// string into jsonb) leaves the whole batch to pgx's CopyFrom, which checks
// and converts each value.

// fieldEncoder appends row i of one column, known not to be null, as COPY
// binary field data: the length, then the bytes.
type fieldEncoder func(buf []byte, i int) []byte

// encoderMaker makes the fieldEncoder of one record's array.
type encoderMaker func(arrow.Array) fieldEncoder

// binaryEncoders returns the encoder makers of fields into columns of the
// types oids, or false if one pairing has no fast path.
func binaryEncoders(fields []arrow.Field, oids []uint32) ([]encoderMaker, bool) {
	makers := make([]encoderMaker, len(fields))
	for i, f := range fields {
		m := encoderFor(f.Type, oids[i])
		if m == nil {
			return nil, false
		}
		makers[i] = m
	}
	return makers, true
}

// Microseconds and days from the Unix epoch to Postgres's, 2000-01-01.
const (
	pgEpochMicros = 946_684_800_000_000
	pgEpochDays   = 10_957
)

// encoderFor returns the encoder maker of Arrow type dt into a column of
// type oid, or nil.
func encoderFor(dt arrow.DataType, oid uint32) encoderMaker {
	switch dt.ID() {
	case arrow.INT8:
		return intEncoder[int8, *array.Int8](oid, 1)
	case arrow.INT16:
		return intEncoder[int16, *array.Int16](oid, 2)
	case arrow.INT32:
		return intEncoder[int32, *array.Int32](oid, 4)
	case arrow.INT64:
		return intEncoder[int64, *array.Int64](oid, 8)
	case arrow.UINT8:
		return intEncoder[uint8, *array.Uint8](oid, 2)
	case arrow.UINT16:
		return intEncoder[uint16, *array.Uint16](oid, 4)
	case arrow.UINT32:
		return intEncoder[uint32, *array.Uint32](oid, 8)
	case arrow.FLOAT32:
		switch oid {
		case pgtype.Float4OID:
			return fixed[float32, *array.Float32](4, func(b []byte, v float32) { binary.BigEndian.PutUint32(b, math.Float32bits(v)) })
		case pgtype.Float8OID:
			return fixed[float32, *array.Float32](8, func(b []byte, v float32) { binary.BigEndian.PutUint64(b, math.Float64bits(float64(v))) })
		}
	case arrow.FLOAT64:
		if oid == pgtype.Float8OID {
			return fixed[float64, *array.Float64](8, func(b []byte, v float64) { binary.BigEndian.PutUint64(b, math.Float64bits(v)) })
		}
	case arrow.BOOL:
		if oid == pgtype.BoolOID {
			return fixed[bool, *array.Boolean](1, func(b []byte, v bool) {
				b[0] = 0
				if v {
					b[0] = 1
				}
			})
		}
	case arrow.STRING:
		if isText(oid) {
			return bytesEncoder[string, *array.String]()
		}
	case arrow.LARGE_STRING:
		if isText(oid) {
			return bytesEncoder[string, *array.LargeString]()
		}
	case arrow.BINARY:
		if oid == pgtype.ByteaOID {
			return bytesEncoder[[]byte, *array.Binary]()
		}
	case arrow.LARGE_BINARY:
		if oid == pgtype.ByteaOID {
			return bytesEncoder[[]byte, *array.LargeBinary]()
		}
	case arrow.TIMESTAMP:
		if oid == pgtype.TimestamptzOID || oid == pgtype.TimestampOID {
			unit := dt.(*arrow.TimestampType).Unit
			return fixed[arrow.Timestamp, *array.Timestamp](8, func(b []byte, v arrow.Timestamp) {
				binary.BigEndian.PutUint64(b, uint64(micros(int64(v), unit)-pgEpochMicros))
			})
		}
	case arrow.DATE32:
		if oid == pgtype.DateOID {
			return fixed[arrow.Date32, *array.Date32](4, func(b []byte, v arrow.Date32) {
				binary.BigEndian.PutUint32(b, uint32(int32(v)-pgEpochDays))
			})
		}
	case arrow.LIST:
		if dt.(*arrow.ListType).Elem().ID() == arrow.STRING {
			switch oid {
			case pgtype.TextArrayOID:
				return stringListEncoder(pgtype.TextOID)
			case pgtype.VarcharArrayOID:
				return stringListEncoder(pgtype.VarcharOID)
			}
		}
	}
	return nil
}

func isText(oid uint32) bool { return oid == pgtype.TextOID || oid == pgtype.VarcharOID }

// micros converts v in unit to microseconds, rounding down.
func micros(v int64, unit arrow.TimeUnit) int64 {
	switch unit {
	case arrow.Second:
		return v * 1_000_000
	case arrow.Millisecond:
		return v * 1_000
	case arrow.Nanosecond:
		q := v / 1_000
		if v%1_000 < 0 {
			q--
		}
		return q
	}
	return v
}

// integer is an Arrow integer type narrower than 64 bits, or int64.
type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32
}

// intEncoder encodes integers that need at least minSize bytes into a
// smallint, integer or bigint column at least that wide.
func intEncoder[T integer, A valuer[T]](oid uint32, minSize int) encoderMaker {
	var size int
	switch oid {
	case pgtype.Int2OID:
		size = 2
	case pgtype.Int4OID:
		size = 4
	case pgtype.Int8OID:
		size = 8
	}
	if size < minSize {
		return nil
	}
	return fixed[T, A](size, func(b []byte, v T) {
		switch size {
		case 2:
			binary.BigEndian.PutUint16(b, uint16(int16(v)))
		case 4:
			binary.BigEndian.PutUint32(b, uint32(int32(v)))
		default:
			binary.BigEndian.PutUint64(b, uint64(int64(v)))
		}
	})
}

// fixed encodes values of a fixed size with put.
func fixed[T any, A valuer[T]](size int, put func([]byte, T)) encoderMaker {
	return func(arr arrow.Array) fieldEncoder {
		a := arr.(A)
		return func(buf []byte, i int) []byte {
			buf = binary.BigEndian.AppendUint32(buf, uint32(size))
			n := len(buf)
			buf = append(buf, make([]byte, size)...)
			put(buf[n:], a.Value(i))
			return buf
		}
	}
}

// bytesEncoder encodes strings or byte slices as they are.
func bytesEncoder[T string | []byte, A valuer[T]]() encoderMaker {
	return func(arr arrow.Array) fieldEncoder {
		a := arr.(A)
		return func(buf []byte, i int) []byte {
			v := a.Value(i)
			buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
			return append(buf, v...)
		}
	}
}

// stringListEncoder encodes a list of strings as a one-dimensional array
// of elem (text or varchar), null elements included.
func stringListEncoder(elem uint32) encoderMaker {
	return func(arr arrow.Array) fieldEncoder {
		list := arr.(*array.List)
		elems := list.ListValues().(*array.String)
		return func(buf []byte, i int) []byte {
			start, end := list.ValueOffsets(i)
			lenAt := len(buf)
			buf = append(buf, 0, 0, 0, 0) // the field's length, known at the end
			ndim, hasNull := 1, 0
			if end == start {
				ndim = 0
			}
			if elems.NullN() > 0 {
				hasNull = 1
			}
			for _, v := range []uint32{uint32(ndim), uint32(hasNull), elem} {
				buf = binary.BigEndian.AppendUint32(buf, v)
			}
			if ndim == 1 {
				buf = binary.BigEndian.AppendUint32(buf, uint32(end-start))
				buf = binary.BigEndian.AppendUint32(buf, 1) // lower bound
			}
			for j := int(start); j < int(end); j++ {
				if elems.IsNull(j) {
					buf = binary.BigEndian.AppendUint32(buf, math.MaxUint32) // -1: NULL
					continue
				}
				v := elems.Value(j)
				buf = binary.BigEndian.AppendUint32(buf, uint32(len(v)))
				buf = append(buf, v...)
			}
			binary.BigEndian.PutUint32(buf[lenAt:], uint32(len(buf)-lenAt-4))
			return buf
		}
	}
}

// copyBinary COPYs the batch r into table's columns with the fast path, if
// every field has one into its column; ok is false, and nothing is sent,
// when one has not.
func copyBinary(ctx context.Context, tx pgx.Tx, r *batch.Reader, table pgx.Identifier, columns []string) (n int64, ok bool, err error) {
	cols := make([]string, len(columns))
	for i, c := range columns {
		cols[i] = pgx.Identifier{c}.Sanitize()
	}
	list := strings.Join(cols, ", ")
	sd, err := tx.Conn().PgConn().Prepare(ctx, "", "SELECT "+list+" FROM "+table.Sanitize(), nil)
	if err != nil {
		return 0, false, fmt.Errorf("column types of %s: %w", table.Sanitize(), err)
	}
	oids := make([]uint32, len(sd.Fields))
	for i, f := range sd.Fields {
		oids[i] = f.DataTypeOID
	}
	makers, ok := binaryEncoders(r.Kind().Schema().Fields(), oids)
	if !ok {
		return 0, false, nil
	}
	src := &copyStream{r: r, makers: makers, encoders: make([]fieldEncoder, len(makers))}
	tag, err := tx.Conn().PgConn().CopyFrom(ctx, src, "COPY "+table.Sanitize()+" ("+list+") FROM STDIN (FORMAT binary)")
	if src.err != nil {
		err = src.err // what made the stream fail, rather than how COPY reports it
	}
	return tag.RowsAffected(), true, err
}

// copyStream is COPY's binary input for a batch: a header, each record's
// rows encoded when the previous record's bytes are read, a trailer.
type copyStream struct {
	r        *batch.Reader
	makers   []encoderMaker
	encoders []fieldEncoder
	buf      []byte
	off      int
	started  bool
	done     bool
	err      error
}

// copyHeader starts COPY's binary format: the signature, no flags, no
// header extension.
var copyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

func (s *copyStream) Read(p []byte) (int, error) {
	for s.off == len(s.buf) {
		if s.done {
			return 0, io.EOF
		}
		s.buf, s.off = s.buf[:0], 0
		if !s.started {
			s.buf = append(s.buf, copyHeader...)
			s.started = true
		}
		switch {
		case s.r.Next():
			if err := s.encode(s.r.Record()); err != nil {
				s.err = err
				return 0, err
			}
		case s.r.Err() != nil:
			s.err = s.r.Err()
			return 0, s.err
		default:
			s.buf = binary.BigEndian.AppendUint16(s.buf, math.MaxUint16) // -1: the end
			s.done = true
		}
	}
	n := copy(p, s.buf[s.off:])
	s.off += n
	return n, nil
}

// encode appends every row of rec. A batch that decoded but holds
// inconsistent buffers could make the arrays panic; that becomes an error.
func (s *copyStream) encode(rec arrow.Record) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batch %q is corrupt: %v", s.r.Key(), p)
		}
	}()
	cols := rec.Columns()
	for i, m := range s.makers {
		s.encoders[i] = m(cols[i])
	}
	for row := range int(rec.NumRows()) {
		s.buf = binary.BigEndian.AppendUint16(s.buf, uint16(len(cols)))
		for i, enc := range s.encoders {
			if cols[i].IsNull(row) {
				s.buf = binary.BigEndian.AppendUint32(s.buf, math.MaxUint32) // -1: NULL
				continue
			}
			s.buf = enc(s.buf, row)
		}
	}
	return nil
}
