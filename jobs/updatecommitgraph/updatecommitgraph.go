// Package updatecommitgraph is the update-commit-graph job: for each
// repository whose completed uploads changed (lsif_dirty_repos), it reads
// the git commit graph (every ref, every parent) and rewrites which upload
// is visible at each commit for each (root, indexer) in
// lsif_nearest_uploads, for code navigation to read. Then it brings the API
// docs search index up to date for every repository whose default-branch
// head or visibility moved, or whose upload at the head is not indexed
// (apidocs.StaleReposList, apidocs.Reconcile), and enforces the index-size
// limit. It does not convert or load uploads (process-uploads does).
package updatecommitgraph

import (
	"context"
	"fmt"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

// Name is the job's registry name.
const Name = "update-commit-graph"

// Job updates commit graphs.
type Job struct {
	// APIDocsLimit is the API docs index-size limit enforced after the
	// index changed; nil means one of apidocs.RowsPerFactor rows.
	APIDocsLimit *apidocs.Limit
}

var _ jobs.Job = (*Job)(nil)

// Name implements jobs.Job.
func (*Job) Name() string { return Name }

// Description implements jobs.Job.
func (*Job) Description() string {
	return "recompute the upload visible at each commit of repos whose code-intel uploads changed"
}

// DefaultSchedule implements jobs.Job.
func (*Job) DefaultSchedule() string { return "*/5 * * * *" }

// Run implements jobs.Job. A repository that fails (not synced yet, git
// error) is logged, counted and left dirty for the next run; one whose API
// docs fail to reconcile is logged, counted and left stale.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	counts := jobs.Counts{"repos": 0, "commits": 0, "visible": 0, "uploads_not_in_graph": 0, "errored": 0, "not_synced": 0,
		"apidocs_repos": 0, "apidocs_indexed": 0, "apidocs_removed": 0, "apidocs_rows": 0, "apidocs_errors": 0,
		"apidocs_pruned_uploads": 0, "apidocs_pruned_rows": 0}
	if err := updateGraphs(ctx, env, counts); err != nil {
		return counts, err
	}
	return counts, j.reconcileDocs(ctx, env, counts)
}

// updateGraphs recomputes the nearest uploads of every dirty repository.
func updateGraphs(ctx context.Context, env *jobs.Env, counts jobs.Counts) error {
	dirty, err := codeintel.DirtyReposList(ctx, env.DB)
	if err != nil {
		return err
	}
	for _, d := range dirty {
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.GitDir == "" {
			counts["not_synced"]++
			env.Logger.Warn("commit graph: repository not synced yet; it stays dirty", "repo", d.Name)
			continue
		}
		res, err := update(ctx, env, d)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			counts["errored"]++
			env.Logger.Warn("commit graph update failed; the repository stays dirty", "repo", d.Name, "err", err)
			continue
		}
		counts["repos"]++
		counts["commits"] += int64(res.commits)
		counts["visible"] += int64(res.visible)
		counts["uploads_not_in_graph"] += int64(len(res.unplaced))
		for _, u := range res.unplaced {
			env.Logger.Warn("commit graph: upload's commit is not reachable from any ref; it is visible nowhere",
				"repo", d.Name, "upload", u.ID, "commit", u.Commit)
		}
	}
	return nil
}

type result struct {
	commits, visible int
	unplaced         []codeintel.GraphUpload
}

// update recomputes one repository. The dirty token was read before the
// uploads are listed, so an upload completed meanwhile keeps it dirty.
func update(ctx context.Context, env *jobs.Env, d codeintel.DirtyRepo) (result, error) {
	g, err := gitsource.Open(ctx, d.GitDir)
	if err != nil {
		return result{}, fmt.Errorf("repository %s: %w", d.Name, err)
	}
	defer g.Close()
	graph, err := g.CommitGraph(ctx)
	if err != nil {
		return result{}, fmt.Errorf("repository %s: %w", d.Name, err)
	}
	uploads, err := codeintel.GraphUploadsList(ctx, env.DB, d.RepoID)
	if err != nil {
		return result{}, err
	}
	visible, unplaced := codeintel.NearestCompute(graph, uploads)
	err = codeintel.NearestReplace(ctx, env.DB, codeintel.NearestReplaceParams{
		RepoID: d.RepoID, Token: d.Token, Visible: visible, Now: env.Now(),
	})
	if err != nil {
		return result{}, err
	}
	return result{commits: len(graph), visible: len(visible), unplaced: unplaced}, nil
}
