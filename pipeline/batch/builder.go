package batch

import (
	"cmp"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"
)

// DefaultMaxRows is how many rows a Builder puts in one record unless told
// otherwise: large enough for compression and COPY to be efficient, small
// enough that a record's memory stays in the tens of megabytes.
const DefaultMaxRows = 64 << 10

// DefaultMaxBytes is how many bytes of binary values a Builder puts in one
// record unless told otherwise: rows of packed data are large, and a
// record of 64 Ki of them would be gigabytes.
const DefaultMaxBytes = 2 << 20

// Builder appends rows to a Writer column by column and writes a record
// whenever MaxRows rows are pending, or MaxBytes bytes of binary values
// (BytesCol), so job code never handles records.
// Get one with Writer.Builder; the Writer's Close writes the last rows.
//
//	bld := w.Builder()
//	repoID.Append(bld, id)   // repoID, name: the kind's columns
//	name.Append(bld, n)
//	if err := bld.EndRow(); err != nil { ... }
type Builder struct {
	// MaxRows is the number of rows per record; 0 means DefaultMaxRows.
	MaxRows int
	// MaxBytes bounds the bytes of binary values (BytesCol) per record:
	// a row that brings them to MaxBytes or more ends the record. 0 means
	// DefaultMaxBytes.
	MaxBytes int

	w       *Writer
	bytes   int // of binary values pending
	rb      *array.RecordBuilder
	pending int
	// marked has a bit per column, flipped by each append: after one
	// value in every column, all of them are set. A missing or doubled
	// value leaves its bit clear, which EndRow sees in one comparison; a
	// column given three times is caught when the record is written.
	marked uint64
	all    uint64
}

// Builder returns the writer's row builder, creating it on first use.
func (w *Writer) Builder() *Builder {
	if w.builder == nil {
		n := len(w.kind.schema.Fields())
		w.builder = &Builder{w: w, rb: array.NewRecordBuilder(builderAllocator, w.kind.schema), all: 1<<n - 1}
	}
	return w.builder
}

// column returns the builder of c and flips its bit.
func (b *Builder) column(c *col) array.Builder {
	b.marked ^= c.bit
	return b.rb.Field(c.index)
}

// EndRow marks the end of a row, after one value was appended to every
// column, and writes a record if MaxRows rows are pending. A row with a
// column missing or given twice is an error naming the column.
func (b *Builder) EndRow() error {
	if b.marked != b.all {
		if i, n := b.uneven(b.pending + 1); i >= 0 {
			return fmt.Errorf("batch %q: row %d has %d values in column %q, want 1",
				b.w.key, b.pending, n-b.pending, b.w.kind.schema.Field(i).Name)
		}
	}
	b.marked = 0
	b.pending++
	if b.pending < cmp.Or(b.MaxRows, DefaultMaxRows) && b.bytes < cmp.Or(b.MaxBytes, DefaultMaxBytes) {
		return nil
	}
	return b.Flush()
}

// uneven returns the first column that does not hold rows values, and how
// many it holds; -1 if every column does.
func (b *Builder) uneven(rows int) (int, int) {
	for i, f := range b.rb.Fields() {
		if f.Len() != rows {
			return i, f.Len()
		}
	}
	return -1, 0
}

// Flush writes the pending rows as one record, if there are any.
func (b *Builder) Flush() error {
	if b.pending == 0 {
		return nil
	}
	if b.w.done {
		return fmt.Errorf("flush batch %q: writer is closed", b.w.key)
	}
	if i, n := b.uneven(b.pending); i >= 0 {
		return fmt.Errorf("flush batch %q: column %q has %d values for %d rows (a row gave it more than one)",
			b.w.key, b.w.kind.schema.Field(i).Name, n, b.pending)
	}
	rec := b.rb.NewRecord()
	defer rec.Release()
	b.pending, b.bytes = 0, 0
	return b.w.write(rec)
}

func (w *Writer) flushBuilder() error {
	if w.builder == nil {
		return nil
	}
	return w.builder.Flush()
}

func (b *Builder) release() { b.rb.Release() }

// recordWithSchema returns rec's columns under schema, which must have the
// same fields. The caller releases the result.
func recordWithSchema(schema *arrow.Schema, rec arrow.Record) arrow.Record {
	return array.NewRecord(schema, rec.Columns(), rec.NumRows())
}
