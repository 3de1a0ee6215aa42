package insights

import (
	"strings"
	"testing"

	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/insights"
)

// A new repository's history is not lost when plan-backfills runs before
// sync-repos and index-commits have (the default cron order allows it):
// the backfill waits, saying for what, and once the repositories are
// indexed plans them; the series then equals git grep.
func TestBackfillWaitsForNewRepositories(t *testing.T) {
	t.Parallel()
	f := newFixture(t)

	// Planned before any sync: both backfills wait for all three.
	if c := f.run(&planbackfills.Job{}); c["backfills"] != 2 || c["not_indexed"] != 6 || c["shards"] != 0 {
		t.Fatalf("plan-backfills before sync counts %v; want 2 backfills waiting for 3 repositories each", c)
	}
	f.checkWaiting("before sync", "waiting for sync-repos of alpha; sync-repos of beta; sync-repos of gamma")
	if n := count(t, f.r.DB, `SELECT count(*) FROM incomplete_points`); n != 0 {
		t.Fatalf("%d incomplete points recorded for repositories that are merely not indexed yet", n)
	}
	f.run(&syncrepos.Job{})
	if c := f.run(&planbackfills.Job{}); c["resumed"] != 0 || c["not_indexed"] != 6 {
		t.Fatalf("plan-backfills after sync counts %v; want both still waiting", c)
	}
	f.checkWaiting("after sync", "waiting for index-commits of alpha; index-commits of beta; index-commits of gamma")
	f.drain() // nothing to search yet: the backfills must not finish
	f.checkWaiting("after run-searches", "waiting for index-commits of alpha")

	f.run(&indexcommits.Job{})
	if c := f.run(&planbackfills.Job{}); c["resumed"] != 2 || c["not_indexed"] != 0 || c["answers"] != 2*28 {
		t.Fatalf("plan-backfills after index counts %v; want both backfills' 28 answers planned", c)
	}
	f.drain()
	if n := count(t, f.r.DB, `SELECT count(*) FROM backfills WHERE state <> 'completed' OR waiting IS NOT NULL`); n != 0 {
		t.Fatalf("%d backfills not completed", n)
	}
	f.run(&enqueuesnapshots.Job{})
	f.drain()
	f.check("planned before the index", insights.ReadOpts{ViewID: "todos", Admin: true}, []string{"alpha", "beta", "gamma"})
}

// checkWaiting checks that every open backfill waits, as insights show and
// status say, with a reason starting with want.
func (f *fixture) checkWaiting(when, want string) {
	f.t.Helper()
	v, err := insights.ViewGet(f.ctx, f.r.DB, "todos")
	if err != nil {
		f.t.Fatal(err)
	}
	for _, s := range v.Series {
		b := s.Backfill
		if b == nil || b.State != "processing" || !strings.HasPrefix(b.Waiting, want) {
			f.t.Fatalf("%s: series %q backfill %+v; want processing, %q", when, s.Label, b, want)
		}
	}
	st, err := insights.StatusGet(f.ctx, f.r.DB, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, b := range st.Backfills {
		if !strings.HasPrefix(b.Waiting, want) {
			f.t.Fatalf("%s: status shows backfill %d %s, waiting %q; want %q", when, b.ID, b.State, b.Waiting, want)
		}
	}
}
