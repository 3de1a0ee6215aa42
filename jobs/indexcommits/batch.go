package indexcommits

import (
	"context"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/apache/arrow/go/v15/arrow/array"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// CommitsKind holds indexed commits: one row per commit.
var CommitsKind = batch.NewKind("repo-commits", 1,
	arrow.Field{Name: "repo_id", Type: arrow.PrimitiveTypes.Int64},
	arrow.Field{Name: "position", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "commit_oid", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "committed_at", Type: batch.TimestampUTC},
)

// HeadsKind holds one row per indexed repository: its new head and history
// length, and the first position the run rewrote.
var HeadsKind = batch.NewKind("commit-index-heads", 1,
	arrow.Field{Name: "repo_id", Type: arrow.PrimitiveTypes.Int64},
	arrow.Field{Name: "head", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "count", Type: arrow.PrimitiveTypes.Int32},
	arrow.Field{Name: "rewrite_from", Type: arrow.PrimitiveTypes.Int32},
)

// The commits batch loads before the heads batch (manifest order). Both
// merges are idempotent: loading either twice gives the same table.
var targets = []loader.Target{
	{
		Kind:    CommitsKind,
		Table:   "stage_repo_commits",
		Prepare: `CREATE TEMP TABLE stage_repo_commits (repo_id bigint, position integer, commit_oid text, committed_at timestamptz) ON COMMIT DROP`,
		Merge: `
			DELETE FROM repo_commits c USING (SELECT repo_id, min(position) AS p FROM stage_repo_commits GROUP BY repo_id) s
			WHERE c.repo_id = s.repo_id AND c.position >= s.p;
			INSERT INTO repo_commits (repo_id, position, commit_oid, committed_at)
			SELECT repo_id, position, commit_oid, committed_at FROM stage_repo_commits`,
	},
	{
		Kind:    HeadsKind,
		Table:   "stage_commit_heads",
		Prepare: `CREATE TEMP TABLE stage_commit_heads (repo_id bigint, head text, count integer, rewrite_from integer) ON COMMIT DROP`,
		// Positions past the new length belong to a history that was
		// rewritten shorter.
		Merge: `
			DELETE FROM repo_commits c USING stage_commit_heads h
			WHERE c.repo_id = h.repo_id AND c.position >= h.count;
			UPDATE repos r SET commits_indexed_head = h.head, commits_indexed_count = h.count,
				commits_indexed_at = now(), updated_at = now()
			FROM stage_commit_heads h WHERE r.id = h.repo_id`,
	},
}

func writeAndLoad(ctx context.Context, env *jobs.Env, out []repoIndex) error {
	run := batch.NewRun(env.Bucket, Name, env.RunID)
	if err := writeBatch(ctx, run, "commits", CommitsKind, out, appendCommits); err != nil {
		return err
	}
	if err := writeBatch(ctx, run, "heads", HeadsKind, out, appendHead); err != nil {
		return err
	}
	m, err := run.Commit(ctx)
	if err != nil {
		return err
	}
	l := &loader.Loader{DB: env.DB, Bucket: env.Bucket, Targets: targets, Logger: env.Logger}
	_, err = l.LoadRun(ctx, m)
	return err
}

func writeBatch(ctx context.Context, run *batch.Run, name string, kind batch.Kind, out []repoIndex,
	appendRows func(*batch.Builder, repoIndex) error) error {
	w, err := run.Create(ctx, name, kind)
	if err != nil {
		return err
	}
	defer w.Abort(nil)
	for _, idx := range out {
		if err := appendRows(w.Builder(), idx); err != nil {
			return err
		}
	}
	_, err = w.Close()
	return err
}

func appendCommits(b *batch.Builder, idx repoIndex) error {
	for i, c := range idx.Commits {
		b.Field(0).(*array.Int64Builder).Append(idx.RepoID)
		b.Field(1).(*array.Int32Builder).Append(int32(idx.From + i))
		b.Field(2).(*array.StringBuilder).Append(c.OID)
		b.Field(3).(*array.TimestampBuilder).Append(arrow.Timestamp(c.CommittedAt.Unix()))
		if err := b.EndRow(); err != nil {
			return err
		}
	}
	return nil
}

func appendHead(b *batch.Builder, idx repoIndex) error {
	b.Field(0).(*array.Int64Builder).Append(idx.RepoID)
	if idx.Head == "" {
		b.Field(1).AppendNull()
	} else {
		b.Field(1).(*array.StringBuilder).Append(idx.Head)
	}
	b.Field(2).(*array.Int32Builder).Append(int32(idx.Count))
	b.Field(3).(*array.Int32Builder).Append(int32(idx.From))
	return b.EndRow()
}
