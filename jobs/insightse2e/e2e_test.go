package insightse2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strings"
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
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gittest"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

// now is a Wednesday: the ten weekly sample times are the Mondays from
// January 8 to March 11, 2024, at midnight UTC.
var now = time.Date(2024, 3, 13, 12, 30, 0, 0, time.UTC)

// The queries of the file, and what git grep runs for each.
const (
	literal     = "TODO"
	capturePCRE = `errors\.New\("[a-z]+`
)

var captureRE = regexp.MustCompile(`(?i)errors\.New\("([a-z]+)`)

// The view with default filters keeps alpha and gamma (include) but not
// gamma (exclude): alpha alone.
const insightsYAML = `
repos:
  - {name: alpha, path: %s}
  - {name: beta, path: %s}
  - {name: gamma, path: %s, private: true}
insights:
  - id: todos
    title: TODOs and error messages
    all_repos: true
    interval: 1w
    points: 10
    series:
      - {label: TODO, query: TODO}
      - {label: msg, query: '/errors\.New\("([a-z]+)/', kind: capture-group}
  - id: todos-filtered
    title: TODOs, filtered
    all_repos: true
    interval: {unit: week, value: 1}
    points: 10
    filters: {include_repos: '^(alpha|gamma)$', exclude_repos: '^gamma$'}
    series:
      - {label: TODO, query: TODO}
      - {label: msg, query: '/errors\.New\("([a-z]+)/', kind: capture-group}
`

// lines are what the generated files are made of: TODOs in several cases
// and counts per line, and error messages for the capture group, with
// values differing only in case.
var lines = []string{
	"// TODO: handle the error",
	"// todo later",
	"x := 1 // TODO TODO",
	`return errors.New("open failed")`,
	`return errors.New("Close")`,
	`return errors.New("close")`,
	`err = errors.New("read") // FIXME`,
	`return errors.New("write"), errors.New("open")`,
	"func f() {}",
	"a plain line",
	"Todo: a Todo in prose",
}

var paths = []string{"a.go", "b.go", "docs/c.md", "d.txt", "e/f.go"}

// scriptedRepo builds a repository of about 20 commits between January 2
// and March 12, 2024, none from January 23 to February 6 (so sample times
// January 29 and February 5 map to the commit of January 22), starting on
// day first of January. Contents come from seed.
func scriptedRepo(t *testing.T, seed uint64, first int) *gittest.Repo {
	rng := rand.New(rand.NewPCG(seed, 1))
	var days []time.Time
	start := time.Date(2024, 1, first, 0, 0, 0, 0, time.UTC)
	for d := start; d.Before(time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC)); d = d.AddDate(0, 0, 1) {
		gap := d.After(time.Date(2024, 1, 22, 12, 0, 0, 0, time.UTC)) && d.Before(time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC))
		if d.Equal(start) || !gap && rng.IntN(3) == 0 {
			days = append(days, d)
		}
	}
	// The last commit comes after the last sample time, so the snapshot
	// differs from the last point.
	days = append(days, time.Date(2024, 3, 12, 0, 0, 0, 0, time.UTC))
	repo := gittest.New(t)
	for i, d := range days {
		files := map[string]string{}
		for range 1 + rng.IntN(3) {
			path := paths[rng.IntN(len(paths))]
			if i > 0 && rng.IntN(8) == 0 {
				files[path] = "" // delete (or leave absent)
				continue
			}
			var b strings.Builder
			for range 2 + rng.IntN(10) {
				b.WriteString(lines[rng.IntN(len(lines))] + "\n")
			}
			files[path] = b.String()
		}
		at := d.Add(time.Duration(9+rng.IntN(10))*time.Hour + time.Duration(rng.IntN(60))*time.Minute)
		commitFiles(t, repo, at, fmt.Sprintf("commit %d", i), files)
	}
	return repo
}

// commitFiles is gittest.Repo.Commit, except that deleting a path that is
// not there does nothing.
func commitFiles(t *testing.T, repo *gittest.Repo, at time.Time, msg string, files map[string]string) {
	for path, content := range files {
		if content == "" && gittest.Output(t, repo.Dir, "ls-files", "--", path) == "" {
			delete(files, path)
		}
	}
	repo.Commit(at, msg, files)
}

// fixture is the world of the test: the repositories and the database.
type fixture struct {
	t    *testing.T
	ctx  context.Context
	r    *jobs.Runner
	dirs map[string]string // repository name → work tree
	// times are the sample times, oldest first.
	times []time.Time
	// literal and captures cache what git grep counts per repository and
	// commit.
	literal  map[string]int64
	captures map[string]map[string]int64
}

// want is what a series shows: values at the sample times, then the
// snapshot.
type want struct {
	points   []int64
	snapshot int64
}

// expected computes, from git, the TODO series and each captured value's
// series summed over repos, at the sample times and at HEAD.
func (f *fixture) expected(repos []string) (todo want, captures map[string]*want) {
	captures = map[string]*want{}
	capture := func(c string) *want {
		if captures[c] == nil {
			captures[c] = &want{points: make([]int64, len(f.times))}
		}
		return captures[c]
	}
	todo.points = make([]int64, len(f.times))
	for _, name := range repos {
		dir := f.dirs[name]
		for i, at := range f.times {
			commit := gittest.CommitAt(f.t, dir, at)
			if commit == "" {
				continue
			}
			lit, caps := f.grep(dir, commit)
			todo.points[i] += lit
			for c, n := range caps {
				capture(c).points[i] += n
			}
		}
		lit, caps := f.grep(dir, gittest.Output(f.t, dir, "rev-parse", "HEAD"))
		todo.snapshot += lit
		for c, n := range caps {
			capture(c).snapshot += n
		}
	}
	return todo, captures
}

func (f *fixture) grep(dir, commit string) (int64, map[string]int64) {
	if _, ok := f.literal[commit]; !ok {
		f.literal[commit] = gittest.GrepCount(f.t, dir, commit, literal)
		f.captures[commit] = grepCaptures(f.t, dir, commit, capturePCRE, captureRE)
	}
	return f.literal[commit], f.captures[commit]
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
	if len(res.Incomplete) != 0 {
		f.t.Errorf("%s: incomplete points %+v", name, res.Incomplete)
	}
	todo, captures := f.expected(repos)
	seen := map[string]bool{}
	for _, s := range res.Series {
		var w want
		switch {
		case s.SeriesLabel == "TODO" && s.Capture == "":
			w = todo
		case s.SeriesLabel == "msg" && captures[s.Capture] != nil:
			w, seen[s.Capture] = *captures[s.Capture], true
		default:
			f.t.Errorf("%s: unexpected series %q (capture %q)", name, s.Label, s.Capture)
			continue
		}
		f.comparePoints(fmt.Sprintf("%s: series %q", name, s.Label), s.Points, w)
	}
	for c, w := range captures {
		if !seen[c] && (w.snapshot != 0 || slices.ContainsFunc(w.points, func(n int64) bool { return n != 0 })) {
			f.t.Errorf("%s: captured value %q missing; git grep counts %v then %d", name, c, w.points, w.snapshot)
		}
	}
	if len(captures) == 0 || len(seen) == 0 {
		f.t.Errorf("%s: no capture-group series to compare", name)
	}
	return res
}

// comparePoints checks one series: a point at every sample time, then the
// snapshot at now.
func (f *fixture) comparePoints(name string, got []insights.ResultPoint, w want) {
	f.t.Helper()
	if len(got) != len(f.times)+1 {
		f.t.Errorf("%s: %d points, want %d sample times and the snapshot", name, len(got), len(f.times))
		return
	}
	for i, at := range f.times {
		p := got[i]
		if !p.Time.Equal(at) || p.Snapshot || p.Value != w.points[i] {
			f.t.Errorf("%s: point %d = %d at %s (snapshot %v); git grep counts %d at %s",
				name, i, p.Value, p.Time.UTC().Format(time.DateTime), p.Snapshot, w.points[i], at.Format(time.DateTime))
		}
	}
	last := got[len(got)-1]
	if !last.Snapshot || !last.Time.Equal(now) || last.Value != w.snapshot {
		f.t.Errorf("%s: last point %d at %s (snapshot %v); want the snapshot %d at HEAD, at %s",
			name, last.Value, last.Time.UTC().Format(time.DateTime), last.Snapshot, w.snapshot, now.Format(time.DateTime))
	}
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
	f := &fixture{t: t, ctx: context.Background(), r: jobstest.NewRunner(t),
		literal: map[string]int64{}, captures: map[string]map[string]int64{}}
	f.r.NowFunc = func() time.Time { return now }
	alpha, beta, gamma := scriptedRepo(t, 1, 2), scriptedRepo(t, 2, 3), scriptedRepo(t, 3, 17)
	f.dirs = map[string]string{"alpha": alpha.Dir, "beta": beta.Dir, "gamma": gamma.Dir}
	for i := range 10 {
		f.times = append(f.times, time.Date(2024, 1, 8+7*i, 0, 0, 0, 0, time.UTC))
	}

	// Apply: four series in the file, two data series (the views share
	// them), one backfill each.
	spec, err := insightspec.ParseBytes("insights.yaml", fmt.Appendf(nil, insightsYAML, alpha.Dir, beta.Dir, gamma.Dir), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	applied, err := insights.Apply(f.ctx, f.r.DB, spec, now)
	if err != nil {
		t.Fatal(err)
	}
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
	f.drain()

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
	if searched["answers"] != 2*answers || searched["commits"] != 2*distinct {
		t.Errorf("run-searches counts %v; want %d answers from %d commits", searched, 2*answers, 2*distinct)
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
	if _, err := insights.Apply(f.ctx, f.r.DB, spec, now); err != nil {
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
}
