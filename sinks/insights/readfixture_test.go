package insights_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/pgtest"
)

// fixture writes read-path test data with plain SQL, independently of the
// package's writers.
type fixture struct {
	t   testing.TB
	db  *pgxpool.Pool
	ctx context.Context
}

func newFixture(t testing.TB) fixture {
	t.Helper()
	return fixture{t: t, db: pgtest.NewDB(t), ctx: context.Background()}
}

func (f fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.db.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

func (f fixture) id(sql string, args ...any) int64 {
	f.t.Helper()
	var id int64
	if err := f.db.QueryRow(f.ctx, sql, args...).Scan(&id); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
	return id
}

func (f fixture) repo(name string, private bool) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO repos (name, path, private) VALUES ($1, '/nonexistent/' || $1, $2) RETURNING id`, name, private)
}

// testView is an insight_views row; zero fields take the column defaults.
type testView struct {
	uid, title, presentation string
	include, exclude         string
	sortMode, sortDirection  string
	limit                    int
}

func (f fixture) view(v testView) int64 {
	f.t.Helper()
	return f.id(`INSERT INTO insight_views (unique_id, title, presentation, include_repo_regex, exclude_repo_regex,
			sort_mode, sort_direction, series_limit)
		VALUES ($1, $2, coalesce(nullif($3, ''), 'line'), nullif($4, ''), nullif($5, ''),
			coalesce(nullif($6, ''), 'result-count'), coalesce(nullif($7, ''), 'desc'), coalesce(nullif($8, 0), 20))
		RETURNING id`, v.uid, v.title, v.presentation, v.include, v.exclude, v.sortMode, v.sortDirection, v.limit)
}

// series adds a data series of kind with numPoints points; key must be
// unique in the test.
func (f fixture) series(key, kind string, numPoints int) int64 {
	f.t.Helper()
	var groupBy *string
	if kind == "group-by" {
		repo := "repo"
		groupBy = &repo
	}
	return f.id(`INSERT INTO insight_series (series_key, query, kind, group_by, repo_scope, interval_unit, interval_value, num_points)
		VALUES ($1, 'q ' || $1, $2, $3, 'all', 'week', 1, $4) RETURNING id`, key, kind, groupBy, numPoints)
}

// link shows series in view at position, added at added.
func (f fixture) link(view, series int64, label, stroke string, position int, added time.Time) {
	f.t.Helper()
	f.exec(`INSERT INTO insight_view_series (view_id, series_id, label, stroke, position, added_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, view, series, label, stroke, position, added)
}

func (f fixture) recordingTimes(series int64, snapshot bool, times ...time.Time) {
	f.t.Helper()
	for _, t := range times {
		f.exec(`INSERT INTO series_recording_times (series_id, time, snapshot) VALUES ($1, $2, $3)`, series, t, snapshot)
	}
}

func (f fixture) point(series, repo int64, t time.Time, capture string, value int64) {
	f.t.Helper()
	f.exec(`INSERT INTO series_points (series_id, repo_id, time, capture, value, commit_oid)
		VALUES ($1, $2, $3, $4, $5, 'c0ffee')`, series, repo, t, capture, value)
}

func (f fixture) snapshot(series, repo int64, t time.Time, capture string, value int64) {
	f.t.Helper()
	f.exec(`INSERT INTO snapshot_points (series_id, repo_id, time, capture, value, commit_oid)
		VALUES ($1, $2, $3, $4, $5, 'c0ffee')`, series, repo, t, capture, value)
}

func (f fixture) grant(user string, repo int64) {
	f.t.Helper()
	f.exec(`INSERT INTO repo_grants (user_name, repo_id) VALUES ($1, $2)`, user, repo)
}

// incomplete records an incomplete point; repo 0 is the whole point.
func (f fixture) incomplete(series int64, t time.Time, repo int64, reason, detail string) {
	f.t.Helper()
	f.exec(`INSERT INTO incomplete_points (series_id, time, repo_id, reason, detail)
		VALUES ($1, $2, nullif($3, 0::bigint), $4, $5)`, series, t, repo, reason, detail)
}

// week returns the k-th weekly sample time of the tests.
func week(k int) time.Time {
	return time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*k)
}
