package planbackfills_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/commitindex"
	"github.com/sightline-dev/sightline/sinks/repos"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// TestHistoryListMapsTimesAsGit maps sample times through the part of the
// commit index commitindex.HistoryList reads for them, in a history where
// one commit is dated before its parent, and checks each commit against
// `git rev-list -1 --first-parent --before`.
func TestHistoryListMapsTimesAsGit(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRunner(t)
	g := gittest.New(t)
	for i, d := range []int{1, 5, 9, 7, 12, 20, 25} { // the 4th is dated before the 3rd
		g.Commit(day(1, d), "c", map[string]string{"f": string(rune('a' + i))})
	}
	if err := repos.Upsert(ctx, r.DB, repos.Spec{Name: "h", Path: g.Dir}); err != nil {
		t.Fatal(err)
	}
	jobstest.MustRun(t, r, &syncrepos.Job{})
	jobstest.MustRun(t, r, &indexcommits.Job{})
	rp, err := repos.Get(ctx, r.DB, "h")
	if err != nil {
		t.Fatal(err)
	}
	for _, from := range []int{0, 3, 8, 10, 21, 30} {
		var times []time.Time
		for d := from; d <= 31; d += 2 {
			times = append(times, day(1, 1).AddDate(0, 0, d-1).Add(12*time.Hour))
		}
		history, err := commitindex.HistoryList(ctx, r.DB, rp.ID, times)
		if err != nil {
			t.Fatal(err)
		}
		// From Jan 21 on, only the commits of Jan 20 and 25 are needed.
		if from == 21 && len(history) != 2 {
			t.Errorf("times from day 21: %d commits read, want 2", len(history))
		}
		task, _ := planning.MapTimes(history, times)
		got := map[time.Time]string{}
		for i, at := range task.Times {
			got[at] = task.Commits[i]
		}
		want := map[time.Time]string{}
		for _, at := range times {
			if c := gittest.CommitAt(t, g.Dir, at); c != "" {
				want[at] = c
			}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("times from day %d (%d commits read) (-git +got):\n%s", from, len(history), d)
		}
	}
}
