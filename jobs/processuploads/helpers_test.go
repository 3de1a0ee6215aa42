package processuploads_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

const fixtures = "../../sources/lsif/testdata/"

// fixtureRepo registers a repository whose commit holds the source files
// of fixture project name (shapes or app), so pruning keeps them.
func fixtureRepo(t *testing.T, r *jobs.Runner, name string) (repoID int64, commit string) {
	t.Helper()
	g := gittest.New(t)
	commit = g.Commit(time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), "fixture", lsiftest.Files(t, fixtures+name))
	ctx := context.Background()
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: name, Path: g.Dir}); err != nil {
		t.Fatal(err)
	}
	rp, err := repos.Get(ctx, r.DB, name)
	if err != nil {
		t.Fatal(err)
	}
	return rp.ID, commit
}

// upload sends data as an upload and returns it, queued.
func upload(t *testing.T, r *jobs.Runner, data []byte, p codeintel.UploadParams, chunk int64) codeintel.Upload {
	t.Helper()
	u := &codeintel.Uploader{DB: r.DB, Bucket: r.Bucket, ChunkSize: chunk, TempDir: t.TempDir()}
	res, err := u.Upload(context.Background(), bytes.NewReader(data), p)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if res.Upload.State != codeintel.StateQueued {
		t.Fatalf("upload %d is %s, want queued", res.Upload.ID, res.Upload.State)
	}
	return res.Upload
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(fixtures + name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func get(t *testing.T, r *jobs.Runner, id int64) codeintel.Upload {
	t.Helper()
	u, err := codeintel.UploadsGet(context.Background(), r.DB, id)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// rowCounts counts upload id's rows in each data table.
func rowCounts(t *testing.T, r *jobs.Runner, id int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, tbl := range []string{"lsif_ranges", "lsif_hovers", "lsif_result_locations", "lsif_moniker_results",
		"lsif_diagnostics", "lsif_packages", "lsif_package_references"} {
		var n int
		if err := r.DB.QueryRow(context.Background(), `SELECT count(*) FROM `+tbl+` WHERE upload_id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tbl] = n
	}
	return out
}

// flakyBucket fails the first read of every ranged object it is told to,
// after failAfter bytes, as a reset connection would.
type flakyBucket struct {
	bucket.Bucket
	failAfter int64

	mu     sync.Mutex
	failed map[string]bool
	opens  []int64 // offsets of GetRange calls
}

var errReset = errors.New("connection reset by peer")

func (f *flakyBucket) GetRange(ctx context.Context, key string, off, n int64) (io.ReadCloser, error) {
	rc, err := f.Bucket.GetRange(ctx, key, off, n)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.opens = append(f.opens, off)
	if f.failed[key] {
		return rc, nil
	}
	f.failed[key] = true
	return &failingReader{rc: rc, left: f.failAfter}, nil
}

type failingReader struct {
	rc   io.ReadCloser
	left int64
}

func (r *failingReader) Read(p []byte) (int, error) {
	if r.left <= 0 {
		return 0, errReset
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n, err := r.rc.Read(p)
	r.left -= int64(n)
	return n, err
}

func (r *failingReader) Close() error { return r.rc.Close() }
