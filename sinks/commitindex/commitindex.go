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

	"github.com/jackc/pgx/v5/pgxpool"
)

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

// Indexed reports whether every one of oids is a commit of repository
// repoID's index: all on the first-parent line of its default branch as
// last indexed. A rewritten branch is re-indexed, so a commit it no longer
// holds is not indexed; false says nothing more (check with git).
func Indexed(ctx context.Context, db *pgxpool.Pool, repoID int64, oids ...string) (bool, error) {
	var n int
	err := db.QueryRow(ctx, `SELECT count(DISTINCT commit_oid) FROM repo_commits WHERE repo_id = $1 AND commit_oid = ANY($2)`,
		repoID, oids).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %d commits in the index of repository %d: %w", len(oids), repoID, err)
	}
	return n == len(distinct(oids)), nil
}

func distinct(ss []string) map[string]bool {
	m := make(map[string]bool, len(ss))
	for _, s := range ss {
		m[s] = true
	}
	return m
}
