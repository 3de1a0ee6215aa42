package indexcommits

import (
	"context"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// writeAndLoad writes out as the run's commits and heads batches, commits
// the run and loads it in one transaction (a head is never recorded
// without its commits). It returns the commits loaded.
func writeAndLoad(ctx context.Context, env *jobs.Env, out []repoIndex) (int64, error) {
	run := env.NewRun(env.Bucket, Name, env.RunID)
	if err := writeBatch(ctx, run, "commits", commitindex.CommitsKind, out, appendCommits); err != nil {
		return 0, err
	}
	if err := writeBatch(ctx, run, "heads", commitindex.HeadsKind, out, appendHead); err != nil {
		return 0, err
	}
	m, err := run.Commit(ctx)
	if err != nil {
		return 0, err
	}
	l := &loader.Loader{DB: env.DB, Bucket: env.Bucket, Targets: commitindex.Targets(), Logger: env.Logger, Atomic: true}
	if _, err := l.LoadRun(ctx, m); err != nil {
		return 0, err
	}
	var commits int64
	for _, idx := range out {
		commits += int64(len(idx.Commits))
	}
	return commits, nil
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
		err := commitindex.AppendCommit(b, commitindex.Commit{
			RepoID: idx.RepoID, Position: idx.From + i, OID: c.OID, CommittedAt: c.CommittedAt})
		if err != nil {
			return err
		}
	}
	return nil
}

func appendHead(b *batch.Builder, idx repoIndex) error {
	return commitindex.AppendHead(b, commitindex.Head{RepoID: idx.RepoID, Head: idx.Head, Count: idx.Count,
		RewriteFrom: idx.From, Through: idx.Through})
}
