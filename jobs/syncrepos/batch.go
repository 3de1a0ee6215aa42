package syncrepos

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// Kind is the repo-sync batch: one row per repository synced.
var Kind = batch.NewKind("repo-sync", 1,
	arrow.Field{Name: "name", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "git_dir", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "default_branch", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "head_commit", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "error", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "synced_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	arrow.Field{Name: "took_ms", Type: arrow.PrimitiveTypes.Int64},
)

// target loads repo-sync rows into repos. A newer outcome never gets
// overwritten by an older one (a late load of an earlier run), and a failed
// sync keeps what the last good sync recorded.
var target = loader.Target{
	Kind:    Kind,
	Table:   "stage_repo_sync",
	Prepare: `CREATE TEMP TABLE stage_repo_sync (name text, git_dir text, default_branch text, head_commit text, error text, synced_at timestamptz, took_ms bigint) ON COMMIT DROP`,
	Merge: `UPDATE repos r SET
		git_dir        = CASE WHEN s.error IS NULL THEN s.git_dir ELSE r.git_dir END,
		default_branch = CASE WHEN s.error IS NULL THEN s.default_branch ELSE r.default_branch END,
		head_commit    = CASE WHEN s.error IS NULL THEN s.head_commit ELSE r.head_commit END,
		last_synced_at = CASE WHEN s.error IS NULL THEN s.synced_at ELSE r.last_synced_at END,
		last_error     = s.error,
		last_error_at  = CASE WHEN s.error IS NULL THEN r.last_error_at ELSE s.synced_at END,
		updated_at     = now()
	FROM stage_repo_sync s
	WHERE r.name = s.name
	  AND s.synced_at >= coalesce(greatest(r.last_synced_at, r.last_error_at), '-infinity')`,
}

// writeAndLoad writes results as the run's repo-sync batch, commits the run
// and loads it. It returns the number of rows loaded. A run that crashed
// between commit and load is not loaded later: the next run syncs again and
// supersedes it (prune removes its batches).
func writeAndLoad(ctx context.Context, env *jobs.Env, results []Result) (int64, error) {
	run := env.NewRun(env.Bucket, Name, env.RunID)
	w, err := run.Create(ctx, "repos", Kind)
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
	l := &loader.Loader{DB: env.DB, Bucket: env.Bucket, Targets: []loader.Target{target}, Logger: env.Logger}
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
