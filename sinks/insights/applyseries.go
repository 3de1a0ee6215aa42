package insights

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/sources/insightspec"
)

// dataSeries finds the data series with s's key, creating or restoring it;
// vi is the index of the view that needs it. A restored series starts over:
// its schedule is cleared until its new backfill sets it again.
func (a *applier) dataSeries(ctx context.Context, in insightspec.Insight, s insightspec.Series, vi int) (int64, error) {
	if id, ok := a.seriesIDs[s.Key]; ok {
		return id, nil
	}
	var (
		id      int64
		deleted bool
	)
	err := a.tx.QueryRow(ctx, `SELECT id, deleted_at IS NOT NULL FROM insight_series WHERE series_key = $1 FOR UPDATE`,
		s.Key).Scan(&id, &deleted)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		id, err = a.insertSeries(ctx, in, s)
		if err != nil {
			return 0, err
		}
		a.res.SeriesCreated++
		a.bring(id, vi)
	case err != nil:
		return 0, fmt.Errorf("find series %q: %w", s.Label, err)
	case deleted:
		_, err = a.tx.Exec(ctx, `UPDATE insight_series SET deleted_at = NULL, next_recording_after = NULL,
			next_snapshot_after = NULL, backfill_completed_at = NULL WHERE id = $1`, id)
		if err != nil {
			return 0, fmt.Errorf("restore series %q: %w", s.Label, err)
		}
		a.res.SeriesRestored++
		a.bring(id, vi)
	}
	a.seriesIDs[s.Key] = id
	return id, nil
}

func (a *applier) bring(seriesID int64, vi int) {
	a.broughtBy[seriesID] = vi
	a.brought = append(a.brought, seriesID)
}

// insertSeries creates a data series. Its schedule (next_recording_after,
// next_snapshot_after) stays NULL: the backfill sets it.
func (a *applier) insertSeries(ctx context.Context, in insightspec.Insight, s insightspec.Series) (int64, error) {
	repoList := slices.Sorted(slices.Values(in.Scope.Repos))
	if repoList == nil {
		repoList = []string{}
	}
	var id int64
	err := a.tx.QueryRow(ctx, `INSERT INTO insight_series (series_key, query, kind, group_by, repo_scope, repos,
			repo_criteria, interval_unit, interval_value, num_points, created_at)
		VALUES ($1, $2, $3, NULLIF($4, ''), $5, $6, NULLIF($7, ''), $8, $9, $10, $11) RETURNING id`,
		s.Key, strings.TrimSpace(s.Query), s.Kind, s.GroupBy, in.Scope.Kind, repoList, in.Scope.Criteria,
		in.Interval.Unit, in.Interval.Value, in.Points, a.now).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("create series %q: %w", s.Label, err)
	}
	return id, nil
}

// deleteUnused soft-deletes the data series that lost links and that no
// live view shows any more.
func (a *applier) deleteUnused(ctx context.Context) error {
	n, err := deleteUnusedSeries(ctx, a.tx, a.unlinked, a.now)
	a.res.SeriesDeleted += n
	return err
}

// deleteUnusedSeries soft-deletes those of ids that no live view links to,
// and returns how many it deleted.
func deleteUnusedSeries(ctx context.Context, tx pgx.Tx, ids []int64, now time.Time) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	tag, err := tx.Exec(ctx, `UPDATE insight_series s SET deleted_at = $2
		WHERE s.id = ANY($1) AND s.deleted_at IS NULL AND NOT EXISTS (
			SELECT 1 FROM insight_view_series vs JOIN insight_views v ON v.id = vs.view_id
			WHERE vs.series_id = s.id AND vs.deleted_at IS NULL AND v.deleted_at IS NULL)`, ids, now)
	if err != nil {
		return 0, fmt.Errorf("delete unused series: %w", err)
	}
	return int(tag.RowsAffected()), nil
}

// queueBackfills queues a backfill for each created or restored series
// that has no unfinished one (backfills_one_open allows one at most).
func (a *applier) queueBackfills(ctx context.Context) error {
	for _, id := range a.brought {
		tag, err := a.tx.Exec(ctx, `INSERT INTO backfills (series_id, state, created_at) VALUES ($1, 'new', $2)
			ON CONFLICT (series_id) WHERE state IN ('new', 'processing') DO NOTHING`, id, a.now)
		if err != nil {
			return fmt.Errorf("queue backfill for series %d: %w", id, err)
		}
		if tag.RowsAffected() == 1 {
			a.res.BackfillsQueued++
			a.res.Views[a.broughtBy[id]].BackfillsQueued++
		}
	}
	return nil
}
