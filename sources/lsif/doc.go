// Package lsif converts an LSIF dump (the JSON-lines graph that precise code
// intelligence indexers such as lsif-tsc emit) into the rows code navigation
// reads: per-document ranges with their definition, reference and hover
// results and monikers; the locations of every definition and reference
// result; locations keyed by moniker; and the packages the dump defines and
// depends on.
//
// Convert reads the dump once, as a stream, and hands the rows to a Sink as
// plain values, one document or result at a time, so that a job can write
// them as Arrow batches and COPY them into Postgres without holding the
// result in memory. What it must keep until the end of the stream (an edge
// may name any earlier vertex) is kept in compact fixed-size records: see
// Convert for the memory model.
//
// The conversion follows the reference converter's steps: correlate (parse
// and link), canonicalize (merge duplicate documents, follow next chains,
// union import and export monikers along nextMoniker and attach), prune
// (documents outside the project root or absent from git), and group
// (rotate into the rows above). Unlike the reference converter, it never
// answers for one symbol with another's data: a reference result gains the
// locations of the results it links to (item edges with property
// referenceResults) in the link's direction only, where merging them would
// give every name imported from a module the references of all the others,
// and local or document-unique monikers join no monikers.
//
// The package knows nothing of buckets, Arrow or Postgres; the
// process-uploads job does. It does not read SCIP, and it ignores the
// Sourcegraph API-docs extension, document symbols and folding ranges.
package lsif
