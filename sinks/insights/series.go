// Package insights owns the code-insights tables: views, data series and
// their links, backfills, repository grants, points and incomplete points
// (see migrations/00003_insights.sql). Jobs and the CLI read and write them
// through this package; the search-shard queue is in sinks/shardqueue.
package insights

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ErrNotFound is returned for an unknown view or series.
var ErrNotFound = errors.New("not found")

// Kind is what a series computes.
type Kind string

// The series kinds.
const (
	KindSearch        Kind = "search"         // match count per repo
	KindCaptureGroup  Kind = "capture-group"  // count per captured value
	KindLanguageUsage Kind = "language-usage" // lines per language
	KindGroupBy       Kind = "group-by"       // match count per repo, lang or path
)

// Scope is how a series chooses its repositories.
type Scope string

// The repository scopes.
const (
	ScopeList     Scope = "list"     // Series.Repos by name
	ScopeCriteria Scope = "criteria" // names matching Series.RepoCriteria
	ScopeAll      Scope = "all"      // every repository
)

// Interval is a sampling interval: Value units.
type Interval struct {
	Unit  string // hour, day, week, month or year
	Value int
}

// Back returns t moved k intervals into the past, in calendar arithmetic.
func (iv Interval) Back(t time.Time, k int) time.Time {
	n := -k * iv.Value
	switch iv.Unit {
	case "hour":
		return t.Add(time.Duration(n) * time.Hour)
	case "day":
		return t.AddDate(0, 0, n)
	case "week":
		return t.AddDate(0, 0, 7*n)
	case "month":
		return t.AddDate(0, n, 0)
	}
	return t.AddDate(n, 0, 0)
}

// Next returns t moved one interval into the future.
func (iv Interval) Next(t time.Time) time.Time { return iv.Back(t, -1) }

// SampleTimes returns n times ending at end, one interval apart, oldest
// first.
func (iv Interval) SampleTimes(end time.Time, n int) []time.Time {
	out := make([]time.Time, n)
	for i := range n {
		out[i] = iv.Back(end, n-1-i)
	}
	return out
}

// Series is a data series (a row of insight_series).
type Series struct {
	ID           int64
	Key          string
	Query        string
	Kind         Kind
	GroupBy      string // repo, lang or path for KindGroupBy
	Scope        Scope
	Repos        []string
	RepoCriteria string
	Interval     Interval
	NumPoints    int
	CreatedAt    time.Time

	LastRecordedAt      *time.Time
	NextRecordingAfter  *time.Time
	LastSnapshotAt      *time.Time
	NextSnapshotAfter   *time.Time
	BackfillCompletedAt *time.Time
	DeletedAt           *time.Time
}

const selectSeries = `SELECT id, series_key, query, kind, coalesce(group_by, ''), repo_scope, repos,
	coalesce(repo_criteria, ''), interval_unit, interval_value, num_points, created_at,
	last_recorded_at, next_recording_after, last_snapshot_at, next_snapshot_after,
	backfill_completed_at, deleted_at
	FROM insight_series`

func scanSeries(row pgx.CollectableRow) (Series, error) {
	var s Series
	err := row.Scan(&s.ID, &s.Key, &s.Query, &s.Kind, &s.GroupBy, &s.Scope, &s.Repos, &s.RepoCriteria,
		&s.Interval.Unit, &s.Interval.Value, &s.NumPoints, &s.CreatedAt,
		&s.LastRecordedAt, &s.NextRecordingAfter, &s.LastSnapshotAt, &s.NextSnapshotAfter,
		&s.BackfillCompletedAt, &s.DeletedAt)
	return s, err
}

// SeriesGet returns the series with id, deleted or not, or ErrNotFound.
func SeriesGet(ctx context.Context, db *pgxpool.Pool, id int64) (Series, error) {
	rows, err := db.Query(ctx, selectSeries+` WHERE id = $1`, id)
	if err != nil {
		return Series{}, fmt.Errorf("get series %d: %w", id, err)
	}
	s, err := pgx.CollectExactlyOneRow(rows, scanSeries)
	if errors.Is(err, pgx.ErrNoRows) {
		return Series{}, fmt.Errorf("series %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Series{}, fmt.Errorf("get series %d: %w", id, err)
	}
	return s, nil
}
