package processuploads

import (
	"context"

	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// indexDocs brings the API docs search index of u's repository up to date
// once u completed, so that an upload at the default-branch head is
// searchable at once, and then enforces the index-size limit. A failure is
// logged and counted, not fatal: the upload is completed, and
// update-commit-graph reconciles the repository again on its next run
// (its record of the repository's indexed head is only written by a
// reconcile that succeeded).
func (w *worker) indexDocs(ctx context.Context, u *codeintel.Upload, st codeintel.State) {
	if st != codeintel.StateCompleted {
		return
	}
	res, err := apidocs.Reconcile(ctx, w.env.DB, u.RepoID, w.env.Now())
	if err != nil {
		w.counts["apidocs_errors"]++
		w.env.Logger.Warn("index the api docs of the upload's repository; update-commit-graph retries", "upload", u.ID, "repo", u.RepoName, "err", err)
		return
	}
	w.counts["apidocs_indexed"] += int64(res.Indexed)
	w.counts["apidocs_rows"] += res.Rows
	if res.Indexed == 0 {
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
