// Package lsif converts an LSIF dump (the JSON-lines graph that precise code
// intelligence indexers such as lsif-tsc emit) into the rows code navigation
// reads: per-document ranges with their definition, reference and hover
// results and monikers; the locations of every definition and reference
// result; locations keyed by moniker; and the packages the dump defines and
// depends on; and the API docs entries (see below).
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
// # API docs entries
//
// Convert also derives the dump's API documentation, one DocEntry per
// symbol a user of the code can reach, delivered after the other rows,
// sorted by path, range and search key. It takes them from one of two
// sources.
//
// When the dump has Sourcegraph's documentation extension
// (sourcegraph:documentationResult and documentationString vertices, as
// lsif-go 1.5 to 1.8 emitted), the entries are its documentationResults
// that the page tree reaches from the root (the project's
// documentationResult edge, then documentationChildren), that have a
// search key, and that hang from a range or resultSet with a kept
// definition: Name is the search key's last element, Kind its first
// symbol-kind tag, Signature the label (without a code fence), Detail the
// detail, Tags the tags as given. The extension's rules apply: a
// documentationResult without both strings, or with an empty label while
// not a page, invalidates the whole extension; Stats.DocExtensionInvalid
// says why, and the entries come from standard LSIF instead.
//
// Otherwise (or when the extension yields no entry), from standard LSIF:
// every range tagged {"type": "definition", "text", "kind", "fullRange"}
// (lsif-tsc tags every declaration) in a kept document, with a non-empty
// name, whose monikers (its own and its resultSets', with those linked by
// nextMoniker or attach) include an export moniker. A definition with no
// moniker at all is also visible outside its document when its reference
// result has a location in another document; one with only local or
// import monikers is not. Then:
//   - Signature is the hover's leading code block and Detail the Markdown
//     after it (the hover's other parts, separators kept between them);
//   - hovers beginning "(alias) " (imports and re-exports, documented
//     where they are defined) and type parameters get no entry;
//   - Kind is the tag's LSP SymbolKind in camelCase ("enumMember"), except
//     that for TypeScript and JavaScript the signature's leading keyword
//     decides ("(method) ", "enum ", "type " gives "type"), because
//     lsif-tsc tags enums, type aliases, constants and namespaces as
//     properties;
//   - SearchKey is the export moniker's identifier "module:qualified.name"
//     with the module replaced by the npm package's name when the moniker
//     has npm package information, else by the module's last path element
//     ("rxjs.Observable.subscribe", "mux.Router", "geo.Stack.push"); without
//     such a moniker, the names of the entries of container kinds (class,
//     interface, namespace, module, enum, struct, package) whose full range
//     encloses the entry's, outermost first ("Widget.render");
//   - Tags are the kind, "deprecated" when the documentation has a JSDoc
//     @deprecated or a Go "Deprecated:" paragraph, and "exported" when an
//     export moniker made the entry.
//
// Hover texts go to the Sink during the stream and are not otherwise kept,
// so Convert keeps, for the entries, only those of ranges and resultSets
// that have an export moniker when their textDocument/hover edge is read,
// or that receive one while the hover is among the last 64 read (lsif-go
// emits the hover before the moniker). A symbol visible only through
// references from other documents keeps no hover: its entry has a name,
// kind and key but no signature or documentation. lsif-tsc 0.5 leaves
// JSDoc tags such as @deprecated out of its hovers, and marks private class
// members exported, so neither can be told from its dumps.
//
// The package knows nothing of buckets, Arrow or Postgres; the
// process-uploads job does. SCIP indexes are sources/scip's, which
// delivers into the same Sink. It does not read document symbols or
// folding ranges.
package lsif
