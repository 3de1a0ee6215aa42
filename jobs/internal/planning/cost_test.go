package planning_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/jobs/internal/planning"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gitsource"
)

// TestMapTimes maps times through a history, newest first, in which one
// commit (c3) is dated before its parent (c2): as `git rev-list -1
// --first-parent --before`, a time maps to the first commit of the walk
// from the head that is not after it.
func TestMapTimes(t *testing.T) {
	t.Parallel()
	history := []gitsource.Commit{
		{OID: "c4", CommittedAt: day(1, 20)},
		{OID: "c3", CommittedAt: day(1, 7)},
		{OID: "c2", CommittedAt: day(1, 9)},
		{OID: "c1", CommittedAt: day(1, 1)},
	}
	task, positions := planning.MapTimes(history, []time.Time{day(1, 1).AddDate(0, 0, -1), day(1, 1), day(1, 8), day(1, 10), day(1, 25)})
	if d := cmp.Diff([]time.Time{day(1, 1), day(1, 8), day(1, 10), day(1, 25)}, task.Times); d != "" {
		t.Errorf("times (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"c1", "c3", "c3", "c4"}, task.Commits); d != "" {
		t.Errorf("commits (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]int{0, 2, 2, 3}, positions); d != "" {
		t.Errorf("positions (-want +got):\n%s", d)
	}
	if task.SeriesID != 0 || task.RepoID != 0 {
		t.Errorf("series %d, repository %d set; MapTimes leaves them to the caller", task.SeriesID, task.RepoID)
	}
}

func TestCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		series    insights.Series
		positions []int
		want      float64
	}{
		{"literal", insights.Series{Query: "foo"}, []int{3, 0, 5}, (planning.TreeCost + 5) * planning.LiteralFactor},
		{"regexp", insights.Series{Query: "/fo+/"}, []int{4, 6}, (planning.TreeCost + 2) * planning.RegexpFactor},
		{"path only", insights.Series{Query: "type:path foo"}, []int{1}, planning.TreeCost * planning.PathFactor},
		{"language usage", insights.Series{Kind: insights.KindLanguageUsage}, []int{0, 10}, (planning.TreeCost + 10) * planning.LangFactor},
		{"no sample commit", insights.Series{Query: "foo"}, nil, 0},
	} {
		q, err := planning.Query(tc.series)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := planning.Cost(tc.series, q, tc.positions); got != tc.want {
			t.Errorf("%s: Cost = %v, want %v", tc.name, got, tc.want)
		}
	}
}
