package processuploads_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

func TestProcessShapes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	// 1 KiB chunks: some 400 parts, well over a GCS compose call's 32.
	up := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 1<<10)
	if up.NumParts <= 32 || len(up.MissingParts()) > 0 || up.Size == nil {
		t.Fatalf("upload: %d parts, missing %v, size %v; want > 32 parts, none missing, a size", up.NumParts, up.MissingParts(), up.Size)
	}
	if _, err := r.Bucket.Stat(ctx, codeintel.PartKey(up.ObjectKey, 0)); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("part 0 after compose: %v, want deleted", err)
	}

	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	if counts["completed"] != 1 || counts["errored"] != 0 {
		t.Fatalf("counts %v: want 1 completed", counts)
	}
	if got := get(t, r, up.ID); got.State != codeintel.StateCompleted || got.FinishedAt == nil {
		t.Fatalf("upload is %s (%s), want completed", got.State, got.FailureMessage)
	}
	rows := rowCounts(t, r, up.ID)
	for tbl, n := range rows {
		if n == 0 && tbl != "lsif_package_references" && tbl != "lsif_diagnostics" { // lsif-tsc writes no diagnostics
			t.Errorf("%s: no rows", tbl)
		}
	}
	if counts["ranges"] != int64(rows["ranges"]) || counts["lsif-document"] != int64(rows["lsif_documents"]) {
		t.Errorf("counted %d ranges in %d documents, loaded %d in %d", counts["ranges"], counts["lsif-document"],
			rows["ranges"], rows["lsif_documents"])
	}
	// class Circle, at src/circle.ts 5:13.
	hover, err := hoverAt(t, r, up.ID, "src/circle.ts", 5, 13)
	if err != nil || !strings.Contains(hover, "class Circle") {
		t.Errorf("hover of Circle = %q, %v; want the class's hover", hover, err)
	}
	var pkg string
	if err := r.DB.QueryRow(ctx, `SELECT scheme || ' ' || manager || ' ' || name || '@' || version FROM lsif_packages
		WHERE upload_id = $1 AND name = 'shapes'`, up.ID).Scan(&pkg); err != nil || pkg != "npm npm shapes@1.2.3" {
		t.Errorf("package = %q, %v; want npm shapes@1.2.3", pkg, err)
	}
	var dirty int
	if err := r.DB.QueryRow(ctx, `SELECT dirty_token FROM lsif_dirty_repos WHERE repo_id = $1`, repoID).Scan(&dirty); err != nil || dirty != 1 {
		t.Errorf("dirty token = %d, %v; want 1", dirty, err)
	}
	if _, err := r.Bucket.Stat(ctx, up.ObjectKey); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("upload object after processing: %v, want deleted", err)
	}
	noBatchesLeft(t, r)
}

// noBatchesLeft checks that process-uploads deleted its batch runs and
// their load ledger rows.
func noBatchesLeft(t *testing.T, r *jobs.Runner) {
	t.Helper()
	err := r.Bucket.List(context.Background(), "runs/"+processuploads.Name+"/", func(a bucket.Attrs) error {
		t.Errorf("batch object %s left after the upload was processed", a.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := r.DB.QueryRow(context.Background(), `SELECT count(*) FROM loaded_batches WHERE job = $1`, processuploads.Name).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d load ledger rows left, %v; want none", n, err)
	}
}

func TestProcessAppPackageRefs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "app")
	up := upload(t, r, readFixture(t, "app.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "lsif-tsc"}, 0)
	jobstest.MustRun(t, r, &processuploads.Job{})
	if got := get(t, r, up.ID); got.State != codeintel.StateCompleted {
		t.Fatalf("upload is %s (%s), want completed", got.State, got.FailureMessage)
	}
	var ids []string
	err := r.DB.QueryRow(ctx, `SELECT identifiers FROM lsif_package_references
		WHERE upload_id = $1 AND scheme = 'npm' AND name = 'shapes'`, up.ID).Scan(&ids)
	if err != nil || len(ids) == 0 {
		t.Errorf("package reference to shapes: %v, %v; want its imported identifiers", ids, err)
	}
	// node_modules is not in git: pruned.
	var n int
	if err := r.DB.QueryRow(ctx, `SELECT coalesce(sum(ranges), 0) FROM lsif_documents WHERE upload_id = $1 AND path LIKE '%node_modules%'`, up.ID).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d ranges under node_modules (%v), want pruned", n, err)
	}
}

const malformed = `{"id":1,"type":"vertex","label":"metaData","version":"0.4.3","projectRoot":"file:///src/app","positionEncoding":"utf-16","toolInfo":{"name":"handwritten"}}
{"id":2,"type":"vertex","label":"hoverResult","result":{"contents":["hello"]}}
{"id":3,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"
`

func TestProcessMalformed(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	up := upload(t, r, []byte(malformed), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 0)
	if up.Indexer != "handwritten" {
		t.Errorf("indexer %q, want handwritten from metaData.toolInfo", up.Indexer)
	}
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	got := get(t, r, up.ID)
	if got.State != codeintel.StateErrored || counts["errored"] != 1 {
		t.Fatalf("upload is %s, counts %v: want errored", got.State, counts)
	}
	if !strings.Contains(got.FailureMessage, "line 3") || !strings.Contains(got.FailureMessage, "re-run the indexer") {
		t.Errorf("failure message %q: want the line number and what to do", got.FailureMessage)
	}
	for tbl, n := range rowCounts(t, r, up.ID) {
		if n != 0 {
			t.Errorf("%s: %d rows of an errored upload", tbl, n)
		}
	}
	noBatchesLeft(t, r)
}

func TestProcessRetiresOlderDuplicate(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	data := readFixture(t, "shapes.lsif.gz")
	p := codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "lsif-tsc"}
	first := upload(t, r, data, p, 0)
	jobstest.MustRun(t, r, &processuploads.Job{})
	second := upload(t, r, data, p, 0)
	other := upload(t, r, data, codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "other"}, 0)
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	if counts["completed"] != 2 || counts["retired"] != 1 {
		t.Errorf("counts %v: want 2 completed, 1 retired", counts)
	}
	if st := get(t, r, first.ID).State; st != codeintel.StateDeleted {
		t.Errorf("older upload is %s, want deleted", st)
	}
	for _, id := range []int64{second.ID, other.ID} {
		if st := get(t, r, id).State; st != codeintel.StateCompleted {
			t.Errorf("upload %d is %s, want completed", id, st)
		}
	}
	if n := rowCounts(t, r, first.ID)["ranges"]; n != 0 {
		t.Errorf("retired upload keeps %d ranges", n)
	}
	if n := rowCounts(t, r, second.ID)["ranges"]; n == 0 {
		t.Errorf("newer upload has no ranges")
	}
}

func TestProcessResumesAfterReadFailure(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	up := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 0)
	flaky := &flakyBucket{Bucket: r.Bucket, failAfter: 5000, failed: map[string]bool{}}
	r.Bucket = flaky
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	if got := get(t, r, up.ID); got.State != codeintel.StateCompleted {
		t.Fatalf("upload is %s (%s), want completed", got.State, got.FailureMessage)
	}
	if counts["resumed"] != 1 {
		t.Errorf("counts %v: want 1 resume", counts)
	}
	var resumedAt int64 = -1
	for _, off := range flaky.opens {
		if off > 0 {
			resumedAt = off
		}
	}
	if resumedAt != 5000 {
		t.Errorf("GetRange offsets %v: want a resume at byte 5000", flaky.opens)
	}
}

// TestProcessNothingKept errors an upload none of whose documents is kept,
// saying why, rather than completing it: completing it would retire the
// older upload of the same repository, commit, root and indexer and leave
// nothing in its place.
func TestProcessNothingKept(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	key := codeintel.UploadParams{RepoID: repoID, Commit: commit, Indexer: "lsif-tsc"}
	good := upload(t, r, readFixture(t, "shapes.lsif.gz"), key, 0)
	jobstest.MustRun(t, r, &processuploads.Job{})
	wrongRoot := key
	wrongRoot.Root = "web"
	tests := []struct {
		name string
		data []byte
		p    codeintel.UploadParams
		want string
	}{
		{"no document inside the root", readFixture(t, "shapes.lsif.gz"), wrongRoot,
			`none of the dump's 9 documents lies inside root "web" (project root file:///`},
		{"another project's dump", readFixture(t, "app.lsif.gz"), key,
			"documents is in git at commit " + commit + " under the repository root"},
		{"no documents", []byte(malformed[:strings.Index(malformed, "\n")+1]), key, "the dump has no documents"},
	}
	for _, tt := range tests {
		up := upload(t, r, tt.data, tt.p, 0)
		counts := jobstest.MustRun(t, r, &processuploads.Job{})
		requireErrored(t, r, up.ID, counts, tt.want, "upload again")
	}
	if got := get(t, r, good.ID); got.State != codeintel.StateCompleted {
		t.Errorf("the good upload is %s; want it still completed", got.State)
	}
}
