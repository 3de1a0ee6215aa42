package prune_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// failingParts fails every Put of the parts of upload key from part from on,
// as a connection that drops mid-upload would.
type failingParts struct {
	bucket.Bucket
	key  string
	from int
}

func (f failingParts) Put(ctx context.Context, key string, r io.Reader) error {
	for i := f.from; i < f.from+100; i++ {
		if key == codeintel.PartKey(f.key, i) {
			return errors.New("connection reset by peer (injected)")
		}
	}
	return f.Bucket.Put(ctx, key, r)
}

// interruptedUpload runs the real Uploader on a generated dump, in 1 KiB
// parts, until the store fails from part 3 on, and returns the upload.
func interruptedUpload(t *testing.T, r *jobs.Runner, repoID int64) codeintel.Upload {
	t.Helper()
	const key = codeintel.DefaultKeyPrefix + "/upload-1.lsif.gz"
	u := &codeintel.Uploader{DB: r.DB, Bucket: failingParts{Bucket: r.Bucket, key: key, from: 3}, ChunkSize: 1 << 10,
		PartAttempts: 1, TempDir: t.TempDir()}
	_, err := u.Upload(context.Background(), lsiftest.NewGenerator(64<<10),
		codeintel.UploadParams{RepoID: repoID, Commit: strings.Repeat("b", 40)})
	if err == nil || !strings.Contains(err.Error(), "store part 3") {
		t.Fatalf("Upload = %v; want it interrupted at part 3", err)
	}
	up, err := codeintel.UploadsGet(context.Background(), r.DB, 1)
	if err != nil || up.ObjectKey != key || up.State != codeintel.StateUploading || len(up.UploadedParts) != 3 {
		t.Fatalf("upload %+v, %v; want %s uploading with parts 0-2", up, err, key)
	}
	return up
}

// TestPruneUploadLeftovers checks what an interrupted or half-cleaned
// upload leaves behind: the row and parts of an upload interrupted while
// uploading go once abandoned, and so do upload objects no upload needs
// (parts of no upload, parts already composed, the object of a completed
// upload), once older than the retention; what an upload still needs
// stays.
func TestPruneUploadLeftovers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRunnerWithRepo(t)
	var repoID int64
	if err := r.DB.QueryRow(ctx, `SELECT id FROM repos WHERE name = 'demo'`).Scan(&repoID); err != nil {
		t.Fatal(err)
	}
	interruptedUpload(t, r, repoID)
	// Prune's clock runs 30 days ahead: every object is older than the
	// retention, and rows' ages are set against that clock.
	later := time.Now().Add(30 * day)
	const p = codeintel.DefaultKeyPrefix + "/upload-"
	for _, u := range []testUpload{
		{key: p + "902.lsif.gz", state: codeintel.StateCompleted, composed: true, parts: []int{0}},
		{key: p + "903.lsif.gz", state: codeintel.StateQueued, composed: true, parts: []int{1}},
		{key: p + "904.lsif.gz", state: codeintel.StateErrored, age: day, composed: true, parts: []int{0}},
		{key: p + "905.lsif.gz", state: codeintel.StateUploading, age: day, parts: []int{0, 1}},
	} {
		addUpload(t, r, u, later)
	}
	// Parts of no upload, and objects that are not an upload's.
	for _, k := range []string{p + "901.lsif.gz.part-0", p + "901.lsif.gz.part-3", codeintel.DefaultKeyPrefix + "/notes.txt", "other/upload-901.lsif.gz"} {
		if err := r.Bucket.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
	all := objectKeys(t, r.Bucket, "")

	// Today, everything is younger than the retention: nothing goes.
	if c := pruneAt(t, r, time.Now()); c["objects"] != 0 || c["abandoned_uploads"] != 0 {
		t.Errorf("prune of young objects: counts %v; want nothing deleted", c)
	}
	if d := cmp.Diff(all, objectKeys(t, r.Bucket, "")); d != "" {
		t.Errorf("objects after a prune of young ones (-want +got):\n%s", d)
	}

	c := pruneAt(t, r, later)
	want := counts(jobs.Counts{"abandoned_uploads": 1, "leftover_upload_objects": 6, "objects": 9})
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	wantRows := []string{p + "902.lsif.gz", p + "903.lsif.gz", p + "904.lsif.gz", p + "905.lsif.gz"}
	if d := cmp.Diff(wantRows, uploadKeys(t, r)); d != "" {
		t.Errorf("uploads left (-want +got):\n%s", d)
	}
	wantObjects := []string{codeintel.DefaultKeyPrefix + "/notes.txt", p + "903.lsif.gz", p + "904.lsif.gz",
		p + "905.lsif.gz.part-0", p + "905.lsif.gz.part-1", "other/upload-901.lsif.gz"}
	if d := cmp.Diff(wantObjects, objectKeys(t, r.Bucket, "")); d != "" {
		t.Errorf("objects left (-want +got):\n%s", d)
	}
}

// newRunnerWithRepo is a runner with a repository named demo.
func newRunnerWithRepo(t *testing.T) *jobs.Runner {
	t.Helper()
	r := jobstest.NewRunner(t)
	if err := repos.Upsert(context.Background(), r.DB, repos.Spec{Name: "demo", Path: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	return r
}
