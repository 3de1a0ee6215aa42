package insights

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// View is an insight view (a row of insight_views) with its live series.
type View struct {
	ID       int64
	UniqueID string
	Title    string
	// Description is free text from the insights file.
	Description  string
	Presentation string // line or pie
	// IncludeRepos and ExcludeRepos are the default read filters (regexps
	// on repository names), "" for none.
	IncludeRepos  string
	ExcludeRepos  string
	SortMode      string // result-count, lexicographical or date-added
	SortDirection string // asc or desc
	Limit         int
	// Source is the file the view was last applied from.
	Source    string
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
	// Series are the view's live series in view order (ViewsList and
	// ViewGet fill them).
	Series []LinkedSeries
}

// viewSettings are the columns of a view an insights file sets.
type viewSettings struct {
	Title, Description, Presentation string
	IncludeRepos, ExcludeRepos       string
	SortMode, SortDirection          string
	Limit                            int
	Source                           string
}

func (v View) settings() viewSettings {
	return viewSettings{Title: v.Title, Description: v.Description, Presentation: v.Presentation,
		IncludeRepos: v.IncludeRepos, ExcludeRepos: v.ExcludeRepos, SortMode: v.SortMode,
		SortDirection: v.SortDirection, Limit: v.Limit, Source: v.Source}
}

// LinkedSeries is a data series as a view shows it.
type LinkedSeries struct {
	Label    string
	Stroke   string
	Position int
	AddedAt  time.Time
	Series   Series
	// Backfill is the series' newest backfill, or nil.
	Backfill *Backfill
}

// BackfillState sums up the backfills of the view's series: the state that
// needs attention first (processing, new, failed, completed in that order;
// "" when no series has a backfill), and the repositories done, in total
// and errored over all of them.
func (v View) BackfillState() (state string, done, total, errored int) {
	rank := map[string]int{"processing": 4, "new": 3, "failed": 2, "completed": 1}
	for _, s := range v.Series {
		b := s.Backfill
		if b == nil {
			continue
		}
		if rank[b.State] > rank[state] {
			state = b.State
		}
		done, total, errored = done+b.ReposDone, total+b.ReposTotal, errored+b.ReposErrored
	}
	return state, done, total, errored
}

// querier is a pool or a transaction.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const selectView = `SELECT id, unique_id, title, description, presentation, coalesce(include_repo_regex, ''),
	coalesce(exclude_repo_regex, ''), sort_mode, sort_direction, series_limit, source, created_at, updated_at, deleted_at
	FROM insight_views`

func scanView(row pgx.CollectableRow) (View, error) {
	var v View
	err := row.Scan(&v.ID, &v.UniqueID, &v.Title, &v.Description, &v.Presentation, &v.IncludeRepos, &v.ExcludeRepos,
		&v.SortMode, &v.SortDirection, &v.Limit, &v.Source, &v.CreatedAt, &v.UpdatedAt, &v.DeletedAt)
	return v, err
}

// viewLookup returns the one view matching cond (SQL after WHERE), or
// ErrNotFound.
func viewLookup(ctx context.Context, q querier, cond string, args ...any) (View, error) {
	rows, err := q.Query(ctx, selectView+` WHERE `+cond, args...)
	if err != nil {
		return View{}, fmt.Errorf("get view: %w", err)
	}
	v, err := pgx.CollectExactlyOneRow(rows, scanView)
	if errors.Is(err, pgx.ErrNoRows) {
		return View{}, ErrNotFound
	}
	if err != nil {
		return View{}, fmt.Errorf("get view: %w", err)
	}
	return v, nil
}

// viewByRef finds a live view by unique id or, failing that, numeric id;
// lock takes a row lock.
func viewByRef(ctx context.Context, q querier, ref string, lock bool) (View, error) {
	var numeric *int64
	if n, err := strconv.ParseInt(ref, 10, 64); err == nil {
		numeric = &n
	}
	cond := `deleted_at IS NULL AND (unique_id = $1 OR id = $2) ORDER BY unique_id = $1 DESC LIMIT 1`
	if lock {
		cond += ` FOR UPDATE`
	}
	v, err := viewLookup(ctx, q, cond, ref, numeric)
	if errors.Is(err, ErrNotFound) {
		return v, fmt.Errorf("view %q %w; sightline insights list shows the views", ref, ErrNotFound)
	}
	return v, err
}

// ViewsList returns the live views, by id, with their live series.
func ViewsList(ctx context.Context, db *pgxpool.Pool) ([]View, error) {
	rows, err := db.Query(ctx, selectView+` WHERE deleted_at IS NULL ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	views, err := pgx.CollectRows(rows, scanView)
	if err != nil {
		return nil, fmt.Errorf("list views: %w", err)
	}
	if err := addSeries(ctx, db, views); err != nil {
		return nil, err
	}
	return views, nil
}

// ViewGet returns the live view whose unique id (or, failing that, numeric
// id) is ref, with its live series; an unknown view is ErrNotFound.
func ViewGet(ctx context.Context, db *pgxpool.Pool, ref string) (View, error) {
	v, err := viewByRef(ctx, db, ref, false)
	if err != nil {
		return View{}, err
	}
	views := []View{v}
	if err := addSeries(ctx, db, views); err != nil {
		return View{}, err
	}
	return views[0], nil
}

// addSeries fills the Series of views.
func addSeries(ctx context.Context, q querier, views []View) error {
	ids := make([]int64, len(views))
	byID := map[int64]*View{}
	for i := range views {
		ids[i] = views[i].ID
		byID[views[i].ID] = &views[i]
	}
	rows, err := q.Query(ctx, `SELECT vs.view_id, vs.label, vs.stroke, vs.position, vs.added_at,
			s.id, s.series_key, s.query, s.kind, coalesce(s.group_by, ''), s.repo_scope, s.repos,
			coalesce(s.repo_criteria, ''), s.interval_unit, s.interval_value, s.num_points, s.created_at,
			s.last_recorded_at, s.next_recording_after, s.last_snapshot_at, s.next_snapshot_after,
			s.backfill_completed_at, s.deleted_at, `+backfillColumns("b")+`
		FROM insight_view_series vs
		JOIN insight_series s ON s.id = vs.series_id
		LEFT JOIN LATERAL (SELECT * FROM backfills WHERE series_id = s.id ORDER BY id DESC LIMIT 1) b ON true
		WHERE vs.view_id = ANY($1) AND vs.deleted_at IS NULL AND s.deleted_at IS NULL
		ORDER BY vs.view_id, vs.position, s.id`, ids)
	if err != nil {
		return fmt.Errorf("list view series: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			viewID int64
			l      LinkedSeries
			b      nullBackfill
		)
		s := &l.Series
		dst := []any{&viewID, &l.Label, &l.Stroke, &l.Position, &l.AddedAt,
			&s.ID, &s.Key, &s.Query, &s.Kind, &s.GroupBy, &s.Scope, &s.Repos, &s.RepoCriteria,
			&s.Interval.Unit, &s.Interval.Value, &s.NumPoints, &s.CreatedAt,
			&s.LastRecordedAt, &s.NextRecordingAfter, &s.LastSnapshotAt, &s.NextSnapshotAfter,
			&s.BackfillCompletedAt, &s.DeletedAt}
		if err := rows.Scan(append(dst, b.dest()...)...); err != nil {
			return fmt.Errorf("list view series: %w", err)
		}
		l.Backfill = b.backfill()
		v := byID[viewID]
		v.Series = append(v.Series, l)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("list view series: %w", err)
	}
	return nil
}

// ViewDeleteResult says what ViewDelete removed.
type ViewDeleteResult struct {
	View View
	// SeriesDeleted counts the data series no other live view showed, which
	// are no longer computed.
	SeriesDeleted int
}

// ViewDelete soft-deletes the live view ref (unique or numeric id) and its
// links, and the data series no other live view shows. Applying a file with
// the view's id brings it back (its points are kept until pruned).
func ViewDelete(ctx context.Context, db *pgxpool.Pool, ref string, now time.Time) (ViewDeleteResult, error) {
	var res ViewDeleteResult
	err := pgx.BeginFunc(ctx, db, func(tx pgx.Tx) error {
		v, err := viewByRef(ctx, tx, ref, true)
		if err != nil {
			return err
		}
		res.View = v
		if _, err := tx.Exec(ctx, `UPDATE insight_views SET deleted_at = $2, updated_at = $2 WHERE id = $1`, v.ID, now); err != nil {
			return fmt.Errorf("delete view %q: %w", ref, err)
		}
		rows, err := tx.Query(ctx, `UPDATE insight_view_series SET deleted_at = $2
			WHERE view_id = $1 AND deleted_at IS NULL RETURNING series_id`, v.ID, now)
		if err != nil {
			return fmt.Errorf("delete view %q: %w", ref, err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("delete view %q: %w", ref, err)
		}
		res.SeriesDeleted, err = deleteUnusedSeries(ctx, tx, ids, now)
		return err
	})
	if err != nil {
		return ViewDeleteResult{}, err
	}
	return res, nil
}
