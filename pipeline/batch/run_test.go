package batch

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/segmentio/ksuid"

	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
)

// createBatch writes rows repoKind rows to batch name of run.
func createBatch(t testing.TB, run *Run, name string, rows int) Info {
	t.Helper()
	w, err := run.Create(t.Context(), name, repoKind)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		appendRepo(t, w.Builder(), int64(i), name, time.Time{})
	}
	info, err := w.Close()
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func TestRunCommit(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	now := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	run := NewRun(b, "sync-repos", "2Abc")
	run.NowFunc = func() time.Time { return now }
	repos := createBatch(t, run, "repos", 3)
	aborted, err := run.Create(t.Context(), "aborted", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	aborted.Abort(nil)
	errs := createBatch(t, run, "errors", 0)

	// Before Commit the run is incomplete: not listed, no manifest.
	if runs, err := ListRuns(t.Context(), b, "sync-repos"); err != nil || len(runs) != 0 {
		t.Fatalf("ListRuns before Commit = %v, %v; want none", runs, err)
	}
	if _, err := ReadManifest(t.Context(), b, "sync-repos", "2Abc"); !errors.Is(err, bucket.ErrNotExist) {
		t.Fatalf("ReadManifest before Commit = %v, want ErrNotExist", err)
	}

	m, err := run.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := Manifest{Job: "sync-repos", RunID: "2Abc", Created: now, Batches: []Info{repos, errs}}
	if diff := cmp.Diff(want, m); diff != "" {
		t.Errorf("Commit manifest (-want +got):\n%s", diff)
	}
	if repos.Key != "runs/sync-repos/2Abc/repos.arrow" || repos.Rows != 3 {
		t.Errorf("repos batch = %+v", repos)
	}
	read, err := ReadManifest(t.Context(), b, "sync-repos", "2Abc")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, read); diff != "" {
		t.Errorf("ReadManifest (-want +got):\n%s", diff)
	}
	if _, err := run.Commit(t.Context()); err == nil {
		t.Error("second Commit succeeded")
	}
	if _, err := run.Create(t.Context(), "late", repoKind); err == nil {
		t.Error("Create after Commit succeeded")
	}
}

// TestManifestWrittenLast checks that the manifest is the last object
// stored, and that a run which crashed before Commit is never listed.
func TestManifestWrittenLast(t *testing.T) {
	t.Parallel()
	b := &orderBucket{Bucket: buckettest.NewFileBucket(t)}
	run := NewRun(b, "job", "run1")
	createBatch(t, run, "a", 1)
	createBatch(t, run, "b", 2)
	if _, err := run.Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	crashed := NewRun(b, "job", "run2")
	createBatch(t, crashed, "a", 1)

	want := []string{"runs/job/run1/a.arrow", "runs/job/run1/b.arrow", "runs/job/run1/manifest.json", "runs/job/run2/a.arrow"}
	if diff := cmp.Diff(want, b.puts); diff != "" {
		t.Errorf("Put order (-want +got):\n%s", diff)
	}
	runs, err := ListRuns(t.Context(), b, "job")
	if err != nil {
		t.Fatal(err)
	}
	if len(runs) != 1 || runs[0].RunID != "run1" {
		t.Errorf("ListRuns = %+v, want only run1", runs)
	}
}

// orderBucket records the keys Put stored, in order.
type orderBucket struct {
	bucket.Bucket
	mu   sync.Mutex
	puts []string
}

func (o *orderBucket) Put(ctx context.Context, key string, r io.Reader) error {
	err := o.Bucket.Put(ctx, key, r)
	if err == nil {
		o.mu.Lock()
		o.puts = append(o.puts, key)
		o.mu.Unlock()
	}
	return err
}

func TestListRunsOldestFirst(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 3 {
		id, err := ksuid.NewRandomWithTime(base.Add(time.Duration(i) * time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, id.String())
	}
	for _, i := range []int{2, 0, 1} {
		run := NewRun(b, "job", want[i])
		createBatch(t, run, "x", 1)
		if _, err := run.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := NewRun(b, "other-job", want[0]).Commit(t.Context()); err != nil {
		t.Fatal(err)
	}
	runs, err := ListRuns(t.Context(), b, "job")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range runs {
		got = append(got, m.RunID)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("ListRuns order (-want +got):\n%s", diff)
	}
}

func TestCommitWithOpenBatch(t *testing.T) {
	t.Parallel()
	run := NewRun(buckettest.NewFileBucket(t), "job", "run")
	w, err := run.Create(t.Context(), "open", repoKind)
	if err != nil {
		t.Fatal(err)
	}
	_, err = run.Commit(t.Context())
	if err == nil || !strings.Contains(err.Error(), "runs/job/run/open.arrow") {
		t.Fatalf("Commit with an open writer = %v, want an error naming it", err)
	}
	w.Abort(nil)
	if _, err := run.Commit(t.Context()); err != nil {
		t.Fatalf("Commit after Abort = %v", err)
	}
}

func TestRunBadNames(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	tests := []struct {
		name           string
		job, id, batch string
		want           string
	}{
		{"job upper case", "Sync", "run", "x", `invalid job name "Sync"`},
		{"job slash", "a/b", "run", "x", `invalid job name "a/b"`},
		{"run id dots", "job", "..", "x", `invalid run id ".."`},
		{"run id slash", "job", "a/b", "x", `invalid run id "a/b"`},
		{"batch dot", "job", "run", "x.arrow", `invalid batch name "x.arrow"`},
		{"batch empty", "job", "run", "", `invalid batch name ""`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := NewRun(b, tt.job, tt.id).Create(t.Context(), tt.batch, repoKind)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Create = %v, want %s", err, tt.want)
			}
		})
	}
	if _, err := ListRuns(t.Context(), b, "Bad"); err == nil || !strings.Contains(err.Error(), `"Bad"`) {
		t.Errorf("ListRuns(Bad) = %v", err)
	}
	if _, err := ReadManifest(t.Context(), b, "job", "a/b"); err == nil || !strings.Contains(err.Error(), `"a/b"`) {
		t.Errorf("ReadManifest(a/b) = %v", err)
	}
}

// TestRunConcurrentWriters writes batches from several goroutines: the
// manifest lists them all, in Create order.
func TestRunConcurrentWriters(t *testing.T) {
	t.Parallel()
	run := NewRun(buckettest.NewFileBucket(t), "job", "run")
	var writers []*Writer
	for _, name := range []string{"a", "b", "c", "d"} {
		w, err := run.Create(t.Context(), name, repoKind)
		if err != nil {
			t.Fatal(err)
		}
		writers = append(writers, w)
	}
	var wg sync.WaitGroup
	for i, w := range writers {
		wg.Go(func() {
			for j := range 100 * (len(writers) - i) {
				appendRepo(t, w.Builder(), int64(j), w.Key(), time.Time{})
			}
			if _, err := w.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	m, err := run.Commit(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, i := range m.Batches {
		got = append(got, fmt.Sprintf("%s %d", i.Key, i.Rows))
	}
	want := []string{"runs/job/run/a.arrow 400", "runs/job/run/b.arrow 300", "runs/job/run/c.arrow 200", "runs/job/run/d.arrow 100"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("manifest batches (-want +got):\n%s", diff)
	}
}

// TestDeleteRun deletes one committed run whole and leaves the other
// runs of the job, and a run id that is a prefix of it, alone.
func TestDeleteRun(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	for _, id := range []string{"run1", "run1-2", "run2"} {
		run := NewRun(b, "job", id)
		createBatch(t, run, "a", 2)
		createBatch(t, run, "b", 1)
		if _, err := run.Commit(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // a second time: nothing left, no error
		if err := DeleteRun(t.Context(), b, "job", "run1"); err != nil {
			t.Fatal(err)
		}
	}
	var keys []string
	if err := b.List(t.Context(), "runs/", func(a bucket.Attrs) error { keys = append(keys, a.Key); return nil }); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"runs/job/run1-2/a.arrow", "runs/job/run1-2/b.arrow", "runs/job/run1-2/manifest.json",
		"runs/job/run2/a.arrow", "runs/job/run2/b.arrow", "runs/job/run2/manifest.json",
	}
	if diff := cmp.Diff(want, keys); diff != "" {
		t.Errorf("objects after DeleteRun (-want +got):\n%s", diff)
	}
	if err := DeleteRun(t.Context(), b, "job", "../x"); err == nil {
		t.Error("DeleteRun with a bad run id: no error")
	}
}
