package processuploads_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/codeintel/packed"
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

// rowCounts counts upload id's rows in each data table, and under
// "ranges" and "locations" the ranges and result locations its packed
// rows (lsif_documents, lsif_result_chunks) hold.
func rowCounts(t *testing.T, r *jobs.Runner, id int64) map[string]int {
	t.Helper()
	out := map[string]int{}
	for name, expr := range map[string]string{
		"lsif_documents": `count(*) FROM lsif_documents`, "lsif_hovers": `count(*) FROM lsif_hovers`,
		"lsif_result_chunks": `count(*) FROM lsif_result_chunks`, "lsif_moniker_results": `count(*) FROM lsif_moniker_results`,
		"lsif_diagnostics": `count(*) FROM lsif_diagnostics`, "lsif_packages": `count(*) FROM lsif_packages`,
		"lsif_package_references": `count(*) FROM lsif_package_references`,
		"ranges":                  `coalesce(sum(ranges), 0) FROM lsif_documents`,
		"locations":               `coalesce(sum(locations), 0) FROM lsif_result_chunks`,
	} {
		var n int
		if err := r.DB.QueryRow(context.Background(), `SELECT `+expr+` WHERE upload_id = $1`, id).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = n
	}
	return out
}

// hoverAt returns the hover text of the range of upload id that starts at
// line:character of path, decoding the document's packed row.
func hoverAt(t *testing.T, r *jobs.Runner, id int64, path string, line, character int32) (string, error) {
	t.Helper()
	ctx := context.Background()
	rows, err := r.DB.Query(ctx, `SELECT data FROM lsif_documents WHERE upload_id = $1 AND path = $2`, id, path)
	if err != nil {
		return "", err
	}
	docs, err := pgx.CollectRows(rows, pgx.RowTo[[]byte])
	if err != nil {
		return "", err
	}
	for _, data := range docs {
		ranges, err := packed.DecodeDocument(data)
		if err != nil {
			return "", fmt.Errorf("document %s: %w", path, err)
		}
		for _, g := range ranges {
			if g.StartLine != line || g.StartCharacter != character || g.HoverID == 0 {
				continue
			}
			var text string
			err := r.DB.QueryRow(ctx, `SELECT text FROM lsif_hovers WHERE upload_id = $1 AND hover_id = $2`, id, g.HoverID).Scan(&text)
			return text, err
		}
	}
	return "", fmt.Errorf("no range with a hover at %s %d:%d of %d documents", path, line, character, len(docs))
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
