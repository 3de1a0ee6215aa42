package planbackfills_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sinks/shardqueue"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// now is a Wednesday: weekly sample times end on Monday 2024-03-04.
var now = time.Date(2024, 3, 6, 12, 30, 0, 0, time.UTC)

func day(month time.Month, d int) time.Time { return time.Date(2024, month, d, 0, 0, 0, 0, time.UTC) }

func newRunner(t *testing.T) *jobs.Runner {
	r := jobstest.NewRunner(t)
	r.NowFunc = func() time.Time { return now }
	return r
}

// series is a data series to insert, with a new backfill.
type series struct {
	query, kind string
	repos       []string // nil: all repositories
	unit        string
	points      int
	prioritized bool
}

func addSeries(t *testing.T, db *pgxpool.Pool, s series) (seriesID, backfillID int64) {
	t.Helper()
	ctx := context.Background()
	scope := "list"
	if s.repos == nil {
		scope, s.repos = "all", []string{}
	}
	err := db.QueryRow(ctx, `
		INSERT INTO insight_series (series_key, query, kind, repo_scope, repos, interval_unit, interval_value, num_points)
		VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, 1, $6) RETURNING id`,
		s.query, s.kind, scope, s.repos, s.unit, s.points).Scan(&seriesID)
	if err != nil {
		t.Fatal(err)
	}
	var prioritized *time.Time
	if s.prioritized {
		prioritized = &now
	}
	if err := db.QueryRow(ctx, `INSERT INTO backfills (series_id, prioritized_at) VALUES ($1, $2) RETURNING id`,
		seriesID, prioritized).Scan(&backfillID); err != nil {
		t.Fatal(err)
	}
	return seriesID, backfillID
}

func addRepo(t *testing.T, db *pgxpool.Pool, name, dir string) int64 {
	t.Helper()
	ctx := context.Background()
	if err := repos.Upsert(ctx, db, repos.Spec{Name: name, Path: dir}); err != nil {
		t.Fatal(err)
	}
	r, err := repos.Get(ctx, db, name)
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func syncAndIndex(t *testing.T, r *jobs.Runner) {
	t.Helper()
	jobstest.MustRun(t, r, &syncrepos.Job{})
	jobstest.MustRun(t, r, &indexcommits.Job{})
}

type backfillRow struct {
	State                string
	Total, Done, Errored int
	Cost                 float64
	Error                string
	Waiting              string
}

func getBackfill(t *testing.T, db *pgxpool.Pool, id int64) backfillRow {
	t.Helper()
	var b backfillRow
	err := db.QueryRow(context.Background(), `
		SELECT state, repos_total, repos_done, repos_errored, coalesce(estimated_cost, 0), coalesce(error, ''),
			coalesce(waiting, '')
		FROM backfills WHERE id = $1`, id).Scan(&b.State, &b.Total, &b.Done, &b.Errored, &b.Cost, &b.Error, &b.Waiting)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func recordingTimes(t *testing.T, db *pgxpool.Pool, seriesID int64) []time.Time {
	t.Helper()
	rows, err := db.Query(context.Background(), `SELECT time FROM series_recording_times WHERE series_id = $1 AND NOT snapshot ORDER BY time`, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (time.Time, error) {
		var at time.Time
		err := row.Scan(&at)
		return at.UTC(), err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func shardTasks(t *testing.T, r *jobs.Runner, backfillID int64) ([]shardqueue.Shard, []shardqueue.Task) {
	t.Helper()
	ctx := context.Background()
	shards, err := shardqueue.ListBackfill(ctx, r.DB, backfillID)
	if err != nil {
		t.Fatal(err)
	}
	var tasks []shardqueue.Task
	for _, s := range shards {
		ts, err := shardqueue.ReadTasks(ctx, r.Bucket, s.ObjectKey)
		if err != nil {
			t.Fatal(err)
		}
		if len(ts) != s.Tasks {
			t.Fatalf("shard %d: %d tasks in the bucket, %d in the queue", s.ID, len(ts), s.Tasks)
		}
		tasks = append(tasks, ts...)
	}
	return shards, tasks
}

func TestPlanCompressionAndFirstCommit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRunner(t)
	repo := gittest.New(t)
	c1 := repo.Commit(day(2, 1).Add(10*time.Hour), "c1", map[string]string{"a.txt": "TODO"})
	c2 := repo.Commit(day(2, 8).Add(10*time.Hour), "c2", map[string]string{"a.txt": "TODO TODO"})
	// No commit for two weeks: the sample times of Feb 12 and Feb 19 both
	// map to c2. A commit exactly at a sample time counts for it.
	c3 := repo.Commit(day(2, 26), "c3", map[string]string{"b.txt": "TODO"})
	c4 := repo.Commit(day(3, 1), "c4", map[string]string{"b.txt": "no"})
	repo.Commit(day(3, 5), "after the last sample time", map[string]string{"c.txt": "x"})
	demo := addRepo(t, r.DB, "demo", repo.Dir)
	addRepo(t, r.DB, "empty", gittest.New(t).Dir)
	syncAndIndex(t, r)
	// Registered after the index ran: not indexed yet.
	addRepo(t, r.DB, "late", gittest.New(t).Dir)

	seriesID, backfillID := addSeries(t, r.DB, series{query: "TODO", kind: "search", unit: "week", points: 6})
	counts := jobstest.MustRun(t, r, &planbackfills.Job{})

	wantTimes := []time.Time{day(1, 29), day(2, 5), day(2, 12), day(2, 19), day(2, 26), day(3, 4)}
	if d := cmp.Diff(wantTimes, recordingTimes(t, r.DB, seriesID)); d != "" {
		t.Fatalf("sample times (-want +got):\n%s", d)
	}
	shards, tasks := shardTasks(t, r, backfillID)
	want := []shardqueue.Task{{SeriesID: seriesID, RepoID: demo,
		Times:   wantTimes[1:], // Jan 29 predates the first commit
		Commits: []string{c1, c2, c2, c3, c4},
	}}
	if d := cmp.Diff(want, tasks); d != "" {
		t.Fatalf("tasks (-want +got):\n%s", d)
	}
	if len(shards) != 1 || shards[0].Priority != shardqueue.PriorityBackfill || shards[0].State != shardqueue.StateQueued {
		t.Fatalf("shards = %+v", shards)
	}
	if got := len(tasks[0].Distinct()); got != 4 {
		t.Fatalf("%d distinct commits for 5 times, want 4", got)
	}
	b := getBackfill(t, r.DB, backfillID)
	// empty: done with nothing to search; late: waited for, not done.
	if b.State != "processing" || b.Total != 3 || b.Done != 1 || b.Errored != 0 || b.Cost <= 0 || shards[0].Cost != b.Cost ||
		b.Waiting != "waiting for sync-repos of late" {
		t.Fatalf("backfill = %+v, shard cost %v", b, shards[0].Cost)
	}
	lost, err := insights.IncompleteList(ctx, r.DB, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 0 {
		t.Fatalf("incomplete points %+v; want none for a repository that is not indexed yet", lost)
	}
	if counts["answers"] != 5 || counts["commits"] != 4 || counts["shards"] != 1 || counts["not_indexed"] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	// Planned backfills are not planned again.
	if c := jobstest.MustRun(t, r, &planbackfills.Job{}); c["backfills"] != 0 {
		t.Fatalf("second run planned %d backfills", c["backfills"])
	}
}

func TestPlanFailsOnlyTheBadBackfills(t *testing.T) {
	t.Parallel()
	r := newRunner(t)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{"a.txt": "x"})
	addRepo(t, r.DB, "demo", repo.Dir)
	syncAndIndex(t, r)
	_, unknown := addSeries(t, r.DB, series{query: "x", kind: "search", repos: []string{"demo", "nope"}, unit: "day", points: 3})
	_, badQuery := addSeries(t, r.DB, series{query: "/(unclosed/", kind: "search", unit: "day", points: 3})
	_, noGroup := addSeries(t, r.DB, series{query: "x", kind: "capture-group", unit: "day", points: 3})
	_, good := addSeries(t, r.DB, series{query: "x", kind: "search", repos: []string{"demo"}, unit: "day", points: 3})
	var badCriteria int64
	err := r.DB.QueryRow(context.Background(), `
		WITH s AS (INSERT INTO insight_series (series_key, query, kind, repo_scope, repo_criteria, interval_unit, interval_value)
			VALUES ('bad-criteria', 'x', 'search', 'criteria', '(', 'day', 1) RETURNING id)
		INSERT INTO backfills (series_id) SELECT id FROM s RETURNING id`).Scan(&badCriteria)
	if err != nil {
		t.Fatal(err)
	}
	counts := jobstest.MustRun(t, r, &planbackfills.Job{})
	if counts["failed"] != 4 || counts["backfills"] != 1 {
		t.Fatalf("counts = %v", counts)
	}
	for id, want := range map[int64]string{unknown: `"nope"`, badQuery: "/(unclosed/", noGroup: "without a capture group",
		badCriteria: `repo criteria "("`} {
		b := getBackfill(t, r.DB, id)
		if b.State != "failed" || !strings.Contains(b.Error, want) {
			t.Errorf("backfill %d = %+v, want failed with an error naming %s", id, b, want)
		}
	}
	if b := getBackfill(t, r.DB, good); b.State != "processing" {
		t.Fatalf("good backfill = %+v", b)
	}
}

func TestPlanNothingToSearchCompletesAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRunner(t)
	addRepo(t, r.DB, "empty", gittest.New(t).Dir)
	young := gittest.New(t)
	young.Commit(now.Add(-time.Hour), "after every sample time", map[string]string{"a": "x"})
	addRepo(t, r.DB, "young", young.Dir)
	syncAndIndex(t, r)
	seriesID, backfillID := addSeries(t, r.DB, series{query: "x", kind: "search", unit: "month", points: 4})
	jobstest.MustRun(t, r, &planbackfills.Job{})
	if b := getBackfill(t, r.DB, backfillID); b.State != "completed" || b.Total != 2 || b.Done != 2 {
		t.Fatalf("backfill = %+v, want completed", b)
	}
	s, err := insights.SeriesGet(ctx, r.DB, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	// Monthly sample times end on March 1; the first recording is April 1.
	if !s.NextRecordingAfter.Equal(day(4, 1)) || !s.NextSnapshotAfter.Equal(now) || !s.BackfillCompletedAt.Equal(now) {
		t.Fatalf("series schedule: recording %v, snapshot %v, completed %v", s.NextRecordingAfter, s.NextSnapshotAfter, s.BackfillCompletedAt)
	}
}

func TestPlanShardsPriorityAndCost(t *testing.T) {
	t.Parallel()
	r := newRunner(t)
	var names []string
	for i := range 3 {
		repo := gittest.New(t)
		for k := range 3 {
			repo.Commit(day(2, 1+7*k), fmt.Sprint("c", k), map[string]string{"a.txt": fmt.Sprint(k)})
		}
		names = append(names, fmt.Sprint("r", i))
		addRepo(t, r.DB, names[i], repo.Dir)
	}
	syncAndIndex(t, r)
	_, wide := addSeries(t, r.DB, series{query: "/a+b/", kind: "search", unit: "week", points: 5})
	_, narrow := addSeries(t, r.DB, series{query: "a", kind: "search", repos: names[:1], unit: "week", points: 5})
	_, top := addSeries(t, r.DB, series{query: "/a+b/", kind: "search", unit: "week", points: 5, prioritized: true})
	jobstest.MustRun(t, r, &planbackfills.Job{Limits: shardqueue.Limits{Tasks: 2}})

	if w, n := getBackfill(t, r.DB, wide), getBackfill(t, r.DB, narrow); n.Cost >= w.Cost {
		t.Fatalf("a literal over one repo costs %v, a regexp over three %v", n.Cost, w.Cost)
	}
	shards, _ := shardTasks(t, r, wide)
	if len(shards) != 2 || shards[0].Tasks != 2 || shards[1].Tasks != 1 {
		t.Fatalf("wide backfill shards = %+v, want 2 + 1 tasks", shards)
	}
	// Claim order: prioritized first, then cheapest.
	var order []int64
	for {
		s, err := shardqueue.Claim(context.Background(), r.DB, "test")
		if err != nil {
			t.Fatal(err)
		}
		if s == nil {
			break
		}
		order = append(order, s.BackfillID)
	}
	if d := cmp.Diff([]int64{top, top, narrow, wide, wide}, order); d != "" {
		t.Fatalf("claim order by backfill (-want +got):\n%s", d)
	}
}

// A series with an absurd interval, stored before apply checked intervals,
// fails its own backfill, naming its insight; the others are planned. It
// used to fail every run with "timestamp out of range", naming nothing.
func TestPlanBadIntervalFailsAlone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRunner(t)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{"a.txt": "x"})
	addRepo(t, r.DB, "demo", repo.Dir)
	syncAndIndex(t, r)
	huge, bad := addSeries(t, r.DB, series{query: "x", kind: "search", unit: "week", points: 12})
	if _, err := r.DB.Exec(ctx, `
		WITH s AS (UPDATE insight_series SET interval_value = 100000000 WHERE id = $1),
		v AS (INSERT INTO insight_views (unique_id, title) VALUES ('forever', 'Forever') RETURNING id)
		INSERT INTO insight_view_series (view_id, series_id, label) SELECT id, $1, 'x' FROM v`, huge); err != nil {
		t.Fatal(err)
	}
	_, good := addSeries(t, r.DB, series{query: "x", kind: "search", unit: "week", points: 12})
	counts := jobstest.MustRun(t, r, &planbackfills.Job{})
	if counts["failed"] != 1 || counts["backfills"] != 1 {
		t.Fatalf("counts = %v; want the bad backfill failed, the good one planned", counts)
	}
	b := getBackfill(t, r.DB, bad)
	if b.State != "failed" || !strings.Contains(b.Error, "forever/x") || !strings.Contains(b.Error, "100000000w is longer than 100 years") {
		t.Fatalf("bad backfill = %+v; want failed, naming the insight and the interval", b)
	}
	if g := getBackfill(t, r.DB, good); g.State != "processing" {
		t.Fatalf("good backfill = %+v", g)
	}
}
