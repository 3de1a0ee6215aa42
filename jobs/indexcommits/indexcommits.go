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
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gitsource"
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
	// Through is when the history read was current (see through).
	Through time.Time
}

// Run implements jobs.Job. Its counts are of what it committed: a run whose
// load fails reports no repositories and no commits written.
func (j *Job) Run(ctx context.Context, env *jobs.Env) (jobs.Counts, error) {
	list, err := repos.List(ctx, env.DB)
	if err != nil {
		return nil, err
	}
	counts := jobs.Counts{"repos": 0, "commits_written": 0, "errored": 0, "not_synced": 0, "repaired": 0}
	var out []repoIndex
	var repaired int64
	for _, r := range list {
		if err := ctx.Err(); err != nil {
			return counts, err
		}
		if r.GitDir == "" {
			counts["not_synced"]++
			continue
		}
		n, err := indexed(ctx, env, r)
		if err != nil {
			return counts, err
		}
		idx, err := index(ctx, r, n)
		idx.Through = through(r, env.Now())
		if err != nil {
			if ctx.Err() != nil {
				return counts, ctx.Err()
			}
			counts["errored"]++
			env.Logger.Warn("index commits failed", "repo", r.Name, "err", err)
			continue
		}
		if n < r.CommitsIndexedCount {
			repaired++
		}
		out = append(out, idx)
	}
	commits, err := writeAndLoad(ctx, env, out)
	if err != nil {
		return counts, err
	}
	counts["repos"], counts["commits_written"], counts["repaired"] = int64(len(out)), commits, repaired
	return counts, nil
}

// through is the time up to which a history of r read at now is complete:
// now for a repository read in place, or when its mirror was last fetched
// (sync-repos), whichever is earlier.
func through(r repos.Repo, now time.Time) time.Time {
	if r.URL != "" && r.LastSyncedAt != nil && r.LastSyncedAt.Before(now) {
		return r.LastSyncedAt.UTC()
	}
	return now.UTC()
}

// indexed returns how many of r's commits the index holds and a run can
// build on: the recorded count when the index holds exactly those commits,
// else 0, so that r is indexed again from its first commit. This is a
// defence in depth: loads are atomic, but an older loader could record a
// head without its commits, after which every run would find the head
// indexed and write no commit, for good.
func indexed(ctx context.Context, env *jobs.Env, r repos.Repo) (int, error) {
	ok, err := commitindex.Intact(ctx, env.DB, r.ID, r.CommitsIndexedHead, r.CommitsIndexedCount)
	if err != nil {
		return 0, err
	}
	if !ok {
		env.Logger.Warn("the commit index does not hold the commits its recorded head promises; indexing the repository again from its first commit",
			"repo", r.Name, "head", r.CommitsIndexedHead, "count", r.CommitsIndexedCount)
		return 0, nil
	}
	return r.CommitsIndexedCount, nil
}

// index reads r's history and works out what to write: the commits after
// the first n indexed ones when the history still has r's indexed head at
// position n-1, else the whole history.
func index(ctx context.Context, r repos.Repo, n int) (repoIndex, error) {
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
	if n > 0 && n <= len(history) && history[n-1].OID == r.CommitsIndexedHead {
		idx.From = n
	}
	idx.Commits = history[idx.From:]
	return idx, nil
}
