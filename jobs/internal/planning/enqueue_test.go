package planning_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
)

// TestEnqueue writes a shard, then queues it with its sample times: a
// stale plan (Before says false) and a failing After write nothing; a
// plan that goes through commits the times and the queue row, whose
// object key reads back the tasks.
func TestEnqueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	b := buckettest.NewFileBucket(t)
	var series int64
	if err := db.QueryRow(ctx, `INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value)
		VALUES ('k', 'foo', 'search', 'all', 'week', 1) RETURNING id`).Scan(&series); err != nil {
		t.Fatal(err)
	}
	tasks := []shardqueue.Task{
		{SeriesID: series, RepoID: 7, Times: []time.Time{day(3, 4)}, Commits: []string{"c1"}},
		{SeriesID: series, RepoID: 1, Times: []time.Time{day(3, 4)}, Commits: []string{"c2"}},
		{SeriesID: series, RepoID: 7, Times: []time.Time{day(2, 26)}, Commits: []string{"c3"}},
	}
	sh := &planning.Shard{Name: "shard-0", Tasks: tasks, Row: shardqueue.Shard{Kind: shardqueue.KindRecording, Priority: 10, Cost: 2}}
	if err := planning.WriteShards(ctx, batch.NewRun(b, "test", "run-1"), []*planning.Shard{sh}); err != nil {
		t.Fatal(err)
	}
	if sh.Row.ObjectKey == "" || sh.Row.Tasks != 3 || !cmp.Equal(sh.Row.RepoIDs, []int64{1, 7}) {
		t.Fatalf("written shard's row: key %q, %d tasks, repositories %v; want a key, 3 tasks, [1 7]",
			sh.Row.ObjectKey, sh.Row.Tasks, sh.Row.RepoIDs)
	}
	p := planning.EnqueueParams{SeriesID: series, Times: []time.Time{day(2, 26), day(3, 4)}, OnConflict: insights.KeepTime,
		Shards: []*planning.Shard{sh}}

	stale := p
	stale.Before = func(context.Context, pgx.Tx) (bool, error) { return false, nil }
	if ok, err := planning.Enqueue(ctx, db, stale); ok || err != nil {
		t.Fatalf("stale plan: Enqueue = %v, %v; want false, nil", ok, err)
	}
	failing := p
	boom := errors.New("boom")
	failing.After = func(context.Context, pgx.Tx) error { return boom }
	if ok, err := planning.Enqueue(ctx, db, failing); ok || !errors.Is(err, boom) {
		t.Fatalf("failing After: Enqueue = %v, %v; want false, boom", ok, err)
	}
	if n := axisLen(t, db, series); n != 0 {
		t.Fatalf("after a stale plan and a failed one: %d times on the axis, want 0", n)
	}
	if s, err := shardqueue.Claim(ctx, db, "w"); err != nil || s != nil {
		t.Fatalf("after a stale plan and a failed one: claimed %+v, %v; want nothing queued", s, err)
	}

	ok, err := planning.Enqueue(ctx, db, p)
	if !ok || err != nil {
		t.Fatalf("Enqueue = %v, %v; want true, nil", ok, err)
	}
	if n := axisLen(t, db, series); n != 2 {
		t.Errorf("%d times on the axis, want 2", n)
	}
	s, err := shardqueue.Claim(ctx, db, "w")
	if err != nil || s == nil {
		t.Fatalf("claim: %+v, %v; want the queued shard", s, err)
	}
	if s.Kind != shardqueue.KindRecording || s.Priority != 10 || s.Cost != 2 || s.Tasks != 3 || s.MaxAttempts != shardqueue.DefaultMaxAttempts {
		t.Errorf("queued shard %+v, want the planned row", s)
	}
	got, err := shardqueue.ReadTasks(ctx, b, s.ObjectKey)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(tasks, got); d != "" {
		t.Errorf("tasks read back (-want +got):\n%s", d)
	}
	var repoIDs []int64
	if err := db.QueryRow(ctx, `SELECT repo_ids FROM search_shards WHERE id = $1`, s.ID).Scan(&repoIDs); err != nil {
		t.Fatal(err)
	}
	if !cmp.Equal(repoIDs, []int64{1, 7}) {
		t.Errorf("queued shard's repo_ids = %v, want [1 7]", repoIDs)
	}
}

// TestWriteShardsNone commits no run when there is nothing to write.
func TestWriteShardsNone(t *testing.T) {
	t.Parallel()
	b := buckettest.NewFileBucket(t)
	if err := planning.WriteShards(context.Background(), batch.NewRun(b, "test", "run-1"), nil); err != nil {
		t.Fatal(err)
	}
	var keys []string
	err := b.List(context.Background(), "", func(a bucket.Attrs) error { keys = append(keys, a.Key); return nil })
	if err != nil || len(keys) != 0 {
		t.Errorf("bucket after writing no shards: %v, %v; want empty", keys, err)
	}
}

func axisLen(t *testing.T, db *pgxpool.Pool, series int64) (n int) {
	t.Helper()
	if err := db.QueryRow(context.Background(), `SELECT count(*) FROM series_recording_times WHERE series_id = $1`, series).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
