package insights_test

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// TestBackfillProgress adds progress to a processing backfill, lists the
// processing backfills, and makes the points a backfill whose tasks are
// lost records: one at each sample time, none at the snapshot.
func TestBackfillProgress(t *testing.T) {
	t.Parallel()
	e := newPointsEnv(t)
	ctx := context.Background()
	var processing, done int64
	if err := e.db.QueryRow(ctx, `INSERT INTO backfills (series_id, state, repos_total) VALUES ($1, 'processing', 10) RETURNING id`,
		e.series).Scan(&processing); err != nil {
		t.Fatal(err)
	}
	if err := e.db.QueryRow(ctx, `INSERT INTO backfills (series_id, state) VALUES ($1, 'completed') RETURNING id`,
		e.series).Scan(&done); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.Exec(ctx, `INSERT INTO series_recording_times (series_id, time, snapshot) VALUES ($1, $3, false), ($1, $2, false), ($1, $4, true)`,
		e.series, day1, day2, day2.AddDate(0, 0, 1)); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		err := pgx.BeginFunc(ctx, e.db, func(tx pgx.Tx) error { return insights.BackfillProgressAdd(ctx, tx, processing, 3, 1) })
		if err != nil {
			t.Fatal(err)
		}
	}
	var reposDone, errored int
	if err := e.db.QueryRow(ctx, `SELECT repos_done, repos_errored FROM backfills WHERE id = $1`, processing).Scan(&reposDone, &errored); err != nil {
		t.Fatal(err)
	}
	if reposDone != 6 || errored != 2 {
		t.Errorf("after adding 3 done, 1 errored twice: repos_done %d, repos_errored %d; want 6, 2", reposDone, errored)
	}
	ids, err := insights.BackfillsProcessingList(ctx, e.db)
	if err != nil || !cmp.Equal(ids, []int64{processing}) {
		t.Errorf("BackfillsProcessingList = %v, %v; want [%d]", ids, err, processing)
	}
	lost, err := insights.BackfillLostPoints(ctx, e.db, processing, "shard 7 lost")
	if err != nil {
		t.Fatal(err)
	}
	want := []insights.Incomplete{
		{SeriesID: e.series, Time: day1, Reason: insights.ReasonRepoError, Detail: "shard 7 lost"},
		{SeriesID: e.series, Time: day2, Reason: insights.ReasonRepoError, Detail: "shard 7 lost"},
	}
	if d := cmp.Diff(want, lost); d != "" {
		t.Errorf("BackfillLostPoints (-want +got):\n%s", d)
	}
}
