// Package codeintel is the Postgres store of precise code intelligence: the
// lsif_uploads queue (states uploading, queued, processing, completed,
// errored, deleted) and the operations that move an upload through it, the
// chunked upload of a dump into the bucket (Uploader), and the Arrow batch
// kinds, loader targets and lsif.Sink (BatchSink) through which the
// process-uploads job turns a converted dump into rows of lsif_documents
// (a row per document, its ranges packed), lsif_hovers,
// lsif_result_chunks (a row per chunk of packed.ResultsPerChunk result
// ids, their locations packed), lsif_moniker_results (a row per moniker),
// lsif_diagnostics, lsif_packages and lsif_package_references (and the API
// docs entries into sinks/apidocs' kind and table); the nearest
// upload visible at each commit (NearestCompute, for update-commit-graph);
// and code navigation over them (CodenavDefinitions, CodenavReferences,
// CodenavHover, CodenavDiagnostics).
//
// An upload's data rows are only meaningful while the upload is completed:
// rows are loaded while it is still processing and the switch to completed
// (retiring an older upload of the same repo, commit, root and indexer, and
// marking the repository dirty) is one transaction, so code navigation,
// which reads completed uploads only, never sees half an upload.
//
// Package sinks/codeintel/packed encodes and decodes the data of
// documents and result chunks; this package stores and queries the rows.
//
// It does not parse LSIF (sources/lsif does) or read git.
package codeintel
