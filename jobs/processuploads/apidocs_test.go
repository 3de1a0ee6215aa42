package processuploads_test

import (
	"context"
	"testing"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/sinks/apidocs"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// TestProcessIndexesAPIDocsAtHead processes two dumps of the shapes
// fixture: the one whose commit is the repository's default-branch head
// is indexed for API docs search as it completes (every entry the
// converter emitted with a search key is in the search table), the one at
// another commit is not; the entries of both are loaded, as many as their
// batches carry.
func TestProcessIndexesAPIDocsAtHead(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	execSQL(t, r, `UPDATE repos SET head_commit = $1 WHERE id = $2`, commit, repoID)
	data := readFixture(t, "shapes.lsif.gz")
	atHead := upload(t, r, data, codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "lsif-tsc"}, 0)
	counts := jobstest.MustRun(t, r, &processuploads.Job{APIDocsLimit: &apidocs.Limit{}})
	if counts["completed"] != 1 || counts["apidocs_indexed"] != 1 {
		t.Fatalf("counts %v: want 1 completed, 1 indexed for api docs", counts)
	}
	checkIndexed(t, r, atHead.ID, true, counts)

	// The head moves on: a dump of another indexer at the old commit is
	// processed but not indexed.
	execSQL(t, r, `UPDATE repos SET head_commit = $1 WHERE id = $2`, "0123456789012345678901234567890123456789", repoID)
	other := upload(t, r, data, codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "other"}, 0)
	counts = jobstest.MustRun(t, r, &processuploads.Job{})
	if counts["completed"] != 1 || counts["apidocs_indexed"] != 0 {
		t.Fatalf("counts %v: want 1 completed, none indexed", counts)
	}
	checkIndexed(t, r, other.ID, false, counts)
}

// checkIndexed checks upload id's entries against its batches' count, and
// that it is indexed (its searchable entries in the public table) or not.
func checkIndexed(t *testing.T, r *jobs.Runner, id int64, want bool, counts jobs.Counts) {
	t.Helper()
	entries := count(t, r, `SELECT count(*) FROM apidocs_entries WHERE upload_id = $1`, id)
	if entries != counts[apidocs.EntryKind.Name()] {
		t.Errorf("upload %d: %d entries loaded, the batches carry %d", id, entries, counts[apidocs.EntryKind.Name()])
	}
	indexed := count(t, r, `SELECT count(*) FROM apidocs_indexed WHERE upload_id = $1`, id) == 1
	if indexed != want {
		t.Errorf("upload %d indexed: %v, want %v", id, indexed, want)
	}
	searchable := count(t, r, `SELECT count(*) FROM apidocs_entries WHERE upload_id = $1 AND search_key <> ''`, id)
	rows := count(t, r, `SELECT count(*) FROM apidocs_search_public WHERE upload_id = $1`, id)
	if !want {
		searchable = 0
	}
	if rows != searchable {
		t.Errorf("upload %d: %d search rows, want %d", id, rows, searchable)
	}
}

func count(t *testing.T, r *jobs.Runner, sql string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := r.DB.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func execSQL(t *testing.T, r *jobs.Runner, sql string, args ...any) {
	t.Helper()
	if _, err := r.DB.Exec(context.Background(), sql, args...); err != nil {
		t.Fatal(err)
	}
}
