package updatecommitgraph_test

import (
	"bytes"
	"context"
	"os"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/jobs/updatecommitgraph"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

const fixtures = "../../sources/lsif/testdata/"

// fixtureRepo commits the sources of fixture project name (shapes or app)
// under directory root ("" for the top) of a new repository, registers it,
// uploads its real lsif-tsc dump at that commit with that root and returns
// the commit and a later commit with no upload.
func fixtureRepo(t *testing.T, r *jobs.Runner, name, root string) (commit, later string) {
	t.Helper()
	ctx := context.Background()
	g := gittest.New(t)
	files := map[string]string{}
	for p, data := range lsiftest.Files(t, fixtures+name) {
		files[path.Join(root, p)] = data
	}
	commit = g.Commit(t0, "fixture", files)
	later = g.Commit(t0.Add(time.Hour), "later", map[string]string{"NOTES": "n\n"})
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: name, Path: g.Dir}); err != nil {
		t.Fatal(err)
	}
	rp, err := repos.Get(ctx, r.DB, name)
	if err != nil {
		t.Fatal(err)
	}
	dump, err := os.ReadFile(fixtures + name + ".lsif.gz")
	if err != nil {
		t.Fatal(err)
	}
	u := &codeintel.Uploader{DB: r.DB, Bucket: r.Bucket, TempDir: t.TempDir()}
	if _, err := u.Upload(ctx, bytes.NewReader(dump), codeintel.UploadParams{RepoID: rp.ID, Commit: commit, Root: root, Indexer: "lsif-tsc"}); err != nil {
		t.Fatal(err)
	}
	return commit, later
}

// TestEndToEnd uploads the real lsif-tsc dumps of the shapes library (at
// the repository's top) and of app (which imports shapes; in directory
// app/, uploaded with that root, as lsif-tsc run there would be), processes them, computes the commit
// graphs and navigates from app into shapes and back, at commits after
// the uploads'. Paths in questions and answers are repository-relative.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	shapesCommit, _ := fixtureRepo(t, r, "shapes", "")
	appCommit, appLater := fixtureRepo(t, r, "app", "app")
	jobstest.MustRun(t, r, &syncrepos.Job{})
	for range 2 {
		jobstest.MustRun(t, r, &processuploads.Job{})
	}
	var completed int
	if err := r.DB.QueryRow(ctx, `SELECT count(*) FROM lsif_uploads WHERE state = 'completed'`).Scan(&completed); err != nil || completed != 2 {
		t.Fatalf("%d completed uploads (%v), want 2", completed, err)
	}
	if counts := jobstest.MustRun(t, r, &updatecommitgraph.Job{}); counts["repos"] != 2 {
		t.Fatalf("update-commit-graph counts = %v, want 2 repos", counts)
	}

	// `Circle` in app's `import { Circle, area, describe } from 'shapes';`.
	circle := codeintel.CodenavQuery{Repo: "app", Commit: appLater, Path: "app/src/main.ts", Position: codeintel.Position{Line: 0, Character: 11}}
	defs, err := codeintel.CodenavDefinitions(ctx, r.DB, circle)
	if err != nil {
		t.Fatal(err)
	}
	if len(defs.Locations) == 0 {
		t.Fatalf("no definitions of Circle: %s", defs.Reason)
	}
	def := defs.Locations[0]
	if def.Repo != "shapes" || def.Commit != shapesCommit || def.Path != "src/circle.ts" {
		t.Errorf("definition of Circle = %+v; want in shapes src/circle.ts at %s", def, shapesCommit)
	}

	hover, err := codeintel.CodenavHover(ctx, r.DB, circle)
	if err != nil || !strings.Contains(hover.Hover, "Circle") {
		t.Errorf("hover of Circle = %q (%s), %v; want it to mention Circle", hover.Hover, hover.Reason, err)
	}

	// From the definition in shapes, references reach app.
	refs, err := codeintel.CodenavReferences(ctx, r.DB, codeintel.CodenavQuery{
		Repo: "shapes", Commit: shapesCommit, Path: def.Path, Position: def.Range.Start,
	})
	if err != nil {
		t.Fatal(err)
	}
	inApp := 0
	for _, l := range refs.Locations {
		if l.Repo == "app" && l.Commit == appCommit && l.Path == "app/src/main.ts" {
			inApp++
		}
	}
	if inApp < 3 { // the import and two `new Circle(...)` in main.ts
		t.Errorf("references of Circle in app's app/src/main.ts: %d of %+v; want at least 3", inApp, refs.Locations)
	}
}
