package planbackfills_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// A repository last indexed on February 20 has a commit since: the sample
// times after its index (February 26, March 4) are not mapped to the old
// head. The backfill waits, and status says for what, until index-commits
// runs again; then each time maps to the commit git names.
func TestPlanWaitsForStaleIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRunner(t)
	repo := gittest.New(t)
	repo.Commit(day(2, 1), "c1", map[string]string{"a.txt": "TODO"})
	repo.Commit(day(2, 8), "c2", map[string]string{"a.txt": "TODO TODO"})
	addRepo(t, r.DB, "demo", repo.Dir)
	indexedAt := day(2, 20).Add(12 * time.Hour)
	r.NowFunc = func() time.Time { return indexedAt }
	jobstest.MustRun(t, r, &syncrepos.Job{})
	jobstest.MustRun(t, r, &indexcommits.Job{})
	repo.Commit(day(2, 25), "c3 after the index", map[string]string{"b.txt": "TODO"})

	r.NowFunc = func() time.Time { return now }
	_, backfillID := addSeries(t, r.DB, series{query: "TODO", kind: "search", unit: "week", points: 6})
	counts := jobstest.MustRun(t, r, &planbackfills.Job{})
	const why = "waiting for index-commits of demo (its commit index ends at 2024-02-20 12:00:00, before 2024-03-04 00:00:00)"
	if b := getBackfill(t, r.DB, backfillID); b.State != "processing" || b.Done != 0 || b.Waiting != why {
		t.Fatalf("backfill with a stale index = %+v; want processing, waiting %q", b, why)
	}
	if shards, _ := shardTasks(t, r, backfillID); len(shards) != 0 || counts["not_indexed"] != 1 {
		t.Fatalf("%d shards, counts %v; want none planned and 1 repository waiting", len(shards), counts)
	}
	st, err := insights.StatusGet(ctx, r.DB, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Backfills) != 1 || st.Backfills[0].Waiting != why {
		t.Fatalf("status backfills %+v; want the waiting reason %q", st.Backfills, why)
	}

	jobstest.MustRun(t, r, &indexcommits.Job{})
	if c := jobstest.MustRun(t, r, &planbackfills.Job{}); c["resumed"] != 1 {
		t.Fatalf("plan-backfills after index-commits: %v; want the backfill resumed", c)
	}
	_, tasks := shardTasks(t, r, backfillID)
	if len(tasks) != 1 {
		t.Fatalf("%d tasks, want 1", len(tasks))
	}
	var want []string
	for _, at := range tasks[0].Times {
		want = append(want, gittest.CommitAt(t, repo.Dir, at))
	}
	if d := cmp.Diff(want, tasks[0].Commits); d != "" {
		t.Fatalf("commits at %v (-git +planned):\n%s", tasks[0].Times, d)
	}
	if b := getBackfill(t, r.DB, backfillID); b.Waiting != "" {
		t.Fatalf("backfill still waiting: %+v", b)
	}
}
