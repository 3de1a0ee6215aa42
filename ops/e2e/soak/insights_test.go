package soak

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/insights/insightstest"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// world is what every run of the soak works on: git repositories built
// once, registered afresh in each run's schema.
type world struct {
	insights *insightstest.World
	lsif     *lsifWorld
}

// outcome is what one run of the soak left: for the report, the faults
// and rounds; for the comparison, the series and the code-intel data.
type outcome struct {
	provider, profile string
	insights, uploads partOutcome
	// views are the todos view read over each repository, and over all
	// of them ("").
	views     map[string]insights.ViewResult
	codeintel map[string][]string
	codenav   map[string]string
}

// uploadsSeed is mixed into the seed of the uploads' faults.
const uploadsSeed = 0x9e3779b97f4a7c15

// soak runs the insights pipeline and the uploads on fresh buckets of p
// behind faults of prof, each on a schema of its own (the insights view
// covers every repository, the uploads' included).
func soak(t *testing.T, p provider, w *world, prof profile) *outcome {
	o := &outcome{provider: p.name, profile: prof.name,
		insights: partOutcome{name: "insights"}, uploads: partOutcome{name: "uploads"}}
	o.runInsights(t, p, w, prof.cfg)
	// The uploads' faults come from a stream of their own, so that they
	// do not repeat the insights' decisions.
	cfg := prof.cfg
	cfg.Seed ^= uploadsSeed
	o.runUploads(t, p, w, cfg)
	return o
}

// runInsights applies the insights file and runs sync-repos →
// index-commits → plan-backfills → run-searches → enqueue-snapshots →
// run-searches, each until it succeeds, then reads the series.
func (o *outcome) runInsights(t *testing.T, p provider, w *world, cfg buckettest.ChaosConfig) {
	part := &o.insights
	b, chaos := p.open(t, cfg)
	r := newRunner(t, b)
	r.NowFunc = func() time.Time { return insightstest.Now }
	spec, err := insightspec.ParseBytes("insights.yaml", w.insights.YAML, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := insights.Apply(context.Background(), r.DB, spec, insightstest.Now); err != nil {
		t.Fatal(err)
	}
	part.runUntilDone(t, r, &syncrepos.Job{})
	part.runUntilDone(t, r, &indexcommits.Job{})
	part.runUntilDone(t, r, &planbackfills.Job{})
	part.drain(t, r)
	part.runUntilDone(t, r, &enqueuesnapshots.Job{})
	part.drain(t, r)
	part.faults = chaos.Counts()
	o.readSeries(t, r)
}

// drain runs run-searches until a successful run found no shard and none
// is left queued or processing. A failed shard is retried at once.
func (p *partOutcome) drain(t *testing.T, r *jobs.Runner) {
	t.Helper()
	job := &runsearches.Job{RetryAfter: -1}
	for range maxRounds {
		c := p.runUntilDone(t, r, job)
		if c["shards"] == 0 && queueEmpty(t, r) {
			return
		}
	}
	t.Fatalf("%s: the search queue is not empty after %d successful runs of run-searches", p.name, maxRounds)
}

func queueEmpty(t *testing.T, r *jobs.Runner) bool {
	st, err := insights.StatusGet(context.Background(), r.DB, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range st.Queue {
		if (q.State == "queued" || q.State == "processing") && q.Shards > 0 {
			return false
		}
	}
	return true
}

// readSeries reads the todos view over all repositories and over each
// one, and checks that every backfill completed.
func (o *outcome) readSeries(t *testing.T, r *jobs.Runner) {
	ctx := context.Background()
	o.views = map[string]insights.ViewResult{}
	for _, repo := range append([]string{""}, insightstest.Repos...) {
		opts := insights.ReadOpts{ViewID: "todos", Now: insightstest.Now, MaxIncomplete: 1 << 20, Admin: true}
		if repo != "" {
			opts.IncludeRepos = []string{"^" + repo + "$"}
		}
		res, err := insights.ViewSeries(ctx, r.DB, opts)
		if err != nil {
			t.Fatal(err)
		}
		o.views[repo] = res
	}
	st, err := insights.StatusGet(ctx, r.DB, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range st.Backfills {
		if b.State != "completed" {
			t.Errorf("%s, %s: backfill %d of %v is %s (%s), %d of %d repositories errored",
				o.provider, o.profile, b.ID, b.Views, b.State, b.Error, b.ReposErrored, b.ReposTotal)
		}
	}
}

// checkOracle compares a fault-free run's series with git grep, over all
// repositories and over each.
func (w *world) checkOracle(t *testing.T, o *outcome) {
	t.Helper()
	oracle := insightstest.NewOracle(t, w.insights, insightstest.SampleTimes())
	for repo, res := range o.views {
		repos := insightstest.Repos
		if repo != "" {
			repos = []string{repo}
		}
		oracle.Check(fmt.Sprintf("%s, fault-free, repositories %v", o.provider, repos), res, repos)
	}
}
