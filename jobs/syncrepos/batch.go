package syncrepos

import (
	"context"
	"fmt"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// writeAndLoad writes results as the run's repo-sync batch, commits the run
// and loads it. It returns the number of rows loaded. A run that crashed
// between commit and load is not loaded later: the next run syncs again and
// supersedes it (prune removes its batches).
func writeAndLoad(ctx context.Context, env *jobs.Env, results []Result) (int64, error) {
	run := env.NewRun(env.Bucket, Name, env.RunID)
	w, err := run.Create(ctx, "repos", repos.SyncKind)
	if err != nil {
		return 0, err
	}
	if err := appendRows(w, results); err != nil {
		w.Abort(err)
		return 0, err
	}
	if _, err := w.Close(); err != nil {
		return 0, err
	}
	m, err := run.Commit(ctx)
	if err != nil {
		return 0, err
	}
	l := &loader.Loader{DB: env.DB, Bucket: env.Bucket, Targets: repos.Targets(), Logger: env.Logger}
	res, err := l.LoadRun(ctx, m)
	if err != nil {
		return res.Rows, fmt.Errorf("load run %s: %w", env.RunID, err)
	}
	return res.Rows, nil
}

func appendRows(w *batch.Writer, results []Result) error {
	for _, r := range results {
		err := repos.AppendSynced(w.Builder(), repos.Synced{Name: r.Name, GitDir: r.GitDir, DefaultBranch: r.DefaultBranch,
			Head: r.Head, Error: r.Error, SyncedAt: r.SyncedAt, Took: r.Took})
		if err != nil {
			return err
		}
	}
	return nil
}
