package codeintel

import (
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// position is the four columns of a range in a kind: where they sit
// differs from kind to kind, so each kind has its own.
type position struct {
	startLine, startCharacter, endLine, endCharacter *batch.Int32Col
}

func newPosition() position {
	return position{batch.Int32("start_line"), batch.Int32("start_character"),
		batch.Int32("end_line"), batch.Int32("end_character")}
}

// uploadID is every kind's first column: the upload a row belongs to.
var uploadID = batch.Int64("upload_id")

// The columns of each kind, named for the kind (document, hover, chunk,
// moniker, diagnostic, pkg, pkgRef), and the kinds: one per table.
var (
	documentPath   = batch.String("path")
	documentRanges = batch.Int32("ranges")
	documentData   = batch.Bytes("data")
	// DocumentKind holds lsif_documents: one row per document with
	// ranges, holding all of them in packed's encoding.
	DocumentKind = batch.NewKind("lsif-document", 1, uploadID, documentPath, documentRanges, documentData)

	hoverID   = batch.Int32("hover_id")
	hoverText = batch.String("text")
	// HoverKind holds lsif_hovers: one row per hover text.
	HoverKind = batch.NewKind("lsif-hover", 1, uploadID, hoverID, hoverText)

	chunkID        = batch.Int32("chunk")
	chunkResults   = batch.Int32("results")
	chunkLocations = batch.Int32("locations")
	chunkData      = batch.Bytes("data")
	// ResultChunkKind holds lsif_result_chunks: one row per chunk of
	// packed.ResultsPerChunk result ids, holding those results' locations
	// in packed's encoding.
	ResultChunkKind = batch.NewKind("lsif-result-chunk", 1, uploadID, chunkID, chunkResults, chunkLocations, chunkData)

	monikerScheme     = batch.String("scheme")
	monikerIdentifier = batch.String("identifier")
	monikerDefinition = batch.Int32("definition_result")
	monikerReference  = batch.Int32("reference_result")
	// MonikerResultKind holds lsif_moniker_results: for one moniker
	// (scheme, identifier), a definition result and a reference result
	// holding its locations (0: none; a moniker with several results of a
	// kind has several rows). Code navigation reads a moniker's locations
	// through these results' chunks, so that no location is stored twice.
	// Version 1 had a row per kind.
	MonikerResultKind = batch.NewKind("lsif-moniker-result", 2, uploadID, monikerScheme, monikerIdentifier,
		monikerDefinition, monikerReference)

	diagnosticPath     = batch.String("path")
	diagnosticSeverity = batch.Int32("severity")
	diagnosticCode     = batch.String("code")
	diagnosticMessage  = batch.String("message")
	diagnosticSource   = batch.String("source")
	diagnosticPos      = newPosition()
	// DiagnosticKind holds lsif_diagnostics: one row per diagnostic.
	DiagnosticKind = batch.NewKind("lsif-diagnostic", 1, uploadID, diagnosticPath, diagnosticSeverity,
		diagnosticCode, diagnosticMessage, diagnosticSource,
		diagnosticPos.startLine, diagnosticPos.startCharacter, diagnosticPos.endLine, diagnosticPos.endCharacter)

	// The package columns are shared by PackageKind and PackageRefKind, at
	// the same positions.
	pkgScheme  = batch.String("scheme")
	pkgManager = batch.String("manager")
	pkgName    = batch.String("name")
	pkgVersion = batch.String("version")
	// PackageKind holds lsif_packages: the packages a dump exports.
	PackageKind = batch.NewKind("lsif-package", 1, uploadID, pkgScheme, pkgManager, pkgName, pkgVersion)

	pkgRefIdentifiers = batch.StringList("identifiers")
	// PackageRefKind holds lsif_package_references: the packages a dump
	// uses, with the identifiers it uses from each.
	PackageRefKind = batch.NewKind("lsif-package-ref", 1, uploadID, pkgScheme, pkgManager, pkgName, pkgVersion,
		pkgRefIdentifiers)
)

// Kinds are the batch kinds BatchSink writes, in the order it creates them
// (so in the run's manifest): the kinds with a row per item and the most
// rows first (moniker results, hovers), then the packed ones, for a
// concurrent load to start the long loads first.
var Kinds = []batch.Kind{MonikerResultKind, HoverKind, ResultChunkKind, DocumentKind, DiagnosticKind, PackageKind, PackageRefKind}

// upsert is a target that COPYs into a staging copy of table and inserts
// what is not there yet: packages have primary keys, and a dump may name
// the same package twice.
func upsert(kind batch.Kind, table string) loader.Target {
	stage := "stage_" + table
	return loader.Target{
		Kind:    kind,
		Table:   stage,
		Prepare: `CREATE TEMP TABLE ` + stage + ` (LIKE ` + table + ` INCLUDING DEFAULTS) ON COMMIT DROP`,
		Merge:   `INSERT INTO ` + table + ` SELECT * FROM ` + stage + ` ON CONFLICT DO NOTHING`,
	}
}

// kindTable is where the rows of a kind end up. A dedup table's primary
// key collapses the rows a dump repeats, so it may hold fewer rows than
// its batch.
type kindTable struct {
	kind  batch.Kind
	table string
	dedup bool
}

// kindTables lists the table of every kind. Hover ids are the converter's
// ordinals: unique within an upload.
var kindTables = []kindTable{
	{HoverKind, "lsif_hovers", false},
	{ResultChunkKind, "lsif_result_chunks", false},
	{DocumentKind, "lsif_documents", false},
	{MonikerResultKind, "lsif_moniker_results", false},
	{DiagnosticKind, "lsif_diagnostics", false},
	{PackageKind, "lsif_packages", true},
	{PackageRefKind, "lsif_package_references", true},
}

// Targets load the kinds into the codeintel tables: plain COPY, except
// insert-if-absent for packages. Each batch is one transaction; an
// upload's rows are invisible until UploadsComplete.
func Targets() []loader.Target {
	ts := make([]loader.Target, len(kindTables))
	for i, kt := range kindTables {
		ts[i] = loader.Target{Kind: kt.kind, Table: kt.table}
		if kt.dedup {
			ts[i] = upsert(kt.kind, kt.table)
		}
	}
	return ts
}

// Registry is the set of codeintel batch kinds.
func Registry() *batch.Registry { return batch.NewRegistry(Kinds...) }
