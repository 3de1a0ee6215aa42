package runsearches_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/jobs/enqueuesnapshots"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/planbackfills"
	"github.com/sightline-dev/sightline/jobs/runsearches"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sources/gittest"
)

func midnight(month time.Month, d int) time.Time {
	return time.Date(2024, month, d, 0, 0, 0, 0, time.UTC)
}

// recordingTimes returns the series' recording times, snapshots marked
// with a trailing "*".
func (e *env) recordingTimes(id int64) []string {
	e.t.Helper()
	rows, err := e.db.Query(e.ctx, `SELECT time, snapshot FROM series_recording_times WHERE series_id = $1 ORDER BY time`, id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	var (
		at   time.Time
		snap bool
	)
	_, err = pgx.ForEachRow(rows, []any{&at, &snap}, func() error {
		s := at.UTC().Format("01-02T15:04")
		if snap {
			s += "*"
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

// TestRecordingsAndSnapshots follows a series after its backfill: a
// snapshot at once, then a recording on its weekly grid and a snapshot
// replacing the first, then a catch-up after weeks without runs.
func TestRecordingsAndSnapshots(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now) // Wednesday March 6
	repo := gittest.New(t)
	repo.Commit(day(2, 20), "c1", map[string]string{"a.txt": "TODO\n"})
	repo.Commit(day(3, 5), "c2", map[string]string{"a.txt": "TODO TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	seriesID, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 3})
	e.run(&planbackfills.Job{})
	e.run(&runsearches.Job{})

	// Right after the backfill only the snapshot is due.
	c := e.run(&enqueuesnapshots.Job{})
	if c["snapshots"] != 1 || c["recordings"] != 0 || c["shards"] != 1 {
		t.Fatalf("first enqueue counts = %v", c)
	}
	e.run(&runsearches.Job{})
	snaps, _ := e.points("snapshot_points", seriesID)
	if d := cmp.Diff(map[point]int64{{Repo: "demo", Time: now}: 2}, snaps); d != "" {
		t.Fatalf("first snapshot (-want +got):\n%s", d)
	}
	if c := e.run(&enqueuesnapshots.Job{}); c["series"] != 0 {
		t.Fatalf("nothing is due, yet %v", c)
	}

	// A week later: the commit index has moved on, and a repository was
	// added that is not indexed yet.
	repo.Commit(day(3, 8), "c3", map[string]string{"b.txt": "TODO\n"})
	repo.Commit(day(3, 12), "c4", map[string]string{"a.txt": "done\n"})
	e.now = time.Date(2024, 3, 13, 9, 0, 0, 0, time.UTC)
	e.run(&indexcommits.Job{})
	lateID := e.addRepo("late", gittest.New(t).Dir)
	c = e.run(&enqueuesnapshots.Job{})
	if c["recordings"] != 1 || c["snapshots"] != 1 || c["not_indexed"] != 1 {
		t.Fatalf("second enqueue counts = %v", c)
	}
	e.run(&runsearches.Job{})
	values, commits := e.points("series_points", seriesID)
	mar11 := point{Repo: "demo", Time: midnight(3, 11)}
	if want := gittest.GrepCount(t, repo.Dir, gittest.CommitAt(t, repo.Dir, mar11.Time), "TODO"); values[mar11] != want || want != 3 {
		t.Fatalf("recording at March 11 = %d, git grep counts %d", values[mar11], want)
	}
	if commits[mar11] != gittest.CommitAt(t, repo.Dir, mar11.Time) {
		t.Fatalf("recording at March 11 used %s", commits[mar11])
	}
	snaps, _ = e.points("snapshot_points", seriesID)
	if d := cmp.Diff(map[point]int64{{Repo: "demo", Time: e.now}: 1}, snaps); d != "" {
		t.Fatalf("second snapshot replaces the first (-want +got):\n%s", d)
	}
	want := []string{"02-19T00:00", "02-26T00:00", "03-04T00:00", "03-11T00:00", "03-13T09:00*"}
	if d := cmp.Diff(want, e.recordingTimes(seriesID)); d != "" {
		t.Fatalf("recording times (-want +got):\n%s", d)
	}
	lost, err := insights.IncompleteList(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	if len(lost) != 2 || lost[0].RepoID != lateID || !lost[0].Time.Equal(midnight(3, 11)) || !lost[1].Time.Equal(e.now) {
		t.Fatalf("incomplete points of the unindexed repository = %+v", lost)
	}
	s, err := insights.SeriesGet(e.ctx, e.db, seriesID)
	if err != nil {
		t.Fatal(err)
	}
	if !s.NextRecordingAfter.Equal(midnight(3, 18)) || !s.NextSnapshotAfter.Equal(midnight(3, 14)) || !s.LastRecordedAt.Equal(e.now) {
		t.Fatalf("series stamps: next recording %v, next snapshot %v, last recorded %v", s.NextRecordingAfter, s.NextSnapshotAfter, s.LastRecordedAt)
	}

	// Three weeks without a run: the missed grid times are caught up.
	e.now = time.Date(2024, 4, 2, 9, 0, 0, 0, time.UTC)
	e.run(&indexcommits.Job{})
	if c := e.run(&enqueuesnapshots.Job{}); c["recordings"] != 3 {
		t.Fatalf("catch-up counts = %v", c)
	}
	e.run(&runsearches.Job{})
	values, _ = e.points("series_points", seriesID)
	for _, d := range []int{18, 25, 32} {
		k := point{Repo: "demo", Time: midnight(3, d)}
		if values[k] != 1 {
			t.Errorf("recording at %s = %d, want 1", k.Time.Format(time.DateOnly), values[k])
		}
	}
}

// TestRecordingTakesOverASnapshotTime: a recording due at a time the axis
// holds as a snapshot's makes it a recording time (enqueue-snapshots
// queues with insights.RecordTime), so the next snapshot, which takes the
// previous snapshot's time off the axis, leaves it there.
func TestRecordingTakesOverASnapshotTime(t *testing.T) {
	t.Parallel()
	e := newEnv(t, now) // Wednesday March 6
	repo := gittest.New(t)
	repo.Commit(day(2, 20), "c1", map[string]string{"a.txt": "TODO\n"})
	e.addRepo("demo", repo.Dir)
	e.syncAndIndex()
	seriesID, _ := e.addSeries(series{query: "TODO", kind: "search", unit: "week", points: 2})
	e.run(&planbackfills.Job{})
	e.run(&runsearches.Job{})
	// A snapshot's time on the next grid time, March 11.
	e.exec(`INSERT INTO series_recording_times (series_id, time, snapshot) VALUES ($1, $2, true)`, seriesID, midnight(3, 11))

	e.now = time.Date(2024, 3, 13, 9, 0, 0, 0, time.UTC)
	if c := e.run(&enqueuesnapshots.Job{}); c["recordings"] != 1 || c["snapshots"] != 1 {
		t.Fatalf("enqueue counts = %v", c)
	}
	e.run(&runsearches.Job{})
	want := []string{"02-26T00:00", "03-04T00:00", "03-11T00:00", "03-13T09:00*"}
	if d := cmp.Diff(want, e.recordingTimes(seriesID)); d != "" {
		t.Fatalf("recording times (-want +got):\n%s", d)
	}
}
