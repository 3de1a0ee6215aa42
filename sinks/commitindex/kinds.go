package commitindex

import (
	"time"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// The columns of CommitsKind.
var (
	commitRepo     = batch.Int64("repo_id")
	commitPosition = batch.Int32("position")
	commitOID      = batch.String("commit_oid")
	commitTime     = batch.Time("committed_at")
)

// CommitsKind holds indexed commits: one row per commit.
var CommitsKind = batch.NewKind("repo-commits", 1, commitRepo, commitPosition, commitOID, commitTime)

// The columns of HeadsKind.
var (
	headRepo        = batch.Int64("repo_id")
	headOID         = batch.String("head").Nullable()
	headCount       = batch.Int32("count")
	headRewriteFrom = batch.Int32("rewrite_from")
	headThrough     = batch.Time("through")
)

// HeadsKind holds one row per indexed repository: its new head and history
// length, the first position the run rewrote, and the time the history is
// complete through.
var HeadsKind = batch.NewKind("commit-index-heads", 2, headRepo, headOID, headCount, headRewriteFrom, headThrough)

// Commit is a CommitsKind row: a commit of a repository's first-parent
// history at its position, 0 for the first commit.
type Commit struct {
	RepoID      int64
	Position    int
	OID         string
	CommittedAt time.Time // stored to the second
}

// AppendCommit appends c's row to b, a CommitsKind batch's builder.
func AppendCommit(b *batch.Builder, c Commit) error {
	commitRepo.Append(b, c.RepoID)
	commitPosition.Append(b, int32(c.Position))
	commitOID.Append(b, c.OID)
	commitTime.Append(b, c.CommittedAt)
	return b.EndRow()
}

// Head is a HeadsKind row: what a run indexed of one repository.
type Head struct {
	RepoID int64
	// Head is the indexed head commit; "" (null) when the history is empty.
	Head string
	// Count is the history's length: positions 0 to Count-1.
	Count int
	// RewriteFrom is the first position the run wrote.
	RewriteFrom int
	// Through is the time up to which the history is complete: when the
	// run read it from git, or for a mirror, when it was last fetched.
	// Sample times after it wait for the next index run.
	Through time.Time
}

// AppendHead appends h's row to b, a HeadsKind batch's builder.
func AppendHead(b *batch.Builder, h Head) error {
	headRepo.Append(b, h.RepoID)
	headOID.AppendValid(b, h.Head, h.Head != "")
	headCount.Append(b, int32(h.Count))
	headRewriteFrom.Append(b, int32(h.RewriteFrom))
	headThrough.Append(b, h.Through)
	return b.EndRow()
}

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
			Prepare: `CREATE TEMP TABLE stage_commit_heads (repo_id bigint, head text, count integer, rewrite_from integer, through timestamptz) ON COMMIT DROP`,
			// Positions past the new length belong to a history that was
			// rewritten shorter.
			Merge: `
				DELETE FROM repo_commits c USING stage_commit_heads h
				WHERE c.repo_id = h.repo_id AND c.position >= h.count;
				UPDATE repos r SET commits_indexed_head = h.head, commits_indexed_count = h.count,
					commits_indexed_at = now(), commits_indexed_through = h.through, updated_at = now()
				FROM stage_commit_heads h WHERE r.id = h.repo_id`,
		},
	}
}
