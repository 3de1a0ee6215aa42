// Package commitindex owns the commit index: the repo_commits table (each
// repository's first-parent history of its default branch, one row per
// commit and position) and the indexed head and length recorded on the
// repository. It holds the batch kinds index-commits writes, their load
// targets, the checks on the index and the reads of it that planning makes
// (HistoryList). It does not run git or decide what to index (see
// jobs/indexcommits).
package commitindex

import (
	"context"
	"fmt"

	"github.com/apache/arrow/go/v15/arrow"
	"github.com/jackc/pgx/v5/pgxpool"

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

// Targets load a run's commits and heads batches. A head is only right
// with its commits, so they must be loaded with loader.Loader.Atomic, the
// commits batch first (manifest order): a failed load records neither.
// Both merges are idempotent: loading either twice gives the same table.
func Targets() []loader.Target {
	return []loader.Target{
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
}

// Intact reports whether repository repoID's index holds exactly count
// commits, head at position count-1: the state its recorded head and count
// promise, which an incremental index builds on. Loads before Atomic could
// record a head without its commits; such an index is not intact and must
// be rebuilt from the first commit. A count of 0 is always intact.
func Intact(ctx context.Context, db *pgxpool.Pool, repoID int64, head string, count int) (bool, error) {
	if count == 0 {
		return true, nil
	}
	// Positions are unique and not negative: count rows, the highest at
	// count-1, are the positions 0 to count-1, none missing.
	var n, highest int
	var last string
	err := db.QueryRow(ctx, `
		SELECT count(*), coalesce(max(position), -1), coalesce(max(commit_oid) FILTER (WHERE position = $2 - 1), '')
		FROM repo_commits WHERE repo_id = $1`, repoID, count).Scan(&n, &highest, &last)
	if err != nil {
		return false, fmt.Errorf("check the commit index of repository %d: %w", repoID, err)
	}
	return n == count && highest == count-1 && last == head, nil
}
