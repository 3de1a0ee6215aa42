package updatecommitgraph

import (
	"context"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// reconcileDocs brings the API docs search index up to date for every
// repository whose default-branch head or visibility moved since it was
// last indexed, or whose upload at the head is not indexed yet. This job
// does it, rather than sync-repos, because heads move under code
// intelligence here: sync-repos only records the new head, and this job,
// which already follows every change of uploads and refs (every five
// minutes), decides what code intelligence shows for it. process-uploads
// indexes a completed upload at once; this catches the head moving onto
// (or off) an upload afterwards, and a reconcile that failed there.
func (j *Job) reconcileDocs(ctx context.Context, env *jobs.Env, counts jobs.Counts) error {
	stale, err := apidocs.StaleReposList(ctx, env.DB)
	if err != nil {
		return err
	}
	changed := false
	for _, id := range stale {
		if err := ctx.Err(); err != nil {
			return err
		}
		res, err := apidocs.Reconcile(ctx, env.DB, id)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			counts["apidocs_errors"]++
			env.Logger.Warn("api docs: reconcile failed; the repository stays stale", "repo_id", id, "err", err)
			continue
		}
		counts["apidocs_repos"]++
		counts["apidocs_indexed"] += int64(res.Indexed)
		counts["apidocs_removed"] += int64(res.Removed)
		counts["apidocs_rows"] += res.Rows
		changed = changed || res.Indexed > 0
	}
	if !changed {
		return nil
	}
	limit := j.APIDocsLimit
	if limit == nil {
		limit = &apidocs.Limit{Logger: env.Logger}
	}
	pr, err := limit.Enforce(ctx, env.DB)
	counts["apidocs_pruned_uploads"] += pr.Uploads
	counts["apidocs_pruned_rows"] += pr.Rows
	return err
}
