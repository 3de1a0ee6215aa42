package syncrepos

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow/array"

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
	b := w.Builder()
	for _, r := range results {
		b.Field(0).(*array.StringBuilder).Append(r.Name)
		appendOptional(b.Field(1), r.GitDir)
		appendOptional(b.Field(2), r.DefaultBranch)
		appendOptional(b.Field(3), r.Head)
		appendOptional(b.Field(4), r.Error)
		b.Field(5).(*array.TimestampBuilder).AppendTime(r.SyncedAt)
		b.Field(6).(*array.Int64Builder).Append(r.Took.Milliseconds())
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

func appendOptional(b array.Builder, s string) {
	if s == "" {
		b.AppendNull()
		return
	}
	b.(*array.StringBuilder).Append(s)
}
