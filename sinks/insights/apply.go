package insights

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sources/insightspec"
)

// The statuses of a view in AppliedView.
const (
	ViewCreated   = "created"
	ViewUpdated   = "updated"
	ViewRestored  = "restored" // a deleted view with the insight's id
	ViewUnchanged = "unchanged"
)

// ApplyResult says what Apply changed. A second apply of the same file
// creates, updates, restores, removes and queues nothing.
type ApplyResult struct {
	ReposCreated, ReposUpdated, ReposUnchanged int
	// Views has one entry per insight of the file, in file order.
	Views []AppliedView
	// Data series created, restored (undeleted) and deleted because no live
	// view shows them any more.
	SeriesCreated, SeriesRestored, SeriesDeleted int
	// BackfillsQueued counts the new backfills (one per created or restored
	// data series without an unfinished one).
	BackfillsQueued int
}

// AppliedView is what Apply did to one view and its series (links).
type AppliedView struct {
	ID       int64
	UniqueID string
	Title    string
	Status   string // ViewCreated, ViewUpdated, ViewRestored or ViewUnchanged
	// SeriesUpdated counts series whose label, colour or position changed.
	SeriesAdded, SeriesUpdated, SeriesUnchanged, SeriesRemoved int
	// BackfillsQueued counts the backfills queued for series this view
	// brought (a series shared with a view earlier in the file counts there).
	BackfillsQueued int
}

// ViewsWith counts the views with status.
func (r ApplyResult) ViewsWith(status string) int {
	n := 0
	for _, v := range r.Views {
		if v.Status == status {
			n++
		}
	}
	return n
}

// Changed reports whether Apply changed anything.
func (r ApplyResult) Changed() bool {
	if r.ReposCreated+r.ReposUpdated+r.SeriesCreated+r.SeriesRestored+r.SeriesDeleted+r.BackfillsQueued > 0 {
		return true
	}
	for _, v := range r.Views {
		if v.Status != ViewUnchanged || v.SeriesAdded+v.SeriesUpdated+v.SeriesRemoved > 0 {
			return true
		}
	}
	return false
}

// Apply stores a validated insights file, in one transaction: it registers
// or updates the file's repositories, creates or updates each insight's view
// and links it to its data series, and queues a backfill for every data
// series that is new or restored.
//
// Views are found by the insight's id or, without one, by title (the live
// view with that title); otherwise a new view gets a ksuid. A series removed
// from an insight is unlinked from the view (soft delete), and a data series
// no live view shows any more is deleted (soft) and no longer computed.
// Views that are not in the file are left alone, whatever file they came
// from: `sightline insights delete` removes a view.
//
// Apply is idempotent: nothing is written for what is already as the file
// says, so applying a file twice changes no row the second time.
//
// Mistakes only the database can reveal — a listed repository that is
// neither registered nor declared in the file, a title shared by several
// views — are returned as insightspec.Errors before anything is written.
// Concurrent applies are serialized.
func Apply(ctx context.Context, db *pgxpool.Pool, f *insightspec.File, now time.Time) (ApplyResult, error) {
	var res ApplyResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		a := &applier{tx: tx, f: f, now: now, seriesIDs: map[string]int64{}, broughtBy: map[int64]int{}}
		// Two applies of files naming the same view would otherwise race
		// between finding the view and creating it.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('sightline insights apply ' || current_schema(), 0))`); err != nil {
			return fmt.Errorf("apply %s: lock: %w", f.Name, err)
		}
		if err := a.check(ctx); err != nil {
			return err
		}
		if err := a.run(ctx); err != nil {
			return fmt.Errorf("apply %s: %w", f.Name, err)
		}
		res = a.res
		return nil
	})
	if err != nil {
		return ApplyResult{}, err
	}
	return res, nil
}

// applier is one Apply's state.
type applier struct {
	tx  pgx.Tx
	f   *insightspec.File
	now time.Time
	res ApplyResult

	// matched is the unique id of the live view each id-less insight
	// matched by title ("" for a new view), by insight index.
	matched map[int]string
	// seriesIDs are the data series ids by key, as this apply found or made
	// them.
	seriesIDs map[string]int64
	// broughtBy maps the data series this apply created or restored to the
	// index in res.Views of the view that brought them, in order of arrival.
	broughtBy map[int64]int
	brought   []int64
	// unlinked are the data series that lost a link.
	unlinked []int64
}

func (a *applier) run(ctx context.Context) error {
	if err := a.upsertRepos(ctx); err != nil {
		return err
	}
	for _, in := range a.f.Insights {
		if err := a.applyView(ctx, in); err != nil {
			return err
		}
	}
	if err := a.deleteUnused(ctx); err != nil {
		return err
	}
	return a.queueBackfills(ctx)
}

// source is what views record as the file they came from.
func (a *applier) source() string {
	if a.f.Source != "" {
		return a.f.Source
	}
	return a.f.Name
}
