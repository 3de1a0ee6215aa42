package insights

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/insights/insightstest"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// now is the clock of the test, a Wednesday: the ten weekly sample times
// are the Mondays from January 8 to March 11, 2024.
var now = insightstest.Now

// fixture is the world of the test: the repositories, the database and
// the git grep oracle.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	r      *jobs.Runner
	dirs   map[string]string // repository name → work tree
	oracle *insightstest.Oracle
	// times are the sample times, oldest first.
	times []time.Time
	// spec is the applied insights file.
	spec *insightspec.File
}

// check reads a view as opts says and compares every point with git grep
// over repos.
func (f *fixture) check(name string, opts insights.ReadOpts, repos []string) insights.ViewResult {
	f.t.Helper()
	opts.Now = now
	res, err := insights.ViewSeries(f.ctx, f.r.DB, opts)
	if err != nil {
		f.t.Fatalf("%s: %v", name, err)
	}
	f.oracle.Check(name, res, repos)
	return res
}

func (f *fixture) run(job jobs.Job) jobs.Counts {
	f.t.Helper()
	return jobstest.MustRun(f.t, f.r, job)
}

// drain runs run-searches until a run finds the queue empty, and returns
// the tallies of the runs that did work, summed.
func (f *fixture) drain() jobs.Counts {
	f.t.Helper()
	sum := jobs.Counts{}
	for range 5 {
		c := f.run(&runsearches.Job{})
		if c["shards"] == 0 {
			return sum
		}
		for k, v := range c {
			sum[k] += v
		}
	}
	f.t.Fatal("run-searches still finds shards after 5 runs")
	return nil
}

// tableCounts counts the rows of every table the pipeline writes (but
// the ledgers of runs).
func (f *fixture) tableCounts() map[string]int64 {
	out := map[string]int64{}
	for _, table := range []string{"repos", "repo_commits", "insight_views", "insight_series", "insight_view_series",
		"backfills", "search_shards", "series_points", "snapshot_points", "series_recording_times",
		"incomplete_points", "repo_grants"} {
		out[table] = count(f.t, f.r.DB, "SELECT count(*) FROM "+table)
	}
	// Every run of sync-repos and index-commits loads a batch of its own;
	// searches load only when there is work.
	out["loaded_batches of run-searches"] = count(f.t, f.r.DB, "SELECT count(*) FROM loaded_batches WHERE job = 'run-searches'")
	return out
}

func TestInsightsEndToEnd(t *testing.T) {
	t.Parallel()
	// Apply: four series in the file, two data series (the views share
	// them), one backfill each.
	f, applied := newAppliedFixture(t)
	if applied.ReposCreated != 3 || applied.SeriesCreated != 2 || applied.BackfillsQueued != 2 {
		t.Fatalf("apply: %+v; want 3 repos, 2 data series, 2 backfills", applied)
	}

	f.run(&syncrepos.Job{})
	f.run(&indexcommits.Job{})
	plan := f.run(&planbackfills.Job{})
	searched := f.drain()
	snap := f.run(&enqueuesnapshots.Job{})
	if snap["snapshots"] != 2 || snap["recordings"] != 0 {
		t.Fatalf("enqueue-snapshots counts %v; want 2 snapshots and no recording (the next is due on Monday)", snap)
	}
	// The snapshots continue the backfills' last answers (f.check below
	// compares them with git grep).
	if c := f.drain(); c["incremental"] != 6 || c["full"] != 0 {
		t.Errorf("snapshot run-searches counts %v; want 6 incremental tasks (2 series × 3 repositories), none full", c)
	}

	// Compression: the plan maps each repository's times to commits, one
	// evaluation per distinct commit; gamma has no commit at the first two
	// times.
	var answers, distinct int64
	for _, dir := range f.dirs {
		seen := map[string]bool{}
		for _, at := range f.times {
			if c := gittest.CommitAt(t, dir, at); c != "" {
				answers++
				seen[c] = true
			}
		}
		distinct += int64(len(seen))
	}
	if answers != 28 {
		t.Errorf("git maps %d (repo, time) pairs to commits; the fixture means 28 (gamma starts in week 3)", answers)
	}
	if plan["backfills"] != 2 || plan["answers"] != 2*answers || plan["commits"] != 2*distinct || distinct >= answers {
		t.Errorf("plan-backfills counts %v; want 2 backfills, %d answers from %d distinct commits", plan, 2*answers, 2*distinct)
	}
	// The two series' shards cover the same repositories: one claim, one
	// pass per repository walking each distinct commit once for both.
	if searched["answers"] != 2*answers || searched["commits"] != distinct || searched["claims"] != 1 ||
		searched["passes"] != int64(len(f.dirs)) {
		t.Errorf("run-searches counts %v; want %d answers from %d commits, in 1 claim and %d passes", searched, 2*answers, distinct, len(f.dirs))
	}
	if n := count(t, f.r.DB, `SELECT count(*) FROM backfills WHERE state <> 'completed'`); n != 0 {
		t.Errorf("%d backfills not completed", n)
	}

	all := []string{"alpha", "beta", "gamma"}
	admin := f.check("admin", insights.ReadOpts{Admin: true, ViewID: "todos"}, all)
	// The week without commits repeats the previous value.
	for _, s := range admin.Series {
		if s.SeriesLabel == "TODO" && s.Points[3].Value != s.Points[4].Value {
			t.Errorf("TODO at January 29 = %d, at February 5 = %d; no commit in between", s.Points[3].Value, s.Points[4].Value)
		}
	}
	f.check("alice without a grant", insights.ReadOpts{ViewID: "todos", User: "alice"}, []string{"alpha", "beta"})
	f.check("default filters", insights.ReadOpts{Admin: true, ViewID: "todos-filtered"}, []string{"alpha"})
	f.check("include overridden", insights.ReadOpts{Admin: true, ViewID: "todos-filtered", IncludeRepos: []string{"^(beta|gamma)$"}}, []string{"beta"})
	f.check("filters cleared", insights.ReadOpts{Admin: true, ViewID: "todos-filtered", IncludeRepos: []string{}, ExcludeRepos: []string{}}, all)
	f.check("exclude on the unfiltered view", insights.ReadOpts{Admin: true, ViewID: "todos", ExcludeRepos: []string{"^alpha$"}}, []string{"beta", "gamma"})
	if _, _, err := insights.GrantAdd(f.ctx, f.r.DB, "alice", "gamma", now); err != nil {
		t.Fatal(err)
	}
	f.check("alice with a grant", insights.ReadOpts{ViewID: "todos", User: "alice"}, all)
	f.check("bob without a grant", insights.ReadOpts{ViewID: "todos", User: "bob"}, []string{"alpha", "beta"})
	f.check("alice, filtered", insights.ReadOpts{ViewID: "todos-filtered", User: "alice", ExcludeRepos: []string{}}, []string{"alpha", "gamma"})

	// Everything again: nothing changes, and no point is duplicated.
	before := f.tableCounts()
	if _, err := insights.Apply(f.ctx, f.r.DB, f.spec, now); err != nil {
		t.Fatal(err)
	}
	f.run(&syncrepos.Job{})
	f.run(&indexcommits.Job{})
	if c := f.run(&planbackfills.Job{}); c["backfills"] != 0 {
		t.Errorf("second plan-backfills planned %v", c)
	}
	f.drain()
	if c := f.run(&enqueuesnapshots.Job{}); c["series"] != 0 {
		t.Errorf("second enqueue-snapshots: %v", c)
	}
	f.drain()
	after := f.tableCounts()
	if d := cmp.Diff(before, after); d != "" {
		t.Errorf("running every job again changed row counts (-before +after):\n%s", d)
	}
	again, err := insights.ViewSeries(f.ctx, f.r.DB, insights.ReadOpts{Admin: true, ViewID: "todos", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(admin, again); d != "" {
		t.Errorf("running every job again changed the series (-before +after):\n%s", d)
	}
	f.checkRunClocks(syncrepos.Name, indexcommits.Name, planbackfills.Name, runsearches.Name, enqueuesnapshots.Name)
}

// checkRunClocks checks that every batch run the jobs committed carries the
// runner's clock, as every job sets it (jobs.Env.NewRun).
func (f *fixture) checkRunClocks(jobNames ...string) {
	f.t.Helper()
	for _, job := range jobNames {
		runs, err := batch.ListRuns(f.ctx, f.r.Bucket, job)
		if err != nil {
			f.t.Fatal(err)
		}
		if len(runs) == 0 {
			f.t.Errorf("%s committed no batch run", job)
		}
		for _, m := range runs {
			if !m.Created.Equal(now) {
				f.t.Errorf("%s run %s was created at %s, want the run's clock %s", job, m.RunID, m.Created, now)
			}
		}
	}
}
