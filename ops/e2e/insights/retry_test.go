package insights

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/insights/insightstest"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// newFixture applies the shared insights file over the three scripted
// repositories of insightstest.NewWorld.
func newFixture(t *testing.T) *fixture {
	f, _ := newAppliedFixture(t)
	return f
}

// newAppliedFixture is newFixture that also says what apply did.
func newAppliedFixture(t *testing.T) (*fixture, insights.ApplyResult) {
	world := insightstest.NewWorld(t)
	f := &fixture{t: t, ctx: context.Background(), r: jobstest.NewRunner(t), dirs: world.Dirs, times: insightstest.SampleTimes()}
	f.oracle = insightstest.NewOracle(t, world, f.times)
	f.r.NowFunc = func() time.Time { return now }
	spec, err := insightspec.ParseBytes("insights.yaml", world.YAML, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.spec = spec
	applied, err := insights.Apply(f.ctx, f.r.DB, spec, now)
	if err != nil {
		t.Fatal(err)
	}
	return f, applied
}

// drainRetrying is drain with failed shards retried at once.
func (f *fixture) drainRetrying() jobs.Counts {
	f.t.Helper()
	sum := jobs.Counts{}
	for range 10 {
		c := f.run(&runsearches.Job{RetryAfter: -1})
		if c["shards"]+c["retried"] == 0 {
			return sum
		}
		for k, v := range c {
			sum[k] += v
		}
	}
	f.t.Fatal("run-searches still finds shards after 10 runs")
	return nil
}

// insights backfill --retry-incomplete recomputes the points a repository
// could not answer: here a repository whose directory was gone while its
// shards ran, and came back.
func TestRetryIncompleteRecomputesRepoErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.run(&syncrepos.Job{})
	f.run(&indexcommits.Job{})
	f.run(&planbackfills.Job{})
	beta := f.dirs["beta"]
	if err := os.Rename(beta, beta+".away"); err != nil {
		t.Fatal(err)
	}
	f.drainRetrying()
	if err := os.Rename(beta+".away", beta); err != nil {
		t.Fatal(err)
	}
	lost := count(t, f.r.DB, `SELECT count(*) FROM incomplete_points WHERE reason = 'repo-error'`)
	if lost != 2*10 { // beta at each sample time, in both series
		t.Fatalf("%d repo-error points; want beta's 10 sample times in both series", lost)
	}
	if n := count(t, f.r.DB, `SELECT count(*) FROM backfills WHERE state <> 'completed'`); n != 0 {
		t.Fatalf("%d backfills not completed", n)
	}
	// A git error is not retried by itself: only the command retries it.
	if c := f.run(&planbackfills.Job{}); c["retries"] != 0 {
		t.Fatalf("plan-backfills queued retries by itself: %v", c)
	}

	res, err := insights.BackfillRetry(f.ctx, f.r.DB, "todos", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].BackfillID == 0 || res[0].Points != 10 || res[0].Repos != 1 || res[1].BackfillID == 0 {
		t.Fatalf("retry: %+v; want a retry backfill of beta's 10 points for each series", res)
	}
	again, err := insights.BackfillRetry(f.ctx, f.r.DB, "todos", now)
	if err != nil || len(again) != 2 || again[0].Open != res[0].BackfillID || again[0].BackfillID != 0 {
		t.Fatalf("second retry while the first is open: %+v, %v; want it left alone", again, err)
	}
	c := f.run(&planbackfills.Job{})
	if c["backfills"] != 2 || c["answers"] != 2*10 {
		t.Fatalf("plan-backfills counts %v; want 2 retry backfills of beta's 10 answers", c)
	}
	f.drainRetrying()
	f.run(&enqueuesnapshots.Job{})
	f.drainRetrying()
	f.check("after the retry", insights.ReadOpts{ViewID: "todos", Admin: true}, []string{"alpha", "beta", "gamma"})
	if n := count(t, f.r.DB, `SELECT count(*) FROM backfills WHERE retry AND state = 'completed'`); n != 2 {
		t.Fatalf("%d retry backfills completed, want 2", n)
	}
}

// A backfill that stopped waiting for repositories records their points as
// not indexed; once they are, plan-backfills retries them by itself.
func TestRetryAfterIndexIsAutomatic(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	job := &planbackfills.Job{MaxWait: time.Nanosecond}
	f.run(job) // waits
	if c := f.run(job); c["given_up"] != 6 {
		t.Fatalf("plan-backfills counts %v; want it to stop waiting for 3 repositories in 2 backfills", c)
	}
	if n := count(t, f.r.DB, `SELECT count(*) FROM backfills WHERE state <> 'completed'`); n != 0 {
		t.Fatalf("%d backfills not completed after giving up", n)
	}
	detail := ""
	if err := f.r.DB.QueryRow(f.ctx, `SELECT detail FROM incomplete_points LIMIT 1`).Scan(&detail); err != nil ||
		!strings.Contains(detail, "not synced and indexed yet") {
		t.Fatalf("incomplete point detail %q, %v", detail, err)
	}
	if c := f.run(job); c["retries"] != 0 {
		t.Fatalf("retried before the repositories were indexed: %v", c)
	}
	f.run(&syncrepos.Job{})
	f.run(&indexcommits.Job{})
	if c := f.run(job); c["retries"] != 2 || c["backfills"] != 2 || c["answers"] != 2*28 {
		t.Fatalf("plan-backfills after index counts %v; want both series retried, 28 answers each", c)
	}
	f.drain()
	f.run(&enqueuesnapshots.Job{})
	f.drain()
	f.check("retried after the index", insights.ReadOpts{ViewID: "todos", Admin: true}, []string{"alpha", "beta", "gamma"})
	if c := f.run(job); c["retries"] != 0 {
		t.Fatalf("retried again: %v", c)
	}
}

// An automatic retry that cannot be planned (here the series' interval is
// one apply now refuses, as a series applied before apply checked may
// have) fails once, named; plan-backfills does not queue another on every
// run after it.
func TestAutomaticRetryFailsOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	job := &planbackfills.Job{MaxWait: time.Nanosecond}
	f.run(job) // waits
	if c := f.run(job); c["given_up"] != 6 {
		t.Fatalf("plan-backfills counts %v; want it to stop waiting for 3 repositories in 2 backfills", c)
	}
	f.run(&syncrepos.Job{})
	f.run(&indexcommits.Job{})
	if _, err := f.r.DB.Exec(f.ctx, `UPDATE insight_series SET interval_unit = 'year', interval_value = 200`); err != nil {
		t.Fatal(err)
	}
	if c := f.run(job); c["retries"] != 2 || c["failed"] != 2 {
		t.Fatalf("plan-backfills counts %v; want both series' retries queued and failed", c)
	}
	for range 2 {
		if c := f.run(job); c["retries"] != 0 || c["failed"] != 0 {
			t.Fatalf("plan-backfills counts %v; want no retry queued again after the failed one", c)
		}
	}
	if n := count(t, f.r.DB, `SELECT count(*) FROM backfills WHERE retry`); n != 2 {
		t.Fatalf("%d retry backfills; want one per series", n)
	}
}
