package prune_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/prune"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// testUpload is an upload row and the objects it has in the bucket.
type testUpload struct {
	key      string
	state    codeintel.State
	age      time.Duration // since uploaded_at and finished_at
	parts    []int         // parts stored under key.part-N
	composed bool          // the composed object is stored at key
}

// TestPruneUploads deletes the uploads retired, errored or stuck uploading
// for longer than the retention, with their objects and parts, and keeps
// the young ones, every completed one and objects of other uploads whose
// keys merely start with a pruned one's.
func TestPruneUploads(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := jobstest.NewRunner(t)
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "demo", Path: t.TempDir()}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	uploads := []testUpload{
		{key: "u/retired-old", state: codeintel.StateDeleted, age: 10 * day},
		{key: "u/retired-young", state: codeintel.StateDeleted, age: day},
		{key: "u/errored-old", state: codeintel.StateErrored, age: 10 * day, composed: true},
		{key: "u/errored-young", state: codeintel.StateErrored, age: day, composed: true},
		{key: "u/uploading-old", state: codeintel.StateUploading, age: 10 * day, parts: []int{0, 1, 12}},
		{key: "u/uploading-young", state: codeintel.StateUploading, age: day, parts: []int{0}},
		{key: "u/completed-old", state: codeintel.StateCompleted, age: 100 * day},
		{key: "u/queued-old", state: codeintel.StateQueued, age: 10 * day, composed: true},
		// Its key starts with errored-old's: it is not one of its parts.
		{key: "u/errored-old.part-1.bak", state: codeintel.StateCompleted, age: 10 * day, composed: true},
	}
	for _, u := range uploads {
		addUpload(t, r, u, now)
	}

	r.NowFunc = func() time.Time { return now }
	c := jobstest.MustRun(t, r, &prune.Job{})
	// errored-old: 1 object; uploading-old: 3 parts.
	// The repository is not synced: its tip unknown, nothing expires.
	want := counts(jobs.Counts{"retired_uploads": 1, "errored_uploads": 1, "abandoned_uploads": 1, "objects": 4, "expiry_skipped_repos": 1})
	want["bytes"] = int64(len("u/errored-old") + len("u/uploading-old.part-0") + len("u/uploading-old.part-1") + len("u/uploading-old.part-12"))
	if d := cmp.Diff(want, c); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	wantRows := []string{"u/completed-old", "u/errored-old.part-1.bak", "u/errored-young", "u/queued-old", "u/retired-young", "u/uploading-young"}
	if d := cmp.Diff(wantRows, uploadKeys(t, r)); d != "" {
		t.Errorf("uploads left (-want +got):\n%s", d)
	}
	wantObjects := []string{"u/errored-old.part-1.bak", "u/errored-young", "u/queued-old", "u/uploading-young.part-0"}
	if d := cmp.Diff(wantObjects, objectKeys(t, r.Bucket, "u/")); d != "" {
		t.Errorf("objects left (-want +got):\n%s", d)
	}

	if d := cmp.Diff(counts(jobs.Counts{"expiry_skipped_repos": 1}), pruneAt(t, r, now)); d != "" {
		t.Errorf("second prune counts (-want +got):\n%s", d)
	}
}

// addUpload inserts u as an upload of repo demo aged u.age before now and
// stores its objects, each holding its own key.
func addUpload(t *testing.T, r *jobs.Runner, u testUpload, now time.Time) {
	t.Helper()
	ctx := context.Background()
	at := now.Add(-u.age)
	_, err := r.DB.Exec(ctx, `
		INSERT INTO lsif_uploads (repo_id, commit_oid, state, num_parts, object_key, uploaded_at, finished_at)
		SELECT id, repeat('a', 40), $1, 1, $2, $3,
			CASE WHEN $1 IN ('completed', 'errored', 'deleted') THEN $3::timestamptz END
		FROM repos WHERE name = 'demo'`, u.state, u.key, at)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	if u.composed {
		keys = append(keys, u.key)
	}
	for _, i := range u.parts {
		keys = append(keys, codeintel.PartKey(u.key, i))
	}
	for _, k := range keys {
		if err := r.Bucket.Put(ctx, k, strings.NewReader(k)); err != nil {
			t.Fatal(err)
		}
	}
}

// uploadKeys returns the object keys of the uploads in lsif_uploads.
func uploadKeys(t *testing.T, r *jobs.Runner) []string {
	t.Helper()
	rows, err := r.DB.Query(context.Background(), `SELECT object_key FROM lsif_uploads ORDER BY object_key COLLATE "C"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			t.Fatal(err)
		}
		out = append(out, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// objectKeys lists the keys under prefix.
func objectKeys(t *testing.T, b bucket.Bucket, prefix string) []string {
	t.Helper()
	var out []string
	err := b.List(context.Background(), prefix, func(a bucket.Attrs) error {
		out = append(out, a.Key)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
