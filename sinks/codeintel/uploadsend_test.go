package codeintel_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
)

const commit = "0123456789abcdef0123456789abcdef01234567"

func setup(t *testing.T) (*codeintel.Uploader, int64) {
	t.Helper()
	db := pgtest.NewDB(t)
	b := buckettest.NewFileBucket(t)
	ctx := context.Background()
	if err := repos.Upsert(ctx, db, repos.Spec{Name: "r", Path: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	r, err := repos.Get(ctx, db, "r")
	if err != nil {
		t.Fatal(err)
	}
	return &codeintel.Uploader{DB: db, Bucket: b, TempDir: t.TempDir(), RetryBackoff: 1}, r.ID
}

func dump(t *testing.T) []byte {
	t.Helper()
	gz, err := os.ReadFile("../../sources/lsif/testdata/shapes.lsif.gz")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// composed reads the upload's object back, uncompressed.
func composed(t *testing.T, u *codeintel.Uploader, key string) []byte {
	t.Helper()
	rc, err := u.Bucket.Get(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	zr, err := gzip.NewReader(rc)
	if err != nil {
		t.Fatal(err)
	}
	data, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("composed object is not one gzip stream: %v", err)
	}
	return data
}

func TestUploadInputs(t *testing.T) {
	t.Parallel()
	plain := dump(t)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(plain)
	zw.Close()
	tests := []struct {
		name  string
		input []byte
		hint  int64
		chunk int64
		parts int
	}{
		{name: "plain file", input: plain, hint: int64(len(plain)), chunk: 64 << 10, parts: 7},
		{name: "stream", input: plain, chunk: 64 << 10, parts: 7},
		{name: "gzipped stream", input: gz.Bytes(), chunk: 64 << 10, parts: 7},
		{name: "one part", input: gz.Bytes(), parts: 1},
		{name: "exact multiple", input: plain[:128<<10], chunk: 64 << 10, parts: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			u, repoID := setup(t)
			u.ChunkSize = tt.chunk
			// A reader that hides its length, like stdin.
			res, err := u.Upload(context.Background(), io.MultiReader(bytes.NewReader(tt.input)),
				codeintel.UploadParams{RepoID: repoID, Commit: commit, SizeHint: tt.hint})
			if err != nil {
				t.Fatal(err)
			}
			up := res.Upload
			if up.State != codeintel.StateQueued || up.NumParts != tt.parts || len(up.MissingParts()) != 0 {
				t.Errorf("upload %s, %d parts (%v received); want queued, %d parts", up.State, up.NumParts, up.UploadedParts, tt.parts)
			}
			want := tt.input
			if tt.name != "plain file" && tt.name != "stream" && tt.name != "exact multiple" {
				want = plain
			}
			if got := composed(t, u, up.ObjectKey); !bytes.Equal(got, want) {
				t.Errorf("composed object: %d bytes, want the %d of the dump", len(got), len(want))
			}
		})
	}
}

func TestUploadEmpty(t *testing.T) {
	t.Parallel()
	u, repoID := setup(t)
	_, err := u.Upload(context.Background(), strings.NewReader(""), codeintel.UploadParams{RepoID: repoID, Commit: commit})
	if err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("Upload(empty) = %v, want an error saying the dump is empty", err)
	}
}

// failingPuts fails the first Put of each key in fail.
type failingPuts struct {
	bucket.Bucket
	mu   sync.Mutex
	fail map[string]int
	puts map[string]int
}

func (f *failingPuts) Put(ctx context.Context, key string, r io.Reader) error {
	f.mu.Lock()
	f.puts[key]++
	n := f.fail[key]
	f.fail[key] = n - 1
	f.mu.Unlock()
	if n > 0 {
		io.Copy(io.Discard, io.LimitReader(r, 100)) // fail mid-stream
		return errors.New("503 slow down")
	}
	return f.Bucket.Put(ctx, key, r)
}

func TestUploadRetriesFailedPart(t *testing.T) {
	t.Parallel()
	u, repoID := setup(t)
	u.ChunkSize = 64 << 10
	ctx := context.Background()
	// Learn the object key: ids start at 1 in a fresh schema.
	key := "lsif-uploads/upload-1.lsif.gz"
	fb := &failingPuts{Bucket: u.Bucket, fail: map[string]int{codeintel.PartKey(key, 2): 1}, puts: map[string]int{}}
	u.Bucket = fb
	res, err := u.Upload(ctx, bytes.NewReader(dump(t)), codeintel.UploadParams{RepoID: repoID, Commit: commit})
	if err != nil {
		t.Fatal(err)
	}
	if res.Upload.ObjectKey != key || res.Upload.State != codeintel.StateQueued {
		t.Fatalf("upload %s at %q, want queued at %q", res.Upload.State, res.Upload.ObjectKey, key)
	}
	if fb.puts[codeintel.PartKey(key, 2)] != 2 || fb.puts[codeintel.PartKey(key, 1)] != 1 {
		t.Errorf("puts %v: want part 2 sent twice, the others once", fb.puts)
	}

	// A part that keeps failing leaves the upload uploading, with the
	// parts received so far.
	fb.fail = map[string]int{codeintel.PartKey("lsif-uploads/upload-2.lsif.gz", 1): 10}
	_, err = u.Upload(ctx, bytes.NewReader(dump(t)), codeintel.UploadParams{RepoID: repoID, Commit: commit})
	if err == nil || !strings.Contains(err.Error(), "part 1") {
		t.Fatalf("Upload with a failing part = %v, want an error naming the part", err)
	}
	up, err := codeintel.UploadsGet(ctx, u.DB, 2)
	if err != nil {
		t.Fatal(err)
	}
	if up.State != codeintel.StateUploading || len(up.UploadedParts) != 1 {
		t.Errorf("upload %s with parts %v; want uploading with part 0", up.State, up.UploadedParts)
	}
	_, err = codeintel.UploadsFinish(ctx, u.DB, u.Bucket, codeintel.UploadsFinishParams{ID: 2})
	if err == nil || !strings.Contains(err.Error(), "missing 1 of 2 parts ([1])") {
		t.Errorf("finish with a missing part = %v, want the missing part named", err)
	}
}
