package codeintel

import (
	"context"
	"errors"

	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// BatchSink is an lsif.Sink that writes what Convert delivers as Arrow
// batches of the Kinds into a batch run, one batch per kind, every row
// keyed by the upload's id. Rows stream to the bucket as they come: the
// sink holds at most one record per kind. Close stores the batches (then
// commit the run and load it); Abort discards them.
type BatchSink struct {
	uploadID int64
	writers  []*batch.Writer // in Kinds order
	mon      []string
}

var _ lsif.Sink = (*BatchSink)(nil)

// recordRows is the number of rows per Arrow record. The builders of every
// kind fill at once while the converter holds its state, so records are
// kept smaller than batch.DefaultMaxRows: a few megabytes each.
const recordRows = 16 << 10

// NewBatchSink creates the batches of upload uploadID in run.
func NewBatchSink(ctx context.Context, run *batch.Run, uploadID int64) (*BatchSink, error) {
	s := &BatchSink{uploadID: uploadID}
	for _, k := range Kinds {
		w, err := run.Create(ctx, k.Name(), k)
		if err != nil {
			s.Abort(err)
			return nil, err
		}
		w.Builder().MaxRows = recordRows
		s.writers = append(s.writers, w)
	}
	return s, nil
}

func (s *BatchSink) builder(k batch.Kind) *batch.Builder {
	for _, w := range s.writers {
		if w.Kind().Name() == k.Name() {
			return w.Builder()
		}
	}
	panic("codeintel: no writer for kind " + k.String())
}

// Close stores every batch; on error the others are aborted.
func (s *BatchSink) Close() error {
	var errs []error
	for _, w := range s.writers {
		if len(errs) > 0 {
			w.Abort(errors.Join(errs...))
			continue
		}
		if _, err := w.Close(); err != nil {
			errs = append(errs, err) // it names the batch
		}
	}
	return errors.Join(errs...)
}

// Abort discards every batch not stored yet.
func (s *BatchSink) Abort(cause error) {
	for _, w := range s.writers {
		w.Abort(cause)
	}
}

func appendString(b array.Builder, v string) { b.(*array.StringBuilder).Append(v) }
func appendInt32(b array.Builder, v int32)   { b.(*array.Int32Builder).Append(v) }

func appendStrings(b array.Builder, vs []string) {
	lb := b.(*array.ListBuilder)
	lb.Append(true)
	vb := lb.ValueBuilder().(*array.StringBuilder)
	for _, v := range vs {
		vb.Append(v)
	}
}

// start begins a row of kind k with the upload id.
func (s *BatchSink) start(k batch.Kind) *batch.Builder {
	b := s.builder(k)
	b.Field(0).(*array.Int64Builder).Append(s.uploadID)
	return b
}

func appendRange(b *batch.Builder, first int, r lsif.Range) {
	appendInt32(b.Field(first), r.StartLine)
	appendInt32(b.Field(first+1), r.StartCharacter)
	appendInt32(b.Field(first+2), r.EndLine)
	appendInt32(b.Field(first+3), r.EndCharacter)
}

// Hover implements lsif.Sink.
func (s *BatchSink) Hover(h lsif.Hover) error {
	b := s.start(HoverKind)
	appendInt32(b.Field(1), h.ID)
	appendString(b.Field(2), h.Text)
	return b.EndRow()
}

// Result implements lsif.Sink.
func (s *BatchSink) Result(r lsif.Result) error {
	for _, loc := range r.Locations {
		b := s.start(ResultLocationKind)
		appendInt32(b.Field(1), r.ID)
		appendString(b.Field(2), r.Kind.String())
		appendString(b.Field(3), loc.Path)
		appendRange(b, 4, loc.Range)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

// Document implements lsif.Sink.
func (s *BatchSink) Document(d lsif.Document) error {
	if err := s.diagnostics(d); err != nil {
		return err
	}
	for _, r := range d.Ranges {
		b := s.start(RangeKind)
		appendString(b.Field(1), d.Path)
		appendRange(b, 2, r.Range)
		appendInt32(b.Field(6), r.DefinitionResultID)
		appendInt32(b.Field(7), r.ReferenceResultID)
		appendInt32(b.Field(8), r.HoverID)
		s.mon = s.mon[:0]
		for _, m := range r.Monikers {
			s.mon = append(s.mon, MonikerString(m))
		}
		appendStrings(b.Field(9), s.mon)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

func (s *BatchSink) diagnostics(d lsif.Document) error {
	for _, g := range d.Diagnostics {
		b := s.start(DiagnosticKind)
		appendString(b.Field(1), d.Path)
		appendInt32(b.Field(2), g.Severity)
		appendString(b.Field(3), g.Code)
		appendString(b.Field(4), g.Message)
		appendString(b.Field(5), g.Source)
		appendRange(b, 6, g.Range)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

// MonikerString is how lsif_ranges.monikers spells a moniker:
// "kind:scheme:identifier".
func MonikerString(m lsif.Moniker) string {
	return string(m.Kind) + ":" + m.Scheme + ":" + m.Identifier
}

// MonikerLocations implements lsif.Sink.
func (s *BatchSink) MonikerLocations(m lsif.MonikerLocations) error {
	for _, loc := range m.Locations {
		b := s.start(MonikerLocationKind)
		appendString(b.Field(1), m.Kind.String())
		appendString(b.Field(2), m.Scheme)
		appendString(b.Field(3), m.Identifier)
		appendString(b.Field(4), loc.Path)
		appendRange(b, 5, loc.Range)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

func (s *BatchSink) appendPackage(k batch.Kind, p lsif.Package) *batch.Builder {
	b := s.start(k)
	appendString(b.Field(1), p.Scheme)
	appendString(b.Field(2), p.Manager)
	appendString(b.Field(3), p.Name)
	appendString(b.Field(4), p.Version)
	return b
}

// Package implements lsif.Sink.
func (s *BatchSink) Package(p lsif.Package) error {
	return s.appendPackage(PackageKind, p).EndRow()
}

// PackageRef implements lsif.Sink.
func (s *BatchSink) PackageRef(p lsif.PackageRef) error {
	b := s.appendPackage(PackageRefKind, p.Package)
	appendStrings(b.Field(5), p.Identifiers)
	return b.EndRow()
}
