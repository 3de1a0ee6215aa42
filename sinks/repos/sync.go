package repos

import (
	"github.com/apache/arrow/go/v15/arrow"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/loader"
)

// SyncKind is the repo-sync batch: one row per repository synced.
var SyncKind = batch.NewKind("repo-sync", 1,
	arrow.Field{Name: "name", Type: arrow.BinaryTypes.String},
	arrow.Field{Name: "git_dir", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "default_branch", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "head_commit", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "error", Type: arrow.BinaryTypes.String, Nullable: true},
	arrow.Field{Name: "synced_at", Type: &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}},
	arrow.Field{Name: "took_ms", Type: arrow.PrimitiveTypes.Int64},
)

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
