package insights

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/prune"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/insights"
)

// prune deletes the points older than a series' window times the factor,
// counts them, and never changes what a series shows: not after four
// weeks of recordings (the window of ten weeks keeps more than the chart),
// nor a year later without recordings, when the whole chart is older than
// the window.
func TestPrunePointsKeepsWhatSeriesShow(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.run(&syncrepos.Job{})
	f.run(&indexcommits.Job{})
	f.run(&planbackfills.Job{})
	f.drain()
	// Four weekly recordings: 14 recording times, the chart shows the
	// newest 10.
	later := now
	for range 4 {
		later = later.AddDate(0, 0, 7)
		f.r.NowFunc = func() time.Time { return later }
		if c := f.run(&enqueuesnapshots.Job{}); c["recordings"] != 1*2 {
			t.Fatalf("enqueue-snapshots at %s: %v; want one recording of each of the 2 series", later, c)
		}
		f.drain()
	}
	cutoff := later.AddDate(0, 0, -7*10) // one window: 10 weeks
	old := func(table string) int64 {
		return count(t, f.r.DB, "SELECT count(*) FROM "+table+" WHERE time < '"+cutoff.Format(time.RFC3339)+"'")
	}
	wantPoints, wantTimes := old("series_points"), old("series_recording_times")
	if wantPoints == 0 || wantTimes != 2*4 {
		t.Fatalf("%d points and %d recording times before the window; the fixture means some points and 4 times of each of 2 series", wantPoints, wantTimes)
	}
	before := f.views(later)

	c := f.run(&prune.Job{PointsWindowFactor: 1})
	if c["old_points"] != wantPoints || c["old_recording_times"] != wantTimes {
		t.Errorf("prune counts %v; want old_points=%d old_recording_times=%d", c, wantPoints, wantTimes)
	}
	if n := old("series_points") + old("series_recording_times") + old("incomplete_points"); n != 0 {
		t.Errorf("%d rows before the window are left", n)
	}
	if d := cmp.Diff(before, f.views(later)); d != "" {
		t.Errorf("prune changed what the series show (-before +after):\n%s", d)
	}

	// A year on, nothing recorded since: every point is older than the
	// window, and all of them are still shown.
	yearOn := later.AddDate(1, 0, 0)
	f.r.NowFunc = func() time.Time { return yearOn }
	c = f.run(&prune.Job{PointsWindowFactor: 1})
	if c["old_points"]+c["old_recording_times"]+c["old_incomplete_points"] != 0 {
		t.Errorf("prune a year on deleted what the series show: %v", c)
	}
	if d := cmp.Diff(before, f.views(yearOn)); d != "" {
		t.Errorf("prune a year on changed what the series show (-before +after):\n%s", d)
	}
}

// views reads every view of the fixture as an administrator at now.
func (f *fixture) views(at time.Time) map[string]insights.ViewResult {
	f.t.Helper()
	out := map[string]insights.ViewResult{}
	for _, id := range []string{"todos", "todos-filtered"} {
		res, err := insights.ViewSeries(f.ctx, f.r.DB, insights.ReadOpts{Admin: true, ViewID: id, Now: at})
		if err != nil {
			f.t.Fatal(err)
		}
		if len(res.Series) == 0 || len(res.Series[0].Points) < 10 {
			f.t.Fatalf("view %s at %s: %d series, want some with 10 points or more", id, at, len(res.Series))
		}
		out[id] = res
	}
	return out
}
