package runsearches_test

import (
	"strings"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gittest"
)

// A recording due on March 11 finds the commit index ending on March 10
// at noon, with a commit since: it is not mapped to the old head but
// waits, and status says why, until index-commits has run; then it is the
// value git grep finds at the commit git names.
func TestRecordingWaitsForStaleIndex(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now) // Wednesday March 6
	repo := gittest.New(t)
	repo.Commit(day(2, 20), "c1", map[string]string{"a.txt": "TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	seriesID, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{})
	e.run(&runsearches.Job{})
	e.run(&enqueuesnapshots.Job{})
	e.run(&runsearches.Job{})

	e.now = time.Date(2024, 3, 10, 12, 0, 0, 0, time.UTC)
	e.run(&indexcommits.Job{})
	repo.Commit(day(3, 10).Add(8*time.Hour), "c2 after the index", map[string]string{"b.txt": "TODO TODO\n"})
	e.now = time.Date(2024, 3, 11, 1, 0, 0, 0, time.UTC)
	if c := e.run(&enqueuesnapshots.Job{}); c["recordings"] != 0 || c["waiting"] != 1 {
		t.Fatalf("enqueue with a stale index: %v; want the recording waiting", c)
	}
	e.run(&runsearches.Job{})
	mar11 := point{Repo: "demo", Time: midnight(3, 11)}
	if values, _ := e.points("series_points", seriesID); len(values) != 2 {
		t.Fatalf("points %v; want the backfill's 2 (February 26, March 4) and none at March 11 yet", values)
	}
	const why = "recording at 2024-03-11 00:00:00 waits for index-commits of demo (its commit index ends at 2024-03-10 12:00:00, before 2024-03-11 00:00:00)"
	st, err := insights.StatusGet(e.ctx, e.db, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.RecordingsWaiting) != 1 || st.RecordingsWaiting[0].Reason != why || !st.RecordingsWaiting[0].Due.Equal(mar11.Time) {
		t.Fatalf("status recordings waiting %+v; want %q", st.RecordingsWaiting, why)
	}

	e.now = e.now.Add(time.Hour)
	e.run(&indexcommits.Job{})
	if c := e.run(&enqueuesnapshots.Job{}); c["recordings"] != 1 || c["waiting"] != 0 {
		t.Fatalf("enqueue after index-commits: %v; want the recording", c)
	}
	e.run(&runsearches.Job{})
	values, commits := e.points("series_points", seriesID)
	commit := gittest.CommitAt(t, repo.Dir, mar11.Time)
	if want := gittest.GrepCount(t, repo.Dir, commit, "TODO"); values[mar11] != want || commits[mar11] != commit {
		t.Fatalf("recording at March 11 = %d at %.7s; git grep counts %d at %.7s", values[mar11], commits[mar11], want, commit)
	}
	if st, err = insights.StatusGet(e.ctx, e.db, 0); err != nil || len(st.RecordingsWaiting) != 0 {
		t.Fatalf("status recordings waiting %+v, %v; want none", st.RecordingsWaiting, err)
	}
}

// A recording that waited past MaxWait is recorded: the stale
// repository's point is incomplete, named, and plan-backfills recomputes
// it once the repository is indexed through its time.
func TestRecordingGivesUpWaitingThenRetries(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now)
	repo := gittest.New(t)
	repo.Commit(day(2, 20), "c1", map[string]string{"a.txt": "TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	seriesID, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{})
	e.run(&runsearches.Job{})
	repo.Commit(day(3, 8), "c2 after the index", map[string]string{"b.txt": "TODO TODO\n"})

	e.now = time.Date(2024, 3, 13, 9, 0, 0, 0, time.UTC)
	if c := e.run(&enqueuesnapshots.Job{MaxWait: time.Hour}); c["waiting"] != 0 {
		t.Fatalf("enqueue past MaxWait: %v; want no wait", c)
	}
	e.run(&runsearches.Job{})
	lost, err := insights.IncompleteList(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	var atMar11 []insights.Incomplete
	for _, l := range lost {
		if l.Time.Equal(midnight(3, 11)) {
			atMar11 = append(atMar11, l)
		}
	}
	if len(atMar11) != 1 || !strings.Contains(atMar11[0].Detail, "its commit index ends at 2024-03-06 12:30:00") {
		t.Fatalf("incomplete points %+v; want the stale repository's at March 11, naming its index", lost)
	}

	e.run(&indexcommits.Job{})
	if c := e.run(&planbackfills.Job{}); c["retries"] != 1 {
		t.Fatalf("plan-backfills after index-commits: %v; want a retry", c)
	}
	e.run(&runsearches.Job{})
	values, _ := e.points("series_points", seriesID)
	commit := gittest.CommitAt(t, repo.Dir, midnight(3, 11))
	if want := gittest.GrepCount(t, repo.Dir, commit, "TODO"); values[point{Repo: "demo", Time: midnight(3, 11)}] != want {
		t.Fatalf("recording at March 11 after the retry = %v; git grep counts %d", values, want)
	}
	if n := e.incomplete(seriesID, "repo-error"); n != 0 {
		t.Fatalf("%d repo-error points left after the retry", n)
	}
}
