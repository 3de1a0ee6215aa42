package repos

import (
	"time"

	"github.com/apache/arrow/go/v15/arrow"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// The columns of SyncKind; the optional strings are null when empty.
var (
	syncName          = batch.String("name")
	syncGitDir        = batch.String("git_dir").Nullable()
	syncDefaultBranch = batch.String("default_branch").Nullable()
	syncHead          = batch.String("head_commit").Nullable()
	syncError         = batch.String("error").Nullable()
	syncAt            = batch.Timestamp("synced_at", arrow.Microsecond)
	syncTookMS        = batch.Int64("took_ms")
)

// SyncKind is the repo-sync batch: one row per repository synced.
var SyncKind = batch.NewKind("repo-sync", 1,
	syncName, syncGitDir, syncDefaultBranch, syncHead, syncError, syncAt, syncTookMS)

// Synced is a SyncKind row: the outcome of syncing one repository. Empty
// strings are stored as nulls.
type Synced struct {
	Name          string
	GitDir        string
	DefaultBranch string
	Head          string
	// Error is why the sync failed; "" when it succeeded.
	Error    string
	SyncedAt time.Time // stored to the microsecond
	Took     time.Duration
}

// AppendSynced appends s's row to b, a SyncKind batch's builder.
func AppendSynced(b *batch.Builder, s Synced) error {
	syncName.Append(b, s.Name)
	appendOptional(b, syncGitDir, s.GitDir)
	appendOptional(b, syncDefaultBranch, s.DefaultBranch)
	appendOptional(b, syncHead, s.Head)
	appendOptional(b, syncError, s.Error)
	syncAt.Append(b, s.SyncedAt)
	syncTookMS.Append(b, s.Took.Milliseconds())
	return b.EndRow()
}

func appendOptional(b *batch.Builder, c *batch.StringCol, s string) { c.AppendValid(b, s, s != "") }

// Targets load repo-sync rows into repos. A newer outcome never gets
// overwritten by an older one (a late load of an earlier run), and a failed
// sync keeps what the last good sync recorded.
func Targets() []loader.Target {
	return []loader.Target{{
		Kind:    SyncKind,
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
	}}
}
