// Package sciptest writes SCIP indexes for tests and benchmarks: the
// messages of scip.proto that sources/scip reads, encoded with protowire
// field by field, so that an index of any size can be streamed out without
// holding it.
package sciptest

import (
	"google.golang.org/protobuf/encoding/protowire"
)

// Index field numbers (scip.proto).
const (
	indexMetadata        = 1
	indexDocuments       = 2
	indexExternalSymbols = 3
)

// Roles of an occurrence (scip.proto's SymbolRole).
const (
	RoleDefinition  = 0x1
	RoleImport      = 0x2
	RoleWriteAccess = 0x4
	RoleReadAccess  = 0x8
)

// Document is a scip.Document.
type Document struct {
	RelativePath string
	Language     string
	Occurrences  []Occurrence
	Symbols      []SymbolInformation
}

// Occurrence is a scip.Occurrence. Range has three elements (line, start,
// end) or four (start line, start, end line, end).
type Occurrence struct {
	Range                 []int32
	Symbol                string
	Roles                 int32
	OverrideDocumentation []string
	Diagnostics           []Diagnostic
}

// Diagnostic is a scip.Diagnostic.
type Diagnostic struct {
	Severity int32
	Code     string
	Message  string
	Source   string
}

// SymbolInformation is a scip.SymbolInformation.
type SymbolInformation struct {
	Symbol        string
	Documentation []string
	Relationships []Relationship
	DisplayName   string
}

// Relationship is a scip.Relationship.
type Relationship struct {
	Symbol           string
	IsReference      bool
	IsImplementation bool
	IsTypeDefinition bool
	IsDefinition     bool
}

// AppendMetadata appends the Index's metadata field (protocol version 0,
// UTF-16 positions).
func AppendMetadata(b []byte, tool, version, projectRoot string) []byte {
	var tm []byte
	tm = appendString(tm, 1, tool)
	tm = appendString(tm, 2, version)
	var m []byte
	m = protowire.AppendTag(m, 2, protowire.BytesType)
	m = protowire.AppendBytes(m, tm)
	m = appendString(m, 3, projectRoot)
	m = protowire.AppendTag(m, 4, protowire.VarintType)
	m = protowire.AppendVarint(m, 2)
	return appendMessage(b, indexMetadata, m)
}

// AppendDocument appends one Index.documents field.
func AppendDocument(b []byte, d Document) []byte {
	var m []byte
	m = appendString(m, 1, d.RelativePath)
	for _, o := range d.Occurrences {
		m = appendMessage(m, 2, appendOccurrence(nil, o))
	}
	for _, s := range d.Symbols {
		m = appendMessage(m, 3, appendSymbol(nil, s))
	}
	m = appendString(m, 4, d.Language)
	return appendMessage(b, indexDocuments, m)
}

// AppendExternalSymbol appends one Index.external_symbols field.
func AppendExternalSymbol(b []byte, s SymbolInformation) []byte {
	return appendMessage(b, indexExternalSymbols, appendSymbol(nil, s))
}

func appendOccurrence(m []byte, o Occurrence) []byte {
	var packed []byte
	for _, v := range o.Range {
		packed = protowire.AppendVarint(packed, uint64(uint32(v)))
	}
	m = appendMessage(m, 1, packed)
	m = appendString(m, 2, o.Symbol)
	if o.Roles != 0 {
		m = protowire.AppendTag(m, 3, protowire.VarintType)
		m = protowire.AppendVarint(m, uint64(o.Roles))
	}
	for _, d := range o.OverrideDocumentation {
		m = appendString(m, 4, d)
	}
	for _, d := range o.Diagnostics {
		var dm []byte
		dm = protowire.AppendTag(dm, 1, protowire.VarintType)
		dm = protowire.AppendVarint(dm, uint64(d.Severity))
		dm = appendString(dm, 2, d.Code)
		dm = appendString(dm, 3, d.Message)
		dm = appendString(dm, 4, d.Source)
		m = appendMessage(m, 6, dm)
	}
	return m
}

func appendSymbol(m []byte, s SymbolInformation) []byte {
	m = appendString(m, 1, s.Symbol)
	for _, d := range s.Documentation {
		m = appendString(m, 3, d)
	}
	for _, r := range s.Relationships {
		var rm []byte
		rm = appendString(rm, 1, r.Symbol)
		for i, set := range []bool{r.IsReference, r.IsImplementation, r.IsTypeDefinition, r.IsDefinition} {
			if set {
				rm = protowire.AppendTag(rm, protowire.Number(2+i), protowire.VarintType)
				rm = protowire.AppendVarint(rm, 1)
			}
		}
		m = appendMessage(m, 4, rm)
	}
	if s.DisplayName != "" {
		m = appendString(m, 6, s.DisplayName)
	}
	return m
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	if s == "" {
		return b
	}
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}
