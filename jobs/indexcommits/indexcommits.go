// Package indexcommits is the index-commits job: it records each synced
// repository's first-parent history of its default branch (commit, committer
// time, position) in the repo_commits table, so that backfill planning maps
// sample times to commits without running git. Runs are incremental: only
// commits after the last indexed head are written, unless the branch was
// rewritten (force push), in which case the repository's index is replaced.
package indexcommits

import (
	"context"
	"fmt"
	"slices"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sources/gitsource"
	"github.com/sightline-dev/sightline/sources/repos"
)

// Name is the job's registry name.
const Name = "index-commits"

// Job indexes commits.
type Job struct{}

var _ jobs.Job = (*Job)(nil)

// Name implements jobs.Job.
func (*Job) Name() string { return Name }

// Description implements jobs.Job.
func (*Job) Description() string {
	return "incrementally record each repo's default-branch commits (oid, time) in the commit index"
}

// DefaultSchedule implements jobs.Job.
func (*Job) DefaultSchedule() string { return "5-59/15 * * * *" }

// repoIndex is what one repository contributes to a run: the commits from
// position From on, and the new head and length of its history.
type repoIndex struct {
	RepoID  int64
	From    int
	Commits []gitsource.Commit // oldest first, starting at position From
	Head    string
	Count   int
}

// Run implements jobs.Job.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	list, err := repos.List(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	counts := jobs.Counts{"repos": 0, "commits_written": 0, "errored": 0, "not_synced": 0}
	var out []repoIndex
	for _, r := range list {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		if r.GitDir == "" {
			counts["not_synced"]++
			continue
		}
		idx, err := index(ctx, r)
		if err != nil {
			if ctx.Err() != nil {
				return counts, ctx.Err()
			}
			counts["errored"]++
			env.Logger.Warn("index commits failed", "repo", r.Name, "err", err)
			continue
		}
		counts["repos"]++
		counts["commits_written"] += int64(len(idx.Commits))
		out = append(out, idx)
	}
	return counts, writeAndLoad(ctx, env, out)
}

// index reads r's history and works out what to write: the commits after
// the indexed head when the history still contains that head at the same
// position, else the whole history.
func index(ctx context.Context, r repos.Repo) (repoIndex, error) {
	g, err := gitsource.Open(ctx, r.GitDir)
	if err != nil {
		return repoIndex{}, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	defer g.Close()
	history, err := g.FirstParentHistory(ctx, "")
	if err != nil {
		return repoIndex{}, fmt.Errorf("repository %s: %w", r.Name, err)
	}
	slices.Reverse(history) // oldest first: position = index
	idx := repoIndex{RepoID: r.ID, Count: len(history)}
	if len(history) > 0 {
		idx.Head = history[len(history)-1].OID
	}
	if n := r.CommitsIndexedCount; n > 0 && n <= len(history) && history[n-1].OID == r.CommitsIndexedHead {
		idx.From = n
	}
	idx.Commits = history[idx.From:]
	return idx, nil
}
