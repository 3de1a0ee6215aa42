package codeintel

import (
	"context"
	"errors"
	"slices"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// BatchSink is an lsif.Sink that writes what Convert delivers as Arrow
// batches of the Kinds (and the API docs entries as a batch of
// apidocs.EntryKind) into a batch run, one batch per kind, every row
// keyed by the upload's id. Rows stream to the bucket as they come: the
// sink holds at most one record per kind, besides the result chunk and
// the moniker it is packing (a chunk's results and a moniker's kinds come
// one after the other). Close stores the batches (then commit the run and
// load it); Abort discards them.
type BatchSink struct {
	uploadID int64
	writers  []*batch.Writer // in SinkKinds order
	// monBuf and mon hold a range's moniker strings while its row is
	// built, reused from row to row: no garbage per range.
	monBuf []byte
	mon    [][]byte
	docs   int32 // the DocEntry calls so far: the next entry's ordinal
	// doc packs a document's ranges; chunk packs the results of the
	// chunk chunkID (chunkLocs locations so far) until a result of
	// another chunk comes or Close.
	doc       packed.DocumentWriter
	chunk     packed.ChunkWriter
	chunkID   int32
	chunkLocs int32
	moniker   pendingMoniker
}

// SinkKinds are the kinds BatchSink writes: Kinds, then the API docs
// entries' (which sinks/apidocs declares and loads).
func SinkKinds() []batch.Kind { return append(slices.Clone(Kinds), apidocs.Kinds...) }

var _ lsif.Sink = (*BatchSink)(nil)

// recordRows is the number of rows per Arrow record. The builders of every
// kind fill at once while the converter holds its state, so records are
// kept smaller than batch.DefaultMaxRows: a few megabytes each.
const recordRows = 16 << 10

// NewBatchSink creates the batches of upload uploadID in run.
func NewBatchSink(ctx context.Context, run *batch.Run, uploadID int64) (*BatchSink, error) {
	s := &BatchSink{uploadID: uploadID}
	for _, k := range SinkKinds() {
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
	if err := errors.Join(s.endChunk(), s.endMoniker()); err != nil {
		s.Abort(err)
		return err
	}
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

// start begins a row of kind k with the upload id.
func (s *BatchSink) start(k batch.Kind) *batch.Builder {
	b := s.builder(k)
	uploadID.Append(b, s.uploadID)
	return b
}

// pos returns r as packed takes it.
func pos(r lsif.Range) [4]int32 {
	return [4]int32{r.StartLine, r.StartCharacter, r.EndLine, r.EndCharacter}
}

func (p position) append(b *batch.Builder, r lsif.Range) {
	p.startLine.Append(b, r.StartLine)
	p.startCharacter.Append(b, r.StartCharacter)
	p.endLine.Append(b, r.EndLine)
	p.endCharacter.Append(b, r.EndCharacter)
}

// Hover implements lsif.Sink.
func (s *BatchSink) Hover(h lsif.Hover) error {
	b := s.start(HoverKind)
	hoverID.Append(b, h.ID)
	hoverText.Append(b, h.Text)
	return b.EndRow()
}

// Result implements lsif.Sink. Results come in id order, so the results
// of a chunk come one after the other: a chunk's row is written when a
// result of the next chunk comes. (Were a chunk's results to come in two
// runs, each run would be a row of its own, and readers read both.)
func (s *BatchSink) Result(r lsif.Result) error {
	if c := packed.Chunk(r.ID); s.chunk.Results() == 0 || c != s.chunkID {
		if err := s.endChunk(); err != nil {
			return err
		}
		s.chunkID = c
	}
	s.chunk.AddResult(r.ID, byte(r.Kind), len(r.Locations))
	for _, loc := range r.Locations {
		s.chunk.AddLocation(loc.Path, pos(loc.Range))
	}
	s.chunkLocs += int32(len(r.Locations))
	return nil
}

// endChunk writes the row of the chunk being packed, if any, and starts
// the next.
func (s *BatchSink) endChunk() error {
	if s.chunk.Results() == 0 {
		return nil
	}
	b := s.start(ResultChunkKind)
	chunkID.Append(b, s.chunkID)
	chunkResults.Append(b, int32(s.chunk.Results()))
	chunkLocations.Append(b, s.chunkLocs)
	chunkData.Append(b, s.chunk.Bytes())
	s.chunk.Reset()
	s.chunkLocs = 0
	return b.EndRow()
}

// Document implements lsif.Sink: a document with ranges is a row of
// DocumentKind (one without has none: code navigation tells "no data in
// this file" from "no symbol here" by the row), its diagnostics rows of
// DiagnosticKind.
func (s *BatchSink) Document(d lsif.Document) error {
	if err := s.diagnostics(d); err != nil {
		return err
	}
	if len(d.Ranges) == 0 {
		return nil
	}
	s.doc.Reset()
	for _, r := range d.Ranges {
		s.doc.AddRange(pos(r.Range), r.DefinitionResultID, r.ReferenceResultID, r.HoverID, s.monikerStrings(r.Monikers))
	}
	b := s.start(DocumentKind)
	documentPath.Append(b, d.Path)
	documentRanges.Append(b, int32(len(d.Ranges)))
	documentData.Append(b, s.doc.Bytes())
	return b.EndRow()
}

func (s *BatchSink) diagnostics(d lsif.Document) error {
	for _, g := range d.Diagnostics {
		b := s.start(DiagnosticKind)
		diagnosticPath.Append(b, d.Path)
		diagnosticSeverity.Append(b, g.Severity)
		diagnosticCode.Append(b, g.Code)
		diagnosticMessage.Append(b, g.Message)
		diagnosticSource.Append(b, g.Source)
		diagnosticPos.append(b, g.Range)
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

// MonikerString is how a packed document spells a moniker:
// "kind:scheme:identifier".
func MonikerString(m lsif.Moniker) string {
	return string(appendMoniker(nil, m))
}

func appendMoniker(buf []byte, m lsif.Moniker) []byte {
	buf = append(buf, m.Kind...)
	buf = append(buf, ':')
	buf = append(buf, m.Scheme...)
	buf = append(buf, ':')
	return append(buf, m.Identifier...)
}

// monikerStrings spells ms as MonikerString does, in s's reused buffers:
// the result is valid until the next call.
func (s *BatchSink) monikerStrings(ms []lsif.Moniker) [][]byte {
	s.monBuf, s.mon = s.monBuf[:0], s.mon[:0]
	for _, m := range ms {
		s.monBuf = appendMoniker(s.monBuf, m)
	}
	off := 0
	for _, m := range ms {
		n := len(m.Kind) + len(m.Scheme) + len(m.Identifier) + 2
		s.mon = append(s.mon, s.monBuf[off:off+n:off+n])
		off += n
	}
	return s.mon
}

// MonikerResults implements lsif.Sink. Both converters deliver a
// moniker's kinds one after the other, so its definition and reference
// results are held until another moniker comes (or Close) and written
// side by side: a row per moniker, not per kind. (Kinds of one moniker
// delivered apart would be rows of their own, which readers read too.)
func (s *BatchSink) MonikerResults(m lsif.MonikerResults) error {
	p := &s.moniker
	if p.scheme != m.Scheme || p.identifier != m.Identifier {
		if err := s.endMoniker(); err != nil {
			return err
		}
		p.scheme, p.identifier = m.Scheme, m.Identifier
	}
	if m.Kind == lsif.References {
		p.references = append(p.references, m.ResultIDs...)
	} else {
		p.definitions = append(p.definitions, m.ResultIDs...)
	}
	return nil
}

// pendingMoniker is the moniker whose results MonikerResults holds.
type pendingMoniker struct {
	scheme, identifier      string
	definitions, references []int32
}

// endMoniker writes the rows of the moniker MonikerResults holds, if any:
// the i-th row pairs its i-th definition and reference results.
func (s *BatchSink) endMoniker() error {
	p := &s.moniker
	for i := range max(len(p.definitions), len(p.references)) {
		b := s.start(MonikerResultKind)
		monikerScheme.Append(b, p.scheme)
		monikerIdentifier.Append(b, p.identifier)
		monikerDefinition.Append(b, at(p.definitions, i))
		monikerReference.Append(b, at(p.references, i))
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	p.definitions, p.references = p.definitions[:0], p.references[:0]
	return nil
}

// at returns ids[i], or 0 past its end.
func at(ids []int32, i int) int32 {
	if i < len(ids) {
		return ids[i]
	}
	return 0
}

func (s *BatchSink) appendPackage(k batch.Kind, p lsif.Package) *batch.Builder {
	b := s.start(k)
	pkgScheme.Append(b, p.Scheme)
	pkgManager.Append(b, p.Manager)
	pkgName.Append(b, p.Name)
	pkgVersion.Append(b, p.Version)
	return b
}

// Package implements lsif.Sink.
func (s *BatchSink) Package(p lsif.Package) error {
	return s.appendPackage(PackageKind, p).EndRow()
}

// PackageRef implements lsif.Sink.
func (s *BatchSink) PackageRef(p lsif.PackageRef) error {
	b := s.appendPackage(PackageRefKind, p.Package)
	pkgRefIdentifiers.Append(b, p.Identifiers)
	return b.EndRow()
}

// DocEntry implements lsif.Sink: entries are numbered in the order they
// come.
func (s *BatchSink) DocEntry(e lsif.DocEntry) error {
	s.docs++
	return apidocs.AppendEntry(s.builder(apidocs.EntryKind), s.uploadID, s.docs, e)
}
