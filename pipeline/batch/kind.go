package batch

import (
	"fmt"
	"strconv"

	"github.com/apache/arrow/go/v15/arrow"
)

// Kind is a named, versioned batch schema, e.g. "repo-sync" version 1. Bump
// the version whenever the fields change: readers only accept the versions
// they were built with. The zero Kind is not valid; use NewKind.
type Kind struct {
	name    string
	version int
	schema  *arrow.Schema
}

// TimestampUTC is the Arrow type of the kinds' times: seconds, in UTC.
var TimestampUTC = &arrow.TimestampType{Unit: arrow.Second, TimeZone: "UTC"}

// maxColumns is the most columns a kind may have: Builder keeps a bit per
// column.
const maxColumns = 64

// NewKind returns the kind name at version with the given columns, in
// order, and binds each column to its position. The schema's metadata
// carries the name and version (MetaKind, MetaVersion). It panics on a
// malformed name, a version below 1, more than 64 columns or a column
// bound elsewhere at another position: kinds are declared in code, so
// those are programming errors.
func NewKind(name string, version int, cols ...Column) Kind {
	if err := ValidateName("kind", name); err != nil {
		panic("batch: " + err.Error())
	}
	if version < 1 {
		panic(fmt.Sprintf("batch: kind %q: version %d is below 1", name, version))
	}
	if len(cols) > maxColumns {
		panic(fmt.Sprintf("batch: kind %q has %d columns, more than %d", name, len(cols), maxColumns))
	}
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		c.bind(name, i)
		fields[i] = c.Field()
	}
	md := arrow.NewMetadata(
		[]string{MetaKind, MetaVersion},
		[]string{name, strconv.Itoa(version)},
	)
	return Kind{name: name, version: version, schema: arrow.NewSchema(fields, &md)}
}

// Field is a Column of any Arrow type that declares a field and nothing
// more: its values are written as whole records (Writer.Write), not row by
// row. Tests of the loader's type conversions use it.
type Field arrow.Field

// Field implements Column.
func (f Field) Field() arrow.Field { return arrow.Field(f) }

func (Field) bind(string, int) {}

// Name returns the kind's name.
func (k Kind) Name() string { return k.name }

// Version returns the kind's schema version.
func (k Kind) Version() int { return k.version }

// Schema returns the kind's Arrow schema, metadata included.
func (k Kind) Schema() *arrow.Schema { return k.schema }

// String returns "name v<version>".
func (k Kind) String() string { return fmt.Sprintf("%s v%d", k.name, k.version) }

// checkFields reports the first difference between the fields of s and the
// kind's: name, type or nullability. Schema metadata is not compared.
func (k Kind) checkFields(s *arrow.Schema) error {
	want := k.schema.Fields()
	got := s.Fields()
	if len(got) != len(want) {
		return fmt.Errorf("schema has %d fields, kind %s has %d", len(got), k, len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Name != w.Name || g.Nullable != w.Nullable || !arrow.TypeEqual(g.Type, w.Type) {
			return fmt.Errorf("field %d is %s, kind %s wants %s", i, describe(g), k, describe(w))
		}
	}
	return nil
}

func describe(f arrow.Field) string {
	s := fmt.Sprintf("%q %s", f.Name, f.Type)
	if !f.Nullable {
		s += " not null"
	}
	return s
}
