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
// merge linked reference results, union monikers along nextMoniker),
// prune (documents outside the project root or absent from git), and group
// (rotate into the rows above).
//
// The package knows nothing of buckets, Arrow or Postgres; the
// process-uploads job does. SCIP indexes are sources/scip's, which
// delivers into the same Sink. It ignores the
// Sourcegraph API-docs extension, document symbols and folding ranges.
package lsif
