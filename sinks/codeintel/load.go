package codeintel

import (
	"github.com/apache/arrow/go/v15/arrow"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

func arrowField(name string, t arrow.DataType) arrow.Field { return arrow.Field{Name: name, Type: t} }

var (
	arrowInt32  = arrow.PrimitiveTypes.Int32
	arrowInt64  = arrow.PrimitiveTypes.Int64
	arrowString = arrow.BinaryTypes.String
)

func positionFields() []arrow.Field {
	return []arrow.Field{arrowField("start_line", arrowInt32), arrowField("start_character", arrowInt32),
		arrowField("end_line", arrowInt32), arrowField("end_character", arrowInt32)}
}

// The batch kinds of converted LSIF, one per table; every row carries its
// upload id.
var (
	RangeKind = batch.NewKind("lsif-range", 1, append(append([]arrow.Field{
		arrowField("upload_id", arrowInt64), arrowField("path", arrowString)}, positionFields()...),
		arrowField("definition_result", arrowInt32), arrowField("reference_result", arrowInt32), arrowField("hover_id", arrowInt32),
		arrowField("monikers", arrow.ListOf(arrowString)))...)
	HoverKind = batch.NewKind("lsif-hover", 1,
		arrowField("upload_id", arrowInt64), arrowField("hover_id", arrowInt32), arrowField("text", arrowString))
	ResultLocationKind = batch.NewKind("lsif-result-location", 1, append([]arrow.Field{
		arrowField("upload_id", arrowInt64), arrowField("result_id", arrowInt32), arrowField("kind", arrowString), arrowField("path", arrowString)},
		positionFields()...)...)
	MonikerLocationKind = batch.NewKind("lsif-moniker-location", 1, append([]arrow.Field{
		arrowField("upload_id", arrowInt64), arrowField("kind", arrowString), arrowField("scheme", arrowString), arrowField("identifier", arrowString),
		arrowField("path", arrowString)}, positionFields()...)...)
	PackageKind = batch.NewKind("lsif-package", 1,
		arrowField("upload_id", arrowInt64), arrowField("scheme", arrowString), arrowField("manager", arrowString), arrowField("name", arrowString), arrowField("version", arrowString))
	DiagnosticKind = batch.NewKind("lsif-diagnostic", 1, append([]arrow.Field{
		arrowField("upload_id", arrowInt64), arrowField("path", arrowString), arrowField("severity", arrowInt32),
		arrowField("code", arrowString), arrowField("message", arrowString), arrowField("source", arrowString)},
		positionFields()...)...)
	PackageRefKind = batch.NewKind("lsif-package-ref", 1,
		arrowField("upload_id", arrowInt64), arrowField("scheme", arrowString), arrowField("manager", arrowString), arrowField("name", arrowString), arrowField("version", arrowString),
		arrowField("identifiers", arrow.ListOf(arrowString)))
)

// Kinds are the batch kinds BatchSink writes, in the order it creates them
// (so in the run's manifest): the ones with the most rows first, for a
// concurrent load to start them first.
var Kinds = []batch.Kind{MonikerLocationKind, RangeKind, ResultLocationKind, HoverKind, DiagnosticKind, PackageKind, PackageRefKind}

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
	{ResultLocationKind, "lsif_result_locations", false},
	{RangeKind, "lsif_ranges", false},
	{MonikerLocationKind, "lsif_moniker_locations", false},
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
