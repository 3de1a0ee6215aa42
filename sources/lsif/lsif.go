package lsif

import "errors"

// ErrMalformed marks an error caused by the dump itself (invalid JSON, an
// edge naming an unknown vertex, a corrupt or truncated gzip stream): no
// retry will fix it. Errors not wrapping it come from reading the input or
// from the Sink.
var ErrMalformed = errors.New("malformed LSIF dump")

// Opts configures Convert.
type Opts struct {
	// Root is the upload's root: the directory, relative to the repository
	// root, in which the indexer ran ("" for the repository root). Output
	// paths are repository-relative and always lie under Root.
	Root string
	// ProjectRoot, when set, is the URI of the indexed project's root and
	// overrides the dump's own (metaData.projectRoot, or the group vertex's
	// rootUri in LSIF 0.5 dumps). A dump with neither needs it.
	ProjectRoot string
	// Exists reports whether a repository-relative path exists at the
	// upload's commit; documents for which it returns false are pruned. Nil
	// keeps every document under Root. It is called once per distinct
	// document, from the goroutine that called Convert.
	Exists func(path string) bool
	// MaxLineSize bounds one JSON line (a document vertex may embed the
	// file's contents). Zero means DefaultMaxLineSize.
	MaxLineSize int
	// TempDir is where a conversion may keep temporary files (the SCIP
	// converter spills documentation texts there); "" means os.TempDir.
	// They are removed before Convert returns.
	TempDir string
}

// DefaultMaxLineSize is the longest line Convert accepts unless told
// otherwise.
const DefaultMaxLineSize = 64 << 20

// Sink receives Convert's output. Each method is called from the goroutine
// that called Convert; an error aborts the conversion and is returned by
// Convert. Convert reuses the slices it passes once a call returns: a Sink
// must copy what it keeps (strings may be kept).
//
// Calls come in this order: Hover, during the stream; then, after the
// stream, Result, Document, MonikerResults, Package, PackageRef and DocEntry, each
// group in a deterministic order. When Convert returns an error, whatever the
// Sink received must be discarded: Hover rows in particular may have been
// delivered before a malformed line further on was read.
type Sink interface {
	// Hover delivers a hover text. Several ranges (in several documents) may
	// name the same HoverID; a hover no kept range uses may still be
	// delivered.
	Hover(Hover) error
	// Result delivers the locations of one definition or reference result.
	// Results left without locations by pruning are not delivered, and no
	// range names them.
	Result(Result) error
	// Document delivers one document under Root that exists in git, with
	// its ranges and diagnostics.
	Document(Document) error
	// MonikerResults delivers, for one (scheme, identifier) of a non-local
	// moniker and one kind, the delivered results whose locations are the
	// moniker's definitions or references: a moniker's locations are read
	// through its results, never stored twice.
	MonikerResults(MonikerResults) error
	// Package delivers a package the dump defines (from export monikers).
	Package(Package) error
	// PackageRef delivers a package the dump uses and does not define (from
	// import monikers), with the identifiers it imports.
	PackageRef(PackageRef) error
	// DocEntry delivers one documented symbol visible outside its document
	// (the API docs search index), after the stream, in a deterministic
	// order.
	DocEntry(DocEntry) error
}

// DocEntry is one symbol of the dump's API documentation: a definition
// visible outside its document (an export moniker, or the documentation
// extension's pages), with what a reader needs to find and read it.
type DocEntry struct {
	// Path and Range locate the symbol's definition (repository-relative
	// path, the definition range's span).
	Path  string
	Range Range
	// Language is the document's language ("typescript", "go", ...).
	Language string
	// Name is the symbol's own name ("subscribe").
	Name string
	// Kind is the symbol kind as LSP names them, in the camelCase of the
	// documentation extension's tags ("class", "method", "function",
	// "interface", "enumMember", ...), or "type" for a TypeScript type
	// alias, which LSP has no kind for.
	Kind string
	// SearchKey is the qualified name the search matches on, enclosing
	// declarations first ("rxjs.Observable.subscribe", "mux.Router").
	SearchKey string
	// Signature is the one-line label ("subscribe(observer?: Observer<T>): Subscription").
	Signature string
	// Detail is the documentation in Markdown ("" when there is none).
	Detail string
	// Tags qualify the entry: its kind, "deprecated", "exported", ....
	Tags []string
}

// Range is a span in a document: 0-based lines and characters, end
// exclusive, in the dump's position encoding (UTF-16 for LSIF).
type Range struct {
	StartLine      int32
	StartCharacter int32
	EndLine        int32
	EndCharacter   int32
}

// Contains reports whether the position (line, character) lies in r.
func (r Range) Contains(line, character int32) bool {
	if line < r.StartLine || line > r.EndLine {
		return false
	}
	if line == r.StartLine && character < r.StartCharacter {
		return false
	}
	return line != r.EndLine || character < r.EndCharacter
}

func (r Range) less(o Range) bool {
	if r.StartLine != o.StartLine {
		return r.StartLine < o.StartLine
	}
	if r.StartCharacter != o.StartCharacter {
		return r.StartCharacter < o.StartCharacter
	}
	if r.EndLine != o.EndLine {
		return r.EndLine < o.EndLine
	}
	return r.EndCharacter < o.EndCharacter
}

// Location is a range in a document, by repository-relative path.
type Location struct {
	Path string
	Range
}

// Hover is the text of one hover result, as Markdown: code parts are fenced
// with their language and parts are separated by a horizontal rule.
type Hover struct {
	ID   int32
	Text string
}

// ResultKind tells definition results from reference results.
type ResultKind uint8

// The kinds of results.
const (
	Definitions ResultKind = iota + 1
	References
)

func (k ResultKind) String() string {
	switch k {
	case Definitions:
		return "definitions"
	case References:
		return "references"
	}
	return "unknown"
}

// Result is a definition or reference result: its locations, sorted by
// path and range, without duplicates. IDs are unique within one conversion
// across both kinds and start at 1.
type Result struct {
	ID        int32
	Kind      ResultKind
	Locations []Location
}

// Document is one source file and the ranges in it that carry data, sorted
// by position.
type Document struct {
	Path        string
	Ranges      []DocumentRange
	Diagnostics []Diagnostic
}

// DocumentRange is a range with the results it leads to after following
// next chains: IDs of 0 mean none.
type DocumentRange struct {
	Range
	DefinitionResultID int32
	ReferenceResultID  int32
	HoverID            int32
	// Monikers are the range's non-local monikers, including those linked
	// by nextMoniker (or LSIF 0.5 attach) edges, sorted. Ranges share these
	// slices: do not modify them.
	Monikers []Moniker
}

// MonikerKind is a moniker's kind: import, export (or local, which Convert
// never outputs).
type MonikerKind string

// The moniker kinds Convert outputs.
const (
	Import MonikerKind = "import"
	Export MonikerKind = "export"
)

// Moniker names a symbol across dumps: (Scheme, Identifier) is the key, and
// Package, when known, is the package that defines (export) or provides
// (import) it.
type Moniker struct {
	Kind       MonikerKind
	Scheme     string
	Identifier string
	Package    PackageInfo
}

// PackageInfo is a moniker's packageInformation vertex.
type PackageInfo struct {
	Manager string
	Name    string
	Version string
}

// Diagnostic is one entry of a document's diagnosticResult.
type Diagnostic struct {
	Severity int32
	Code     string
	Message  string
	Source   string
	Range
}

// MonikerResults names the results that hold the definition or reference
// locations of one moniker key: the moniker's locations of that kind are
// the union of theirs. ResultIDs are sorted and distinct, each of a Result
// delivered before with the same Kind.
type MonikerResults struct {
	Kind       ResultKind
	Scheme     string
	Identifier string
	ResultIDs  []int32
}

// Package identifies a package by its moniker scheme and package
// information.
type Package struct {
	Scheme string
	PackageInfo
}

// PackageRef is a package the dump depends on, with the sorted distinct
// identifiers of its import monikers (a loader may store them whole or as a
// filter).
type PackageRef struct {
	Package
	Identifiers []string
}

// Stats describe one conversion.
type Stats struct {
	Bytes    int64 // uncompressed bytes read
	Lines    int64
	Vertices int64
	Edges    int64

	LSIFVersion string
	ToolName    string // metaData.toolInfo, when the indexer sets it
	ToolVersion string
	ProjectRoot string // the project root URI used

	Documents          int // distinct document URIs
	DuplicateDocuments int // document vertices merged into an earlier one
	OutsideRoot        int // documents dropped as outside Root or the project root
	Pruned             int // documents dropped because Exists said so
	Ranges             int
	ResultSets         int
	DefinitionResults  int
	ReferenceResults   int
	LinkedReferences   int // referenceResult -> referenceResult links
	LocalMonikerLinks  int // nextMoniker or attach edges to or from a local moniker, not followed
	Hovers             int
	Monikers           int
	Diagnostics        int
	// StateBytes estimates the memory the converter held at the end of the
	// stream: its per-vertex tables, interned strings and documents.
	StateBytes int64

	// Delivered to the Sink.
	OutDocuments      int
	OutRanges         int
	OutResults        int
	OutLocations      int // in Results
	OutMonikerResults int // MonikerResults calls
	OutPackages       int
	OutPackageRefs    int
	OutDocEntries     int
	// DocExtensionInvalid says why the dump's documentation extension was
	// ignored (its entries then come from standard LSIF); "" when it was
	// used or absent.
	DocExtensionInvalid string
}
