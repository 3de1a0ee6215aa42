package loader

import (
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/sightline-dev/sightline/pipeline/batch"
)

// rowSource is a pgx.CopyFromSource over a batch: it hands COPY one row at a
// time, reading the next record from the bucket only when the current one
// is used up, so a batch is never in memory whole.
type rowSource struct {
	r       *batch.Reader
	binders []binder
	cols    []column // of the current record
	row     int      // index in the current record
	n       int      // rows in the current record
	values  []any    // reused: pgx encodes a row before asking for the next
}

func newRowSource(r *batch.Reader, columns []string) (*rowSource, error) {
	fields := r.Kind().Schema().Fields()
	s := &rowSource{r: r, row: -1, values: make([]any, len(fields)), cols: make([]column, len(fields))}
	for i, f := range fields {
		b, err := binderFor(f.Type)
		if err != nil {
			return nil, columnError(columns[i], f, err)
		}
		s.binders = append(s.binders, b)
	}
	return s, nil
}

// Next advances to the next row, reading a record when needed.
func (s *rowSource) Next() bool {
	for s.row+1 >= s.n {
		if !s.r.Next() {
			return false
		}
		s.bind(s.r.Record())
	}
	s.row++
	return true
}

func (s *rowSource) bind(rec arrow.Record) {
	for i, b := range s.binders {
		s.cols[i] = bindNullable(rec.Column(i), b)
	}
	s.row, s.n = -1, int(rec.NumRows())
}

// Values returns the current row. A batch that decoded but holds
// inconsistent buffers could make the arrays panic; the panic would kill
// the process from pgx's COPY goroutine, so it becomes an error here.
func (s *rowSource) Values() (_ []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("batch %q is corrupt: row %d of a record: %v", s.r.Key(), s.row, p)
		}
	}()
	for i, col := range s.cols {
		s.values[i] = col(s.row)
	}
	return s.values, nil
}

// Err returns the error that ended reading the batch, if any.
func (s *rowSource) Err() error { return s.r.Err() }
