// Package codeintel is the Postgres store of precise code intelligence: the
// lsif_uploads queue (states uploading, queued, processing, completed,
// errored, deleted) and the operations that move an upload through it, the
// chunked upload of a dump into the bucket (Uploader), and the Arrow batch
// kinds, loader targets and lsif.Sink (BatchSink) through which the
// process-uploads job turns a converted dump into rows of lsif_ranges,
// lsif_hovers, lsif_result_locations, lsif_moniker_results,
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
// It does not parse LSIF (sources/lsif does) or read git.
package codeintel
