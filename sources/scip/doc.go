// Package scip converts a SCIP index (the protobuf format that
// scip-typescript, scip-python and Sourcegraph's other current indexers
// write) into the same rows as sources/lsif: it delivers into an lsif.Sink,
// so the process-uploads job fills the same tables whichever format an
// upload is in.
//
// Convert decodes the protobuf with google.golang.org/protobuf's protowire,
// field by field from a buffered stream: an Index is its metadata, then one
// Document after another, then the external symbols, and only one document's
// bytes are held at a time. What the rows need across documents (each
// occurrence's symbol, range and roles; each symbol's hover and
// relationships) is kept in compact fixed-size records, and grouped after
// the stream: see Convert for the memory model and for how roles and
// relationships map onto definition and reference results.
//
// The package knows nothing of buckets, Arrow or Postgres. Sniff tells a
// SCIP index from an LSIF dump by content.
package scip
