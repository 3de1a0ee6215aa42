package scip

import (
	"fmt"
	"math"
	"strings"

	"google.golang.org/protobuf/encoding/protowire"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// metadata reads the Index's Metadata message.
func (c *converter) metadata(b []byte) error {
	it := fields{b: b}
	for it.next() {
		switch it.f.num {
		case metadataProjectRoot:
			c.stats.ProjectRoot = string(it.f.bytes)
		case metadataToolInfo:
			tool := fields{b: it.f.bytes}
			for tool.next() {
				switch tool.f.num {
				case toolInfoName:
					c.stats.ToolName = string(tool.f.bytes)
				case toolInfoVersion:
					c.stats.ToolVersion = string(tool.f.bytes)
				}
			}
			if tool.err != nil {
				return malformed("metadata tool_info: %v", tool.err)
			}
		}
	}
	if it.err != nil {
		return malformed("metadata: %v", it.err)
	}
	return nil
}

// document reads one Document: its path and language, then each
// occurrence and symbol as it comes (the fields may come in any order).
func (c *converter) document(b []byte) error {
	doc := c.newDocument()
	clear(c.locals)
	it := fields{b: b}
	for n := 0; it.next(); n++ {
		var err error
		switch it.f.num {
		case documentRelativePath:
			c.docs[doc].rel = string(it.f.bytes)
		case documentLanguage:
			c.docs[doc].lang = string(it.f.bytes)
		case documentOccurrences:
			err = c.occurrence(doc, it.f.bytes)
		case documentSymbols:
			err = c.symbolInformation(doc, it.f.bytes)
		}
		if err != nil {
			return fmt.Errorf("document %d (%q): field %d: %w", len(c.docs)-1, c.docs[doc].rel, n, err)
		}
	}
	if it.err != nil {
		return malformed("document %d (%q): %v", len(c.docs)-1, c.docs[doc].rel, it.err)
	}
	return nil
}

// occurrence records one Occurrence of document doc.
func (c *converter) occurrence(doc uint32, b []byte) error {
	var (
		symbol []byte
		roles  uint64
		docs   []string
	)
	c.rng = c.rng[:0]
	c.occDiags = c.occDiags[:0]
	it := fields{b: b}
	for it.next() {
		var err error
		switch it.f.num {
		case occurrenceRange:
			c.rng, err = it.f.int32s(c.rng)
		case occurrenceSymbol:
			symbol = it.f.bytes
		case occurrenceSymbolRoles:
			roles = it.f.varint
		case occurrenceOverrideDocumentation:
			docs = append(docs, string(it.f.bytes))
		case occurrenceDiagnostics:
			err = c.diagnostic(it.f.bytes)
		}
		if err != nil {
			return malformed("occurrence: %v", err)
		}
	}
	if it.err != nil {
		return malformed("occurrence: %v", it.err)
	}
	r, ok := scipRange(c.rng)
	if !ok {
		return malformed("occurrence of %q: range %v: want [line, start, end] or [start line, start, end line, end], not negative", symbol, c.rng)
	}
	c.diagnostics(doc, r)
	if len(symbol) == 0 {
		return nil // syntax highlighting only
	}
	if r.EndLine-r.StartLine > math.MaxUint16 {
		return malformed("occurrence of %q: range %v spans more than %d lines", symbol, c.rng, math.MaxUint16)
	}
	o := occRec{startLine: r.StartLine, startChar: r.StartCharacter, endChar: r.EndCharacter,
		lines: uint16(r.EndLine - r.StartLine), sym: c.symbol(symbol), def: roles&roleDefinition != 0}
	if len(docs) > 0 {
		c.hovers[uint32(c.occs.len())] = c.hover(docs)
	}
	if o.def {
		c.syms[o.sym].flags |= symDefined
	}
	c.occs.add(o)
	c.docs[doc].end++
	c.stats.Ranges++
	return nil
}

// scipRange reads an occurrence's range: three elements for a range on
// one line, four otherwise.
func scipRange(v []int32) (lsif.Range, bool) {
	var r lsif.Range
	switch len(v) {
	case 3:
		r = lsif.Range{StartLine: v[0], StartCharacter: v[1], EndLine: v[0], EndCharacter: v[2]}
	case 4:
		r = lsif.Range{StartLine: v[0], StartCharacter: v[1], EndLine: v[2], EndCharacter: v[3]}
	default:
		return r, false
	}
	ok := r.StartLine >= 0 && r.StartCharacter >= 0 && r.EndLine >= r.StartLine && r.EndCharacter >= 0
	return r, ok
}

// diagnostic reads one of an occurrence's diagnostics into c.occDiags.
func (c *converter) diagnostic(b []byte) error {
	var d lsif.Diagnostic
	it := fields{b: b}
	for it.next() {
		switch it.f.num {
		case diagnosticSeverity:
			d.Severity = int32(it.f.varint)
		case diagnosticCode:
			d.Code = string(it.f.bytes)
		case diagnosticMessage:
			d.Message = string(it.f.bytes)
		case diagnosticSource:
			d.Source = string(it.f.bytes)
		}
	}
	c.occDiags = append(c.occDiags, d)
	return it.err
}

// diagnostics files the occurrence's diagnostics under its document, at
// the occurrence's range.
func (c *converter) diagnostics(doc uint32, r lsif.Range) {
	for _, d := range c.occDiags {
		d.Range = r
		c.diags[doc] = append(c.diags[doc], d)
		c.stats.Diagnostics++
	}
}

// symbolInformation reads a SymbolInformation, of document doc or (doc 0)
// of the external symbols: its hover text and its relationships.
func (c *converter) symbolInformation(doc uint32, b []byte) error {
	var (
		symbol        []byte
		docs          []string
		sigText, lang string
	)
	start := len(c.rels)
	it := fields{b: b}
	for it.next() {
		var err error
		switch it.f.num {
		case symbolSymbol:
			symbol = it.f.bytes
		case symbolDocumentation:
			docs = append(docs, string(it.f.bytes))
		case symbolRelationships:
			err = c.relationship(it.f.bytes)
		case symbolSignatureDocumentation:
			sigText, lang = signature(it.f.bytes)
		}
		if err != nil {
			return malformed("symbol information: %v", err)
		}
	}
	if it.err != nil {
		return malformed("symbol information: %v", it.err)
	}
	if len(symbol) == 0 {
		c.rels = c.rels[:start]
		return nil
	}
	s := c.symbolIn(doc, symbol)
	for i := start; i < len(c.rels); i++ {
		c.rels[i].from = s
	}
	if doc != 0 {
		c.syms[s].flags |= symDeclared
		if err := c.keepDocText(s, docs); err != nil {
			return err
		}
	}
	if sigText != "" && !strings.Contains(strings.Join(docs, "\n"), sigText) {
		docs = append([]string{"```" + lang + "\n" + sigText + "\n```"}, docs...)
	}
	if c.syms[s].hover == 0 && len(docs) > 0 {
		c.syms[s].hover = c.hover(docs)
	}
	return nil
}

// signature reads SymbolInformation.signature_documentation: a Document
// whose text is the symbol's signature.
func signature(b []byte) (text, lang string) {
	it := fields{b: b}
	for it.next() {
		switch it.f.num {
		case signatureText:
			text = string(it.f.bytes)
		case signatureLanguage:
			lang = strings.ToLower(string(it.f.bytes))
		}
	}
	return text, lang
}

// relationship appends a Relationship to c.rels; its from is set by the
// caller. Symbols are resolved in the scope of the current document.
func (c *converter) relationship(b []byte) error {
	var r relRec
	var symbol []byte
	it := fields{b: b}
	for it.next() {
		if it.f.typ == protowire.VarintType && it.f.varint != 0 {
			switch it.f.num {
			case relationshipIsReference:
				r.kind |= relReference
			case relationshipIsImplementation:
				r.kind |= relImplementation
			case relationshipIsTypeDefinition:
				r.kind |= relTypeDefinition
			case relationshipIsDefinition:
				r.kind |= relDefinition
			}
		}
		if it.f.num == relationshipSymbol {
			symbol = it.f.bytes
		}
	}
	if it.err != nil || len(symbol) == 0 || r.kind == 0 {
		return it.err
	}
	r.to = c.symbolIn(c.curDoc, symbol)
	c.rels = append(c.rels, r)
	return nil
}
