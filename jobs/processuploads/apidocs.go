package processuploads

import (
	"context"

	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// limitDocs counts what completing an upload changed in the API docs
// search index (codeintel.UploadsComplete indexes an upload at the
// default-branch head in the transaction that completes it) and, when it
// grew, enforces the index-size limit. A failure of the limit is logged
// and counted, not fatal: the upload is completed, and prune enforces the
// limit again.
func (w *worker) limitDocs(ctx context.Context, docs apidocs.ReconcileResult) {
	w.counts["apidocs_indexed"] += int64(docs.Indexed)
	w.counts["apidocs_rows"] += docs.Rows
	if docs.Indexed == 0 {
		return
	}
	limit := w.job.APIDocsLimit
	if limit == nil {
		limit = &apidocs.Limit{Logger: w.env.Logger}
	}
	pr, err := limit.Enforce(ctx, w.env.DB)
	w.counts["apidocs_pruned_uploads"] += pr.Uploads
	w.counts["apidocs_pruned_rows"] += pr.Rows
	if err != nil {
		w.counts["apidocs_errors"]++
		w.env.Logger.Warn("enforce the api docs index-size limit; prune retries", "err", err)
	}
}
