package insights_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/pgtest"
)

func TestViewsListGet(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	res := mustApply(t, db, twoViews, applyT0)
	if _, err := db.Exec(ctx, `UPDATE backfills SET state = 'processing', repos_total = 2, repos_done = 1, repos_errored = 1
		WHERE series_id = (SELECT id FROM insight_series WHERE query = 'FIXME')`); err != nil {
		t.Fatal(err)
	}

	list, err := insights.ViewsList(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].UniqueID != "todos" || len(list[0].Series) != 2 || len(list[1].Series) != 2 {
		t.Fatalf("ViewsList = %+v", list)
	}
	state, done, total, errored := list[0].BackfillState()
	if state != "processing" || done != 1 || total != 2 || errored != 1 {
		t.Errorf("TODOs BackfillState = %s %d/%d (%d), want processing 1/2 (1)", state, done, total, errored)
	}
	if state, _, _, _ := list[1].BackfillState(); state != "new" {
		t.Errorf("Markers BackfillState = %s, want new", state)
	}

	v, err := insights.ViewGet(ctx, db, "todos")
	if err != nil {
		t.Fatal(err)
	}
	s := v.Series[1]
	if v.Title != "TODOs" || s.Label != "FIXME" || s.Position != 1 || s.Series.Query != "FIXME" ||
		s.Series.Kind != insights.KindSearch || s.Series.Scope != insights.ScopeList || s.Backfill == nil ||
		s.Backfill.State != "processing" || !s.Backfill.Open() || !s.Backfill.CreatedAt.Equal(applyT0) {
		t.Errorf("ViewGet series[1] = %+v (backfill %+v)", s, s.Backfill)
	}
	// The numeric id works too.
	byNumber, err := insights.ViewGet(ctx, db, strconv.FormatInt(res.Views[1].ID, 10))
	if err != nil || byNumber.Title != "Markers" {
		t.Errorf("ViewGet(numeric) = %+v, %v", byNumber, err)
	}
	_, err = insights.ViewGet(ctx, db, "nope")
	if !errors.Is(err, insights.ErrNotFound) || err.Error() != `view "nope" not found; sightline insights list shows the views` {
		t.Errorf("ViewGet(unknown) = %v", err)
	}
}

func TestViewDelete(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustApply(t, db, twoViews, applyT0)
	t1 := applyT0.Add(time.Hour)
	res, err := insights.ViewDelete(ctx, db, "todos", t1)
	if err != nil {
		t.Fatal(err)
	}
	// TODO is shared with Markers; FIXME goes.
	if res.View.UniqueID != "todos" || res.SeriesDeleted != 1 {
		t.Errorf("ViewDelete = %+v", res)
	}
	if n := count(t, db, `SELECT count(*) FROM insight_series WHERE deleted_at IS NULL`); n != 2 {
		t.Errorf("%d live series, want 2", n)
	}
	if _, err := insights.ViewGet(ctx, db, "todos"); !errors.Is(err, insights.ErrNotFound) {
		t.Errorf("ViewGet(deleted) = %v", err)
	}
	if _, err := insights.ViewDelete(ctx, db, "todos", t1); !errors.Is(err, insights.ErrNotFound) {
		t.Errorf("second ViewDelete = %v", err)
	}
	list, err := insights.ViewsList(ctx, db)
	if err != nil || len(list) != 1 {
		t.Errorf("ViewsList after delete = %d views, %v", len(list), err)
	}
	// Applying the file again restores the view with its id.
	again := mustApply(t, db, twoViews, t1)
	if v := again.Views[0]; v.Status != insights.ViewRestored || v.SeriesAdded != 2 || again.SeriesRestored != 1 {
		t.Errorf("re-apply = %+v", again)
	}
}

func TestBackfillPrioritize(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustApply(t, db, twoViews, applyT0)
	t1 := applyT0.Add(time.Hour)
	fixme := count(t, db, `SELECT id FROM insight_series WHERE query = 'FIXME'`)
	if _, err := db.Exec(ctx, `UPDATE backfills SET state = 'completed' WHERE series_id = $1`, fixme); err != nil {
		t.Fatal(err)
	}

	got, err := insights.BackfillPrioritize(ctx, db, "todos", t1)
	if err != nil {
		t.Fatal(err)
	}
	// FIXME's backfill is finished: only TODO's is raised.
	if len(got) != 1 || got[0].PrioritizedAt == nil || !got[0].PrioritizedAt.Equal(t1) {
		t.Errorf("prioritize view = %+v", got)
	}
	marker := count(t, db, `SELECT id FROM insight_series WHERE kind = 'capture-group'`)
	got, err = insights.BackfillPrioritize(ctx, db, "series:"+strconv.Itoa(marker), t1)
	if err != nil || len(got) != 1 || got[0].SeriesID != int64(marker) {
		t.Errorf("prioritize series = %+v, %v", got, err)
	}
	backfill := count(t, db, `SELECT id FROM backfills WHERE series_id = $1`, fixme)
	got, err = insights.BackfillPrioritize(ctx, db, "backfill:"+strconv.Itoa(backfill), t1)
	if err != nil || len(got) != 0 {
		t.Errorf("prioritize a finished backfill = %+v, %v; want none", got, err)
	}
	if n := count(t, db, `SELECT count(*) FROM backfills WHERE prioritized_at = $1`, t1); n != 2 {
		t.Errorf("%d backfills prioritized, want 2", n)
	}
	for _, ref := range []string{"nope", "series:999", "backfill:999"} {
		if _, err := insights.BackfillPrioritize(ctx, db, ref, t1); !errors.Is(err, insights.ErrNotFound) {
			t.Errorf("prioritize %s = %v, want ErrNotFound", ref, err)
		}
	}
	if _, err := insights.BackfillPrioritize(ctx, db, "series:x", t1); err == nil {
		t.Error("prioritize series:x succeeded")
	}
}
