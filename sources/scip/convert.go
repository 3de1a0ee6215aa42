package scip

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"strings"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// converter is the state of one conversion.
type converter struct {
	opts  lsif.Opts
	sink  lsif.Sink
	stats lsif.Stats

	occs   chunks[occRec]
	hovers map[uint32]int32 // occurrence -> its own hover (override_documentation)
	// texts are the documented global symbols' texts for DocEntry.
	texts   docTexts
	syms    []symRec          // 0 is no symbol
	names   nameTable         // global symbols' names; 0 is a local symbol's
	nameSym []uint32          // the symbol of name i+1
	locals  map[string]uint32 // the current document's
	rels    []relRec
	docs    []docRec // 0 is the external symbols' scope
	diags   map[uint32][]lsif.Diagnostic
	hoverN  int32
	curDoc  uint32

	pendingErr error // a Sink.Hover error, returned after the message

	rng      []int32
	occDiags []lsif.Diagnostic
}

// occRec is one occurrence: 20 bytes. Occurrences are kept in document
// order: a document's are occs[first:end].
type occRec struct {
	startLine, startChar, endChar int32
	sym                           uint32
	lines                         uint16 // end line - start line
	def                           bool
}

func (o *occRec) rng() lsif.Range {
	return lsif.Range{StartLine: o.startLine, StartCharacter: o.startChar, EndLine: o.startLine + int32(o.lines), EndCharacter: o.endChar}
}

// symRec is one symbol: 20 bytes. A global one has its name in names, a
// document-local one (name 0) is one per document.
type symRec struct {
	name  uint32
	hover int32
	defID int32 // delivered result ids, once grouped
	refID int32
	flags uint8
}

const (
	symDefined  uint8 = 1 << iota // a definition occurrence names it
	symDeclared                   // a document's symbols describe it
	symLocal
	symDocKept // its documentation is in texts
)

// relRec is one relationship: from says it is a reference, an
// implementation, a type definition or a definition of to.
type relRec struct {
	from, to uint32
	kind     uint8
}

const (
	relReference uint8 = 1 << iota
	relImplementation
	relTypeDefinition
	relDefinition
)

// docRec is one Document message.
type docRec struct {
	rel   string // relative_path
	lang  string
	path  string // repository-relative, once resolved
	canon uint32 // the first document with the same path
	keep  bool
	// first and end delimit the document's occurrences.
	first, end uint32
}

// Convert reads a SCIP index from r (plain or gzipped) and delivers its
// code intelligence to sink, in the order and with the guarantees the
// lsif.Sink contract states. Opts.Root is the directory the indexer ran in:
// each document's relative_path is taken relative to it; Opts.Exists prunes
// documents not in git; Opts.ProjectRoot and MaxLineSize do not apply. It
// returns what it saw; on error, an error that wraps lsif.ErrMalformed when
// the index is at fault.
//
// # Mapping
//
// Every occurrence with a symbol becomes a range. A symbol's definition
// result holds the occurrences whose roles include Definition, plus the
// definitions of the symbols its SymbolInformation says it is a definition
// of (is_definition); its reference result holds every occurrence of the
// symbol, definitions included, plus every occurrence of the symbols it is
// related to by is_reference in either direction (one hop: the links as
// the reference converter emits them, not their transitive closure). The
// hover is the SymbolInformation's documentation (the signature document
// first, when set and not already there), parts joined by a horizontal
// rule; an occurrence's override_documentation replaces it for that
// occurrence. Symbols named "local N" are scoped to their document.
// Global symbols become monikers: the scheme is the symbol's scheme, the
// identifier the whole symbol, the package its manager, name and version
// (when all three are set), of kind export when the index defines or
// declares the symbol and import otherwise; exported packages become
// Package rows, imported ones PackageRef rows. Occurrence diagnostics
// become the document's diagnostics at the occurrence's range.
// Implementation and type-definition relationships are read but not
// delivered: the Sink has no implementation or type-definition results.
// Each documented global symbol the index defines (not a parameter or a
// file) gets a DocEntry at its first definition: the signature is the
// first line of the first documentation part when that is a code block
// (scip-typescript's), the detail the other parts.
//
// # Memory
//
// Only one top-level message (a document, or an external symbol) is held
// as bytes at a time. Until the end of the stream Convert keeps 32 bytes
// per occurrence, a record per symbol plus each global symbol's name once,
// 12 bytes per relationship, each document's paths and diagnostics, and
// 24 bytes per documented global symbol (their signatures and details, for
// DocEntry, go to a temporary file in Opts.TempDir); hover texts go to the
// Sink as they are read. Grouping adds two 4-byte
// indexes per occurrence and the largest single result.
func Convert(ctx context.Context, r io.Reader, opts lsif.Opts, sink lsif.Sink) (lsif.Stats, error) {
	root, err := lsif.CleanRoot(opts.Root)
	if err != nil {
		return lsif.Stats{}, err
	}
	opts.Root = root
	in, err := lsif.NewReader(r)
	if err != nil {
		return lsif.Stats{}, err
	}
	defer in.Close()
	c := &converter{
		opts:   opts,
		sink:   sink,
		syms:   make([]symRec, 1, 1024),
		hovers: make(map[uint32]int32),
		locals: make(map[string]uint32),
		docs:   make([]docRec, 1, 64),
		diags:  make(map[uint32][]lsif.Diagnostic),
	}
	c.texts.dir = opts.TempDir
	defer c.texts.close()
	c.stats.LSIFVersion = "scip"
	if err := c.read(ctx, in); err != nil {
		return c.stats, err
	}
	c.stats.StateBytes = c.stateBytes()
	if err := c.finish(ctx); err != nil {
		return c.stats, err
	}
	return c.stats, nil
}

// read decodes the Index message field by field.
func (c *converter) read(ctx context.Context, in io.Reader) error {
	s := &stream{br: bufio.NewReaderSize(in, 256<<10), maxMsg: DefaultMaxMessageSize}
	defer func() { c.stats.Bytes = s.off }()
	for n := 0; ; n++ {
		num, b, err := s.next()
		if errors.Is(err, io.EOF) {
			if n == 0 {
				return malformed("the index is empty: check that the indexer wrote it")
			}
			return nil
		}
		if err != nil {
			return err
		}
		switch num {
		case indexMetadata:
			err = c.metadata(b)
		case indexDocuments:
			err = c.document(b)
		case indexExternalSymbols:
			c.curDoc = 0
			err = c.symbolInformation(0, b)
		}
		if err = cmp.Or(err, c.pendingErr); err != nil {
			return err
		}
		if n&255 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
}

// newDocument starts a document record and makes it the scope of local
// symbols.
func (c *converter) newDocument() uint32 {
	n := uint32(c.occs.len())
	c.docs = append(c.docs, docRec{first: n, end: n})
	c.curDoc = uint32(len(c.docs) - 1)
	return c.curDoc
}

// symbol returns the id of a symbol named in the current document.
func (c *converter) symbol(name []byte) uint32 { return c.symbolIn(c.curDoc, name) }

// symbolIn returns the id of a symbol: global symbols are shared by every
// document, local ones belong to document doc.
func (c *converter) symbolIn(doc uint32, name []byte) uint32 {
	if bytes.HasPrefix(name, []byte("local ")) {
		if id, ok := c.locals[string(name)]; ok && doc != 0 {
			return id
		}
		id := c.newSymbol(symRec{flags: symLocal})
		if doc != 0 {
			c.locals[string(name)] = id
		}
		return id
	}
	n, added := c.names.intern(name)
	if !added {
		return c.nameSym[n-1]
	}
	id := c.newSymbol(symRec{name: n})
	c.nameSym = append(c.nameSym, id)
	return id
}

func (c *converter) newSymbol(s symRec) uint32 {
	c.syms = append(c.syms, s)
	return uint32(len(c.syms) - 1)
}

// hover delivers a hover text and returns its id.
func (c *converter) hover(parts []string) int32 {
	c.hoverN++
	c.stats.Hovers++
	c.pendingErr = errors.Join(c.pendingErr, c.sink.Hover(lsif.Hover{ID: c.hoverN, Text: strings.Join(parts, "\n\n---\n\n")}))
	return c.hoverN
}

func (c *converter) stateBytes() int64 {
	n := int64(c.occs.len())*20 + int64(len(c.syms))*20 + int64(len(c.rels))*12 + int64(len(c.docs))*88 + int64(len(c.hovers))*16
	n += c.names.size() + int64(cap(c.nameSym))*4
	return n + c.texts.bytes()
}

// chunks is an append-only table in fixed-size chunks: growing it never
// copies what it holds.
type chunks[T any] struct {
	c [][]T
	n int
}

const chunkLen = 1 << 14

func (t *chunks[T]) add(v T) {
	if t.n%chunkLen == 0 {
		t.c = append(t.c, make([]T, 0, chunkLen))
	}
	last := &t.c[len(t.c)-1]
	*last = append(*last, v)
	t.n++
}

func (t *chunks[T]) at(i int) *T { return &t.c[i/chunkLen][i%chunkLen] }

func (t *chunks[T]) len() int { return t.n }
