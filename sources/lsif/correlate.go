package lsif

import (
	"errors"
	"fmt"
)

// The records kept per vertex until the end of the stream. Every reference
// between them is a 1-based index into a table (0: none); nothing holds a
// pointer or a string except documents, monikers' interned keys and package
// information.

// node is the data a range or resultSet carries directly.
type node struct {
	next    uint32 // resultSet
	def     uint32 // result
	ref     uint32 // result
	hover   uint32 // hover ID
	moniker uint32 // the first moniker; any others are in converter.extraMonikers
}

type rangeRec struct {
	Range
	doc uint32
	node
}

type resultRec struct {
	head  uint32 // the last item added
	links uint32 // reference results: the last link added (c.links)
	kind  ResultKind
}

// resultLink says that a reference result includes another's locations
// (an item edge with property referenceResults). Links are directed: the
// result linked to does not gain the linking result's locations.
type resultLink struct {
	to   uint32
	next uint32 // the link added before this one from the same result
}

type item struct {
	rng  uint32
	next uint32 // the item added before this one to the same result
}

type monikerKind uint8

const (
	mLocal monikerKind = iota
	mImport
	mExport
)

type monikerRec struct {
	key     uint32 // interned (scheme, identifier); 0 for local monikers
	pkg     uint32 // packageInformation
	parent  uint32 // union-find parent along nextMoniker/attach (0: a root)
	sibling uint32 // next member of the root's set
	kind    monikerKind
}

type docRec struct {
	uri   string
	diags []uint32
	path  string // repository-relative, once resolved
	lang  string // languageId
	keep  bool
}

// LineError is a malformed line of the dump.
type LineError struct {
	Line int64
	Err  error
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap makes a LineError match both ErrMalformed and its cause.
func (e *LineError) Unwrap() []error { return []error{ErrMalformed, e.Err} }

// sinkError carries a Sink's error through the line handlers, which would
// otherwise blame the dump.
type sinkError struct{ err error }

func (e *sinkError) Error() string { return e.err.Error() }

// line handles one non-blank line.
func (c *converter) line(b []byte) error {
	el := &c.el
	if err := el.parse(b); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	typ, _ := el.str(fType)
	label, ok := el.str(fLabel)
	if !ok {
		return errors.New(`element has no "label"`)
	}
	switch string(typ) {
	case "vertex":
		c.stats.Vertices++
		return c.vertex(label)
	case "edge":
		c.stats.Edges++
		return c.edge(label)
	}
	return fmt.Errorf(`element "type" is %s, want "vertex" or "edge"`, truncate(el.vals[fType]))
}

func (c *converter) vertex(label []byte) error {
	if string(label) == "$event" {
		return nil // lsif-tsc's begin/end markers: nothing refers to them
	}
	id, err := parseID(c.el.vals[fID], &c.el.buf)
	if err != nil {
		return fmt.Errorf("%s vertex: id %v", label, err)
	}
	k, idx, err := c.addVertex(label)
	if err != nil {
		return err
	}
	return c.ids.put(id, k, idx)
}

func (c *converter) addVertex(label []byte) (vkind, uint32, error) {
	el := &c.el
	switch string(label) {
	case "metaData":
		c.stats.LSIFVersion = el.string(fVersion)
		c.metaRoot = el.string(fProjectRoot)
		c.toolInfo(el.vals[fToolInfo])
	case "group":
		c.groupRoot = el.string(fRootURI)
	case "document":
		return c.addDocument()
	case "range":
		return c.addRange()
	case "resultSet":
		c.stats.ResultSets++
		return kResultSet, c.sets.add(node{}), nil
	case "definitionResult":
		c.stats.DefinitionResults++
		return kDefResult, c.results.add(resultRec{kind: Definitions}), nil
	case "referenceResult":
		c.stats.ReferenceResults++
		return kRefResult, c.results.add(resultRec{kind: References}), nil
	case "hoverResult":
		return c.addHover()
	case "moniker":
		return c.addMoniker()
	case "packageInformation":
		c.pkgs = append(c.pkgs, PackageInfo{
			Name:    el.string(fName),
			Manager: el.string(fManager),
			Version: el.string(fVersion),
		})
		return kPackage, uint32(len(c.pkgs)), nil
	case "diagnosticResult":
		diags, err := parseDiagnostics(el.vals[fResult], &el.buf)
		if err != nil {
			return 0, 0, fmt.Errorf("diagnosticResult: %w", err)
		}
		c.stats.Diagnostics += len(diags)
		c.diags = append(c.diags, diags)
		return kDiagnostics, uint32(len(c.diags)), nil
	case "sourcegraph:documentationResult":
		return c.addDocResult()
	case "sourcegraph:documentationString":
		return c.addDocString()
	}
	return kOther, 0, nil
}

func (c *converter) toolInfo(raw []byte) {
	it, ok := newObjIter(raw)
	for ok {
		k, v, more := it.next()
		if !more {
			break
		}
		if len(v) == 0 || v[0] != '"' {
			continue
		}
		switch {
		case keyIs(k, "name"):
			c.stats.ToolName = validString(unquote(v, &c.el.buf))
		case keyIs(k, "version"):
			c.stats.ToolVersion = validString(unquote(v, &c.el.buf))
		}
	}
}

// addDocument merges a document whose URI was seen before into the first
// one: lsif-tsc may emit a file twice.
func (c *converter) addDocument() (vkind, uint32, error) {
	uri, ok := c.el.str(fURI)
	if !ok || len(uri) == 0 {
		return 0, 0, errors.New(`document vertex has no "uri"`)
	}
	if idx, ok := c.docsByURI[string(uri)]; ok {
		c.stats.DuplicateDocuments++
		return kDocument, idx, nil
	}
	c.docs = append(c.docs, docRec{uri: string(uri), lang: c.language()})
	idx := uint32(len(c.docs))
	c.docsByURI[c.docs[idx-1].uri] = idx
	c.stats.Documents++
	return kDocument, idx, nil
}

func (c *converter) addRange() (vkind, uint32, error) {
	var r rangeRec
	var err error
	if r.StartLine, r.StartCharacter, err = parsePosition(c.el.vals[fStart]); err != nil {
		return 0, 0, fmt.Errorf("range start: %w", err)
	}
	if r.EndLine, r.EndCharacter, err = parsePosition(c.el.vals[fEnd]); err != nil {
		return 0, 0, fmt.Errorf("range end: %w", err)
	}
	c.stats.Ranges++
	idx := c.ranges.add(r)
	if raw := c.el.vals[fTag]; len(raw) > 0 {
		c.addDefTag(raw, idx)
	}
	return kRange, idx, nil
}

func (c *converter) addHover() (vkind, uint32, error) {
	text, err := hoverText(c.el.vals[fResult], &c.el.buf)
	if err != nil {
		return 0, 0, fmt.Errorf("hoverResult: %w", err)
	}
	c.stats.Hovers++
	id := int32(c.stats.Hovers)
	if err := c.sink.Hover(Hover{ID: id, Text: text}); err != nil {
		return 0, 0, &sinkError{fmt.Errorf("hover %d: %w", id, err)}
	}
	c.rememberHover(uint32(id), text)
	return kHover, uint32(id), nil
}

func (c *converter) addMoniker() (vkind, uint32, error) {
	el := &c.el
	var m monikerRec
	kind, _ := el.str(fKind)
	switch string(kind) {
	case "import":
		m.kind = mImport
	case "export":
		m.kind = mExport
	}
	// A moniker unique only within its document names nothing outside it,
	// however the indexer labels its kind.
	if unique, _ := el.str(fUnique); string(unique) == "document" {
		m.kind = mLocal
	}
	// Local monikers (and kinds this converter does not know) link
	// nothing: their identifiers are never output, and no nextMoniker or
	// attach edge joins them to another moniker.
	if m.kind != mLocal {
		scheme, _ := el.str(fScheme)
		ident, _ := el.str(fIdentifier)
		m.key = c.keys.intern(scheme, ident)
	}
	c.stats.Monikers++
	return kMoniker, c.monikers.add(m), nil
}
