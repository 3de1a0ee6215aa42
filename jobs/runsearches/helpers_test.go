package runsearches_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/jobs"
	"github.com/sightline-dev/sightline/jobs/indexcommits"
	"github.com/sightline-dev/sightline/jobs/jobstest"
	"github.com/sightline-dev/sightline/jobs/syncrepos"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// env is a runner on a fresh schema and bucket with a settable clock.
type env struct {
	t   *testing.T
	ctx context.Context
	r   *jobs.Runner
	db  *pgxpool.Pool
	now time.Time
}

func newEnv(t *testing.T, now time.Time) *env {
	e := &env{t: t, ctx: context.Background(), r: jobstest.NewRunner(t), now: now}
	e.r.NowFunc = func() time.Time { return e.now }
	e.db = e.r.DB
	return e
}

func (e *env) run(job jobs.Job) jobs.Counts {
	e.t.Helper()
	return jobstest.MustRun(e.t, e.r, job)
}

func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.db.Exec(e.ctx, sql, args...); err != nil {
		e.t.Fatalf("%s: %v", sql, err)
	}
}

func (e *env) addRepo(name, dir string) int64 {
	e.t.Helper()
	if err := repos.Upsert(e.ctx, e.db, repos.Spec{Name: name, Path: dir}); err != nil {
		e.t.Fatal(err)
	}
	r, err := repos.Get(e.ctx, e.db, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return r.ID
}

func (e *env) syncAndIndex() {
	e.t.Helper()
	e.run(&syncrepos.Job{})
	e.run(&indexcommits.Job{})
}

// series is a data series to insert, with a new backfill.
type series struct {
	query, kind, groupBy string
	repos                []string // nil: all repositories
	unit                 string
	points               int
}

func (e *env) addSeries(s series) (seriesID, backfillID int64) {
	e.t.Helper()
	scope := "list"
	if s.repos == nil {
		scope, s.repos = "all", []string{}
	}
	var groupBy *string
	if s.groupBy != "" {
		groupBy = &s.groupBy
	}
	err := e.db.QueryRow(e.ctx, `
		INSERT INTO insight_series (series_key, query, kind, group_by, repo_scope, repos, interval_unit, interval_value, num_points)
		VALUES (gen_random_uuid()::text, $1, $2, $3, $4, $5, $6, 1, $7) RETURNING id`,
		s.query, s.kind, groupBy, scope, s.repos, s.unit, s.points).Scan(&seriesID)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.db.QueryRow(e.ctx, `INSERT INTO backfills (series_id) VALUES ($1) RETURNING id`, seriesID).Scan(&backfillID); err != nil {
		e.t.Fatal(err)
	}
	return seriesID, backfillID
}

// point is a stored point, keyed for comparison.
type point struct {
	Repo    string
	Time    time.Time
	Capture string
}

// points returns table's points of series id: value and commit by key.
func (e *env) points(table string, id int64) (map[point]int64, map[point]string) {
	e.t.Helper()
	rows, err := e.db.Query(e.ctx, `SELECT r.name, p.time, p.capture, p.value, p.commit_oid FROM `+table+` p
		JOIN repos r ON r.id = p.repo_id WHERE p.series_id = $1`, id)
	if err != nil {
		e.t.Fatal(err)
	}
	values, commits := map[point]int64{}, map[point]string{}
	var (
		k      point
		v      int64
		commit string
	)
	_, err = pgx.ForEachRow(rows, []any{&k.Repo, &k.Time, &k.Capture, &v, &commit}, func() error {
		k.Time = k.Time.UTC()
		values[k], commits[k] = v, commit
		return nil
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return values, commits
}

// dump returns every row of the insights tables a search writes, sorted,
// to compare runs.
func (e *env) dump() []string {
	e.t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'point', series_id, repo_id, time, capture, value, commit_oid FROM series_points`,
		`SELECT 'snapshot', series_id, repo_id, time, capture, value, commit_oid FROM snapshot_points`,
		`SELECT 'incomplete', series_id, repo_id, time, reason, 0, detail FROM incomplete_points`,
		`SELECT 'time', series_id, 0, time, snapshot::text, 0, '' FROM series_recording_times`,
		`SELECT 'backfill', id, series_id, coalesce(finished_at, 'epoch'), state, repos_done * 1000 + repos_errored, coalesce(error, '') FROM backfills`,
		`SELECT 'series', id, 0, coalesce(next_recording_after, 'epoch'), coalesce(next_snapshot_after::text, ''), 0, coalesce(backfill_completed_at::text, '') FROM insight_series`,
	} {
		rows, err := e.db.Query(e.ctx, q)
		if err != nil {
			e.t.Fatal(err)
		}
		var (
			what, c4, c6 string
			c1           int64
			c2           *int64
			c3           time.Time
			c5           int64
		)
		_, err = pgx.ForEachRow(rows, []any{&what, &c1, &c2, &c3, &c4, &c5, &c6}, func() error {
			var repo int64
			if c2 != nil {
				repo = *c2
			}
			out = append(out, fmt.Sprintf("%s %d %d %s %q %d %q", what, c1, repo, c3.UTC().Format(time.RFC3339), c4, c5, c6))
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	sort.Strings(out)
	return out
}

func (e *env) backfill(id int64) (state string, done, errored int, msg string) {
	e.t.Helper()
	err := e.db.QueryRow(e.ctx, `SELECT state, repos_done, repos_errored, coalesce(error, '') FROM backfills WHERE id = $1`, id).
		Scan(&state, &done, &errored, &msg)
	if err != nil {
		e.t.Fatal(err)
	}
	return state, done, errored, msg
}
