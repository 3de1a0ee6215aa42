package processuploads_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/processuploads"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/gcsbucket"
	"github.com/sightline-dev/sightline/pipeline/bucket/s3bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// provider opens a fresh, empty bucket of one kind.
type provider struct {
	name string
	open func(t *testing.T) bucket.Bucket
}

var prefixes atomic.Int64

// providers are the three bucket kinds, the cloud ones on in-process fakes
// through the real SDK clients.
var providers = []provider{
	{"file", func(t *testing.T) bucket.Bucket { return buckettest.NewFileBucket(t) }},
	{"s3", func(t *testing.T) bucket.Bucket {
		s3Env()
		u := mustURL(t, fmt.Sprintf("s3://%s/t%d/?endpoint=%s&path_style=true",
			buckettest.S3Bucket, prefixes.Add(1), url.QueryEscape(buckettest.NewS3Server(t))))
		b, err := s3bucket.Open(t.Context(), u, s3bucket.Opts{Retry: bucket.RetryOpts{MaxBackoff: 5e6}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}},
	{"gcs", func(t *testing.T) bucket.Bucket {
		u := mustURL(t, fmt.Sprintf("gs://%s/t%d?endpoint=%s",
			buckettest.GCSBucket, prefixes.Add(1), url.QueryEscape(buckettest.NewGCSServer(t))))
		b, err := gcsbucket.Open(t.Context(), u, gcsbucket.Opts{Retry: bucket.RetryOpts{MaxBackoff: 5e6}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { b.Close() })
		return b
	}},
}

var s3EnvOnce sync.Once

// s3Env points the AWS SDK at fake credentials and away from the machine's
// own configuration. os.Setenv rather than t.Setenv: the tests are
// parallel, and nothing else in this package reads these variables.
func s3Env() {
	s3EnvOnce.Do(func() {
		for k, v := range buckettest.FakeAWSEnv {
			os.Setenv(k, v)
		}
	})
}

func mustURL(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// hookedBucket lets a test fail Puts of chosen keys and change parts
// before they are composed.
type hookedBucket struct {
	bucket.Bucket
	mu       sync.Mutex
	failPuts map[string]int // key → Puts left to fail
	puts     map[string]int
	// beforeCompose, if set, runs before Compose, on the wrapped bucket.
	beforeCompose func(ctx context.Context, b bucket.Bucket, srcs []string) error
}

func (h *hookedBucket) Put(ctx context.Context, key string, r io.Reader) error {
	h.mu.Lock()
	h.puts[key]++
	fail := h.failPuts[key] > 0
	h.failPuts[key]--
	h.mu.Unlock()
	if fail {
		io.Copy(io.Discard, io.LimitReader(r, 100)) // fail mid-stream
		return errors.New("503 slow down (injected)")
	}
	return h.Bucket.Put(ctx, key, r)
}

func (h *hookedBucket) Compose(ctx context.Context, dst string, srcs []string) error {
	if h.beforeCompose != nil {
		if err := h.beforeCompose(ctx, h.Bucket, srcs); err != nil {
			return err
		}
	}
	return h.Bucket.Compose(ctx, dst, srcs)
}

// providerRunner is a runner on a fresh schema whose bucket is a fresh
// bucket of p, behind hooks.
func providerRunner(t *testing.T, p provider) (*jobs.Runner, *hookedBucket) {
	r := jobstest.NewRunner(t)
	h := &hookedBucket{Bucket: p.open(t), failPuts: map[string]int{}, puts: map[string]int{}}
	r.Bucket = h
	return r, h
}

func uploader(t *testing.T, r *jobs.Runner, chunk int64) *codeintel.Uploader {
	return &codeintel.Uploader{DB: r.DB, Bucket: r.Bucket, ChunkSize: chunk, TempDir: t.TempDir(),
		PartAttempts: 2, RetryBackoff: 1}
}

// firstKey is the object key of the first upload of a fresh schema.
const firstKey = "lsif-uploads/upload-1.lsif.gz"

// corrupt flips bytes in the middle of the object at key, inside its
// deflate data, where gzip notices by its checksum or as corrupt input.
func corrupt(ctx context.Context, b bucket.Bucket, key string) error {
	data, err := readAll(ctx, b, key)
	if err != nil {
		return err
	}
	for i := len(data) / 2; i < len(data)/2+16 && i < len(data)-8; i++ {
		data[i] ^= 0x5a
	}
	return b.Put(ctx, key, bytes.NewReader(data))
}

func readAll(ctx context.Context, b bucket.Bucket, key string) ([]byte, error) {
	rc, err := b.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// requireErrored checks that upload id errored with a message holding each
// of want, and that none of its rows are visible.
func requireErrored(t *testing.T, r *jobs.Runner, id int64, counts jobs.Counts, want ...string) {
	t.Helper()
	got := get(t, r, id)
	if got.State != codeintel.StateErrored || counts["errored"] != 1 || counts["retried"] != 0 {
		t.Fatalf("upload is %s (%q), counts %v: want errored at once", got.State, got.FailureMessage, counts)
	}
	for _, w := range want {
		if !strings.Contains(got.FailureMessage, w) {
			t.Errorf("failure message %q: want it to say %q", got.FailureMessage, w)
		}
	}
	for tbl, n := range rowCounts(t, r, id) {
		if n != 0 {
			t.Errorf("%s: %d rows of an errored upload", tbl, n)
		}
	}
}

// outsideRoot has one document inside the project root, whose path is in
// the shapes fixture's commit, and three outside it: beside it, above it
// through "..", and on another host.
const outsideRoot = `{"id":1,"type":"vertex","label":"metaData","version":"0.4.3","projectRoot":"file:///src/app","positionEncoding":"utf-16","toolInfo":{"name":"handwritten"}}
{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/src/circle.ts","languageId":"typescript"}
{"id":3,"type":"vertex","label":"document","uri":"file:///src/other/src/circle.ts","languageId":"typescript"}
{"id":4,"type":"vertex","label":"document","uri":"file:///src/app/../escape/src/circle.ts","languageId":"typescript"}
{"id":5,"type":"vertex","label":"document","uri":"file://elsewhere/src/app/src/circle.ts","languageId":"typescript"}
{"id":6,"type":"vertex","label":"hoverResult","result":{"contents":["the circle"]}}
{"id":7,"type":"vertex","label":"range","start":{"line":5,"character":13},"end":{"line":5,"character":19}}
{"id":8,"type":"vertex","label":"range","start":{"line":5,"character":13},"end":{"line":5,"character":19}}
{"id":9,"type":"vertex","label":"range","start":{"line":5,"character":13},"end":{"line":5,"character":19}}
{"id":10,"type":"vertex","label":"range","start":{"line":5,"character":13},"end":{"line":5,"character":19}}
{"id":11,"type":"edge","label":"textDocument/hover","outV":7,"inV":6}
{"id":12,"type":"edge","label":"textDocument/hover","outV":8,"inV":6}
{"id":13,"type":"edge","label":"textDocument/hover","outV":9,"inV":6}
{"id":14,"type":"edge","label":"textDocument/hover","outV":10,"inV":6}
{"id":15,"type":"edge","label":"contains","outV":2,"inVs":[7]}
{"id":16,"type":"edge","label":"contains","outV":3,"inVs":[8]}
{"id":17,"type":"edge","label":"contains","outV":4,"inVs":[9]}
{"id":18,"type":"edge","label":"contains","outV":5,"inVs":[10]}
`

// TestUploadProviders runs uploads through each bucket provider, from the
// CLI's Uploader to process-uploads, in the ways an upload goes right and
// wrong. Each case ends in a clear state and reason, and an upload that
// did not complete has no rows.
func TestUploadProviders(t *testing.T) {
	t.Parallel()
	for _, p := range providers {
		t.Run(p.name, func(t *testing.T) {
			t.Parallel()
			t.Run("many parts, one retried, processed", func(t *testing.T) {
				t.Parallel()
				testManyPartsRetried(t, p)
			})
			t.Run("missing part", func(t *testing.T) {
				t.Parallel()
				testMissingPart(t, p)
			})
			t.Run("corrupt part before compose", func(t *testing.T) {
				t.Parallel()
				r, h := providerRunner(t, p)
				h.beforeCompose = func(ctx context.Context, b bucket.Bucket, srcs []string) error {
					return corrupt(ctx, b, srcs[len(srcs)/2])
				}
				testBadObject(t, r, "corrupt gzip stream", "re-run the indexer and upload again")
			})
			t.Run("corrupt object after compose", func(t *testing.T) {
				t.Parallel()
				r, h := providerRunner(t, p)
				testBadObject(t, r, "corrupt gzip stream", "re-run the indexer and upload again", func(ctx context.Context) error {
					return corrupt(ctx, h.Bucket, firstKey)
				})
			})
			t.Run("truncated object", func(t *testing.T) {
				t.Parallel()
				r, h := providerRunner(t, p)
				testBadObject(t, r, "truncated in the bucket", "upload the dump again", func(ctx context.Context) error {
					data, err := readAll(ctx, h.Bucket, firstKey)
					if err != nil {
						return err
					}
					return h.Bucket.Put(ctx, firstKey, bytes.NewReader(data[:len(data)*2/3]))
				})
			})
			t.Run("malformed line", func(t *testing.T) {
				t.Parallel()
				r, _ := providerRunner(t, p)
				repoID, commit := fixtureRepo(t, r, "shapes")
				up := upload(t, r, []byte(malformed), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 0)
				counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1})
				requireErrored(t, r, up.ID, counts, "line 3", "re-run the indexer and upload again")
			})
			t.Run("document outside the root", func(t *testing.T) {
				t.Parallel()
				testOutsideRoot(t, p)
			})
		})
	}
}

// testManyPartsRetried uploads the shapes fixture in some 400 parts (more
// than a GCS compose call takes), the first Put of one part failing, and
// processes it.
func testManyPartsRetried(t *testing.T, p provider) {
	ctx := context.Background()
	r, h := providerRunner(t, p)
	repoID, commit := fixtureRepo(t, r, "shapes")
	flaky := codeintel.PartKey(firstKey, 7)
	h.failPuts[flaky] = 1
	res, err := uploader(t, r, 1<<10).Upload(ctx, bytes.NewReader(readFixture(t, "shapes.lsif.gz")),
		codeintel.UploadParams{RepoID: repoID, Commit: commit})
	if err != nil {
		t.Fatal(err)
	}
	up := res.Upload
	if up.ObjectKey != firstKey || up.State != codeintel.StateQueued || up.NumParts <= 32 || len(up.MissingParts()) > 0 {
		t.Fatalf("upload %q %s with %d parts, missing %v; want %q queued with > 32 parts",
			up.ObjectKey, up.State, up.NumParts, up.MissingParts(), firstKey)
	}
	if h.puts[flaky] != 2 || h.puts[codeintel.PartKey(firstKey, 6)] != 1 {
		t.Errorf("part 7 sent %d times, part 6 %d; want the failed part alone sent again", h.puts[flaky], h.puts[codeintel.PartKey(firstKey, 6)])
	}
	if _, err := r.Bucket.Stat(ctx, codeintel.PartKey(firstKey, 0)); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("part 0 after compose: %v, want deleted", err)
	}
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	got := get(t, r, up.ID)
	if got.State != codeintel.StateCompleted || counts["completed"] != 1 {
		t.Fatalf("upload is %s (%q), counts %v; want completed", got.State, got.FailureMessage, counts)
	}
	rows := rowCounts(t, r, up.ID)
	if rows["ranges"] == 0 || int64(rows["ranges"]) != counts["ranges"] {
		t.Errorf("rows %v, %d ranges converted; want all of them loaded", rows, counts["ranges"])
	}
	hover, err := hoverAt(t, r, up.ID, "src/circle.ts", 5, 13)
	if err != nil || !strings.Contains(hover, "class Circle") {
		t.Errorf("hover of Circle = %q, %v; want the class's hover", hover, err)
	}
	if _, err := r.Bucket.Stat(ctx, firstKey); !errors.Is(err, bucket.ErrNotExist) {
		t.Errorf("upload object after processing: %v, want deleted", err)
	}
}

// testMissingPart loses a part for good: the upload stays uploading, says
// which part is missing, and process-uploads leaves it alone.
func testMissingPart(t *testing.T, p provider) {
	ctx := context.Background()
	r, h := providerRunner(t, p)
	repoID, commit := fixtureRepo(t, r, "shapes")
	h.failPuts[codeintel.PartKey(firstKey, 3)] = 100
	_, err := uploader(t, r, 16<<10).Upload(ctx, bytes.NewReader(readFixture(t, "shapes.lsif.gz")),
		codeintel.UploadParams{RepoID: repoID, Commit: commit})
	if err == nil || !strings.Contains(err.Error(), "store part 3") || !strings.Contains(err.Error(), "after 2 attempts") {
		t.Fatalf("Upload with a part that keeps failing = %v; want an error naming part 3 and the attempts", err)
	}
	_, err = codeintel.UploadsFinish(ctx, r.DB, r.Bucket, codeintel.UploadsFinishParams{ID: 1})
	if err == nil || !strings.Contains(err.Error(), "missing 1 of 4 parts ([3]); it stays uploading: upload the dump again") {
		t.Errorf("UploadsFinish = %v; want the missing part named and what to do", err)
	}
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	if counts["uploads"] != 0 {
		t.Errorf("process-uploads took %d uploads; want the uploading one left alone", counts["uploads"])
	}
	if got := get(t, r, 1); got.State != codeintel.StateUploading || !equalInts(got.UploadedParts, []int{0, 1, 2}) {
		t.Errorf("upload is %s with parts %v; want uploading with parts 0-2", got.State, got.UploadedParts)
	}
}

func equalInts[T ~int | ~int32 | ~int64](a []T, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if int(a[i]) != b[i] {
			return false
		}
	}
	return true
}

// testBadObject uploads the shapes fixture in several parts, damages it
// with each of damage once queued, processes it and expects it errored
// with a message holding want.
func testBadObject(t *testing.T, r *jobs.Runner, want1, want2 string, damage ...func(context.Context) error) {
	ctx := context.Background()
	repoID, commit := fixtureRepo(t, r, "shapes")
	up := upload(t, r, readFixture(t, "shapes.lsif.gz"), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 64<<10)
	if up.ObjectKey != firstKey || up.NumParts < 3 {
		t.Fatalf("upload at %q in %d parts; want %q in several", up.ObjectKey, up.NumParts, firstKey)
	}
	for _, d := range damage {
		if err := d(ctx); err != nil {
			t.Fatal(err)
		}
	}
	counts := jobstest.MustRun(t, r, &processuploads.Job{RetryAfter: -1})
	requireErrored(t, r, up.ID, counts, want1, want2)
}

// testOutsideRoot processes a dump with documents outside its project
// root: they are dropped, the one inside is kept.
func testOutsideRoot(t *testing.T, p provider) {
	ctx := context.Background()
	r, _ := providerRunner(t, p)
	repoID, commit := fixtureRepo(t, r, "shapes")
	up := upload(t, r, []byte(outsideRoot), codeintel.UploadParams{RepoID: repoID, Commit: commit}, 0)
	counts := jobstest.MustRun(t, r, &processuploads.Job{})
	if got := get(t, r, up.ID); got.State != codeintel.StateCompleted {
		t.Fatalf("upload is %s (%q), want completed", got.State, got.FailureMessage)
	}
	rows, err := r.DB.Query(ctx, `SELECT DISTINCT path FROM lsif_documents WHERE upload_id = $1 ORDER BY 1`, up.ID)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(paths) != 1 || paths[0] != "src/circle.ts" {
		t.Errorf("ranges at %v; want only src/circle.ts, the documents outside the root dropped", paths)
	}
	if counts["outside-root"] != 3 || counts["pruned"] != 0 {
		t.Errorf("counts %v: want 3 documents dropped as outside the root", counts)
	}
}
