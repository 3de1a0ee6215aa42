package insights

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/segmentio/ksuid"

	"github.com/sightline-dev/sightline/sources/insightspec"
)

// applyView creates, restores or updates in's view, then its links.
func (a *applier) applyView(ctx context.Context, in insightspec.Insight) error {
	want := viewSettings{
		Title: in.Title, Description: in.Description, Presentation: in.Presentation,
		IncludeRepos: in.Filters.IncludeRepos, ExcludeRepos: in.Filters.ExcludeRepos,
		SortMode: in.Sort.Mode, SortDirection: in.Sort.Direction, Limit: in.Limit, Source: a.source(),
	}
	av := AppliedView{UniqueID: cmp.Or(in.ID, a.matched[in.Index]), Title: in.Title}
	var cur *View
	if av.UniqueID != "" {
		v, err := viewLookup(ctx, a.tx, `unique_id = $1 FOR UPDATE`, av.UniqueID)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err == nil {
			cur = &v
		}
	}
	var err error
	switch {
	case cur == nil:
		av.Status = ViewCreated
		av.ID, av.UniqueID, err = a.insertView(ctx, av.UniqueID, want)
	case cur.DeletedAt != nil:
		av.Status, av.ID = ViewRestored, cur.ID
		err = a.updateView(ctx, cur.ID, want)
	case cur.settings() != want:
		av.Status, av.ID = ViewUpdated, cur.ID
		err = a.updateView(ctx, cur.ID, want)
	default:
		av.Status, av.ID = ViewUnchanged, cur.ID
	}
	if err != nil {
		return err
	}
	a.res.Views = append(a.res.Views, av)
	return a.applyLinks(ctx, len(a.res.Views)-1, in)
}

func (a *applier) insertView(ctx context.Context, uniqueID string, s viewSettings) (int64, string, error) {
	if uniqueID == "" {
		// A ksuid made at the (possibly fixed) clock, so ids sort by creation.
		k, err := ksuid.NewRandomWithTime(a.now)
		if err != nil {
			return 0, "", fmt.Errorf("new view id: %w", err)
		}
		uniqueID = k.String()
	}
	var id int64
	err := a.tx.QueryRow(ctx, `INSERT INTO insight_views (unique_id, title, description, presentation,
			include_repo_regex, exclude_repo_regex, sort_mode, sort_direction, series_limit, source, created_at, updated_at)
		VALUES ($1, $2, $3, $4, NULLIF($5, ''), NULLIF($6, ''), $7, $8, $9, $10, $11, $11) RETURNING id`,
		uniqueID, s.Title, s.Description, s.Presentation, s.IncludeRepos, s.ExcludeRepos,
		s.SortMode, s.SortDirection, s.Limit, s.Source, a.now).Scan(&id)
	if err != nil {
		return 0, "", fmt.Errorf("create view %q: %w", s.Title, err)
	}
	return id, uniqueID, nil
}

// updateView writes s and undeletes the view.
func (a *applier) updateView(ctx context.Context, id int64, s viewSettings) error {
	_, err := a.tx.Exec(ctx, `UPDATE insight_views SET title = $2, description = $3, presentation = $4,
			include_repo_regex = NULLIF($5, ''), exclude_repo_regex = NULLIF($6, ''), sort_mode = $7,
			sort_direction = $8, series_limit = $9, source = $10, updated_at = $11, deleted_at = NULL
		WHERE id = $1`,
		id, s.Title, s.Description, s.Presentation, s.IncludeRepos, s.ExcludeRepos,
		s.SortMode, s.SortDirection, s.Limit, s.Source, a.now)
	if err != nil {
		return fmt.Errorf("update view %q: %w", s.Title, err)
	}
	return nil
}

// linkRow is a row of insight_view_series.
type linkRow struct {
	seriesID int64
	label    string
	stroke   string
	position int
	deleted  bool
}

// applyLinks makes the view's links match the insight's series: adds new
// ones, restores re-added ones, updates label, colour and position, and
// unlinks (soft-deletes) the series no longer listed.
func (a *applier) applyLinks(ctx context.Context, vi int, in insightspec.Insight) error {
	av := &a.res.Views[vi]
	rows, err := a.tx.Query(ctx, `SELECT series_id, label, stroke, position, deleted_at IS NOT NULL
		FROM insight_view_series WHERE view_id = $1 ORDER BY series_id FOR UPDATE`, av.ID)
	if err != nil {
		return fmt.Errorf("view %q series: %w", av.Title, err)
	}
	existing, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (linkRow, error) {
		var l linkRow
		err := row.Scan(&l.seriesID, &l.label, &l.stroke, &l.position, &l.deleted)
		return l, err
	})
	if err != nil {
		return fmt.Errorf("view %q series: %w", av.Title, err)
	}
	listed := map[int64]bool{}
	for _, s := range in.Series {
		id, err := a.dataSeries(ctx, in, s, vi)
		if err != nil {
			return err
		}
		listed[id] = true
		var cur *linkRow
		if i := slices.IndexFunc(existing, func(l linkRow) bool { return l.seriesID == id }); i >= 0 {
			cur = &existing[i]
		}
		if err := a.applyLink(ctx, av, id, s, cur); err != nil {
			return err
		}
	}
	for _, l := range existing {
		if l.deleted || listed[l.seriesID] {
			continue
		}
		if _, err := a.tx.Exec(ctx, `UPDATE insight_view_series SET deleted_at = $3 WHERE view_id = $1 AND series_id = $2`,
			av.ID, l.seriesID, a.now); err != nil {
			return fmt.Errorf("view %q: remove series %q: %w", av.Title, l.label, err)
		}
		av.SeriesRemoved++
		a.unlinked = append(a.unlinked, l.seriesID)
	}
	return nil
}

// applyLink adds, restores or updates one link; cur is the current row, or
// nil.
func (a *applier) applyLink(ctx context.Context, av *AppliedView, seriesID int64, s insightspec.Series, cur *linkRow) error {
	var err error
	switch {
	case cur == nil:
		av.SeriesAdded++
		_, err = a.tx.Exec(ctx, `INSERT INTO insight_view_series (view_id, series_id, label, stroke, position, added_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, av.ID, seriesID, s.Label, s.Stroke, s.Index, a.now)
	case cur.deleted:
		av.SeriesAdded++
		_, err = a.tx.Exec(ctx, `UPDATE insight_view_series SET label = $3, stroke = $4, position = $5,
			added_at = $6, deleted_at = NULL WHERE view_id = $1 AND series_id = $2`,
			av.ID, seriesID, s.Label, s.Stroke, s.Index, a.now)
	case cur.label != s.Label || cur.stroke != s.Stroke || cur.position != s.Index:
		av.SeriesUpdated++
		_, err = a.tx.Exec(ctx, `UPDATE insight_view_series SET label = $3, stroke = $4, position = $5
			WHERE view_id = $1 AND series_id = $2`, av.ID, seriesID, s.Label, s.Stroke, s.Index)
	default:
		av.SeriesUnchanged++
	}
	if err != nil {
		return fmt.Errorf("view %q: series %q: %w", av.Title, s.Label, err)
	}
	return nil
}
