package processuploads_test

import (
	"testing"

	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// TestReportsProgress checks the progress log lines of a run: the uploads
// ready at its start, then one more done at a time.
func TestReportsProgress(t *testing.T) {
	t.Parallel()
	r := jobstest.NewRunner(t)
	repoID, commit := fixtureRepo(t, r, "shapes")
	data := readFixture(t, "shapes.lsif.gz")
	for _, root := range []string{"", "a", "b"} {
		upload(t, r, data, codeintel.UploadParams{RepoID: repoID, Commit: commit, Root: root}, 1<<20)
	}
	p := jobstest.CaptureProgress(r)
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	if counts["uploads"] != 3 {
		t.Fatalf("counts %v: want 3 uploads", counts)
	}
	p.CheckProgress(t, processuploads.Name, "uploads", 3)
}
