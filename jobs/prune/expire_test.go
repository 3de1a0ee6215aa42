package prune_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/jobs/prune"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/jobs/updatecommitgraph"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

const lsifFixtures = "../../sources/lsif/testdata/"

// TestPruneExpiresUploads builds main c1 → c2 → c3 (the tip) and a side
// branch c1 → b1, with uploads of the same dump:
//
//	a: c1, lsif-tsc, old  — visible at b1, the commit of the young upload c
//	b: c3, lsif-tsc, old  — visible at the tip
//	c: b1, scip, young    — younger than the retention
//	d: c2, lsif-tsc, old  — at the tip b is nearer; b1 does not see it
//	e: c1, other, old     — the only "other" upload: visible at the tip
//
// Through the real jobs (process-uploads, sync-repos,
// update-commit-graph, prune), prune expires d alone, with its rows,
// and marks the repository dirty; while the commit graph is not current
// it expires nothing.
func TestPruneExpiresUploads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	g := gittest.New(t)
	files := lsiftest.Files(t, lsifFixtures+"shapes")
	at := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	commit := func(n string) string {
		files["n.txt"] = n
		at = at.Add(time.Hour)
		return g.Commit(at, n, files)
	}
	c1, c2, c3 := commit("c1"), commit("c2"), commit("c3")
	g.Git(at, "checkout", "--quiet", "-b", "side", c1)
	b1 := commit("b1")
	g.Git(at, "checkout", "--quiet", "main")
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "shapes", Path: g.Dir}); err != nil {
		t.Fatal(err)
	}
	rp, err := repos.Get(ctx, r.DB, "shapes")
	if err != nil {
		t.Fatal(err)
	}
	dump, err := os.ReadFile(lsifFixtures + "shapes.lsif.gz")
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, u := range []struct{ name, commit, indexer string }{
		{"a", c1, "lsif-tsc"}, {"b", c3, "lsif-tsc"}, {"c", b1, "scip"}, {"d", c2, "lsif-tsc"}, {"e", c1, "other"},
	} {
		up := &codeintel.Uploader{DB: r.DB, Bucket: r.Bucket, TempDir: t.TempDir()}
		res, err := up.Upload(ctx, bytes.NewReader(dump), codeintel.UploadParams{RepoID: rp.ID, Commit: u.commit, Indexer: u.indexer})
		if err != nil {
			t.Fatal(err)
		}
		ids[u.name] = res.Upload.ID
	}
	jobstest.MustRun(t, r, &processuploads.Job{})
	jobstest.MustRun(t, r, &syncrepos.Job{})
	now := time.Now()
	if _, err := r.DB.Exec(ctx, `UPDATE lsif_uploads SET uploaded_at = $1 WHERE id <> $2`, now.Add(-100*24*time.Hour), ids["c"]); err != nil {
		t.Fatal(err)
	}
	r.NowFunc = func() time.Time { return now }

	// The commit graph was never computed: nothing may expire.
	c := jobstest.MustRun(t, r, &prune.Job{UploadRetention: 30 * 24 * time.Hour})
	if c["expired_uploads"] != 0 || c["expiry_skipped_repos"] != 1 {
		t.Fatalf("counts %v before update-commit-graph: want nothing expired, the repository skipped", c)
	}

	jobstest.MustRun(t, r, &updatecommitgraph.Job{})
	// An upload completing between prune's listing and its expiry makes
	// the graph stale: the expiry must see it and expire nothing.
	list, err := codeintel.RetentionReposList(ctx, r.DB, now.Add(-30*24*time.Hour))
	if err != nil || len(list) != 1 || list[0].Dirty || !list[0].TipKnown {
		t.Fatalf("retention list %+v (%v): want the repository, current", list, err)
	}
	if _, err := r.DB.Exec(ctx, `UPDATE lsif_dirty_repos SET dirty_token = dirty_token + 1 WHERE repo_id = $1`, rp.ID); err != nil {
		t.Fatal(err)
	}
	gone, err := codeintel.UploadsExpire(ctx, r.DB, codeintel.UploadsExpireParams{
		RepoID: rp.ID, Head: list[0].Head, Before: now.Add(-30 * 24 * time.Hour), Reason: "expired"})
	if !errors.Is(err, codeintel.ErrGraphNotCurrent) || len(gone) != 0 {
		t.Fatalf("expiry with the repository dirtied after listing: expired %v (%v), want nothing and ErrGraphNotCurrent", gone, err)
	}
	if _, err := r.DB.Exec(ctx, `UPDATE lsif_dirty_repos SET updated_token = dirty_token WHERE repo_id = $1`, rp.ID); err != nil {
		t.Fatal(err)
	}
	c = jobstest.MustRun(t, r, &prune.Job{UploadRetention: 30 * 24 * time.Hour})
	if c["expired_uploads"] != 1 || c["expiry_skipped_repos"] != 0 {
		t.Fatalf("counts %v: want one upload expired", c)
	}
	got := map[string]string{}
	for name, id := range ids {
		u, err := codeintel.UploadsGet(ctx, r.DB, id)
		if err != nil {
			t.Fatal(err)
		}
		got[name] = string(u.State)
		if name == "d" && !strings.HasPrefix(u.FailureMessage, "expired: uploaded more than 720h0m0s ago") {
			t.Errorf("expired upload's message %q", u.FailureMessage)
		}
	}
	want := map[string]string{"a": "completed", "b": "completed", "c": "completed", "d": "deleted", "e": "completed"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("states after prune (-want +got):\n%s", d)
	}
	var documents int
	if err := r.DB.QueryRow(ctx, `SELECT count(*) FROM lsif_documents WHERE upload_id = $1`, ids["d"]).Scan(&documents); err != nil || documents != 0 {
		t.Errorf("expired upload has %d documents left (%v), want none", documents, err)
	}
	// The expiry made the repository dirty: the next update drops d from
	// the graph, and prune then finds nothing more to expire.
	c = jobstest.MustRun(t, r, &prune.Job{UploadRetention: 30 * 24 * time.Hour})
	if c["expiry_skipped_repos"] != 1 {
		t.Errorf("counts %v right after expiring: want the repository skipped until update-commit-graph", c)
	}
	jobstest.MustRun(t, r, &updatecommitgraph.Job{})
	if c = jobstest.MustRun(t, r, &prune.Job{UploadRetention: 30 * 24 * time.Hour}); c["expired_uploads"] != 0 {
		t.Errorf("counts %v: want nothing more expired", c)
	}
}
