package insights_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/segmentio/ksuid"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket"
	"github.com/sightline-dev/sightline/pipeline/buckettest"
	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/loader"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sinks/repos"
)

// pointsEnv is a database with one series and two repositories, and a
// bucket to load batches from.
type pointsEnv struct {
	t      *testing.T
	ctx    context.Context
	db     *pgxpool.Pool
	bucket bucket.Bucket
	series int64
	repoA  int64
	repoB  int64
}

func newPointsEnv(t *testing.T) *pointsEnv {
	t.Helper()
	ctx := context.Background()
	db := pgtest.NewDB(t)
	b := buckettest.NewFileBucket(t)
	e := &pointsEnv{t: t, ctx: ctx, db: db, bucket: b}
	if err := db.QueryRow(ctx, `
		INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value)
		VALUES ('k', '/owner:(\w+)/', 'capture-group', 'all', 'week', 1) RETURNING id`).Scan(&e.series); err != nil {
		t.Fatal(err)
	}
	if err := repos.Upsert(ctx, db, repos.Spec{Name: "a", Path: "/a"}, repos.Spec{Name: "b", Path: "/b"}); err != nil {
		t.Fatal(err)
	}
	for name, id := range map[string]*int64{"a": &e.repoA, "b": &e.repoB} {
		r, err := repos.Get(ctx, db, name)
		if err != nil {
			t.Fatal(err)
		}
		*id = r.ID
	}
	return e
}

// load writes answers (of kind) and incomplete points as one run and loads
// it.
func (e *pointsEnv) load(kind batch.Kind, answers []insights.Answer, lost []insights.Incomplete) {
	e.t.Helper()
	if err := e.loadErr(kind, answers, lost); err != nil {
		e.t.Fatal(err)
	}
}

// loadErr is load, returning the loader's error.
func (e *pointsEnv) loadErr(kind batch.Kind, answers []insights.Answer, lost []insights.Incomplete) error {
	e.t.Helper()
	run := batch.NewRun(e.bucket, "run-searches", ksuid.New().String())
	if len(answers) > 0 {
		w, err := run.Create(e.ctx, "points", kind)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, a := range answers {
			if err := insights.AppendAnswer(w.Builder(), a); err != nil {
				e.t.Fatal(err)
			}
		}
		if _, err := w.Close(); err != nil {
			e.t.Fatal(err)
		}
	}
	if len(lost) > 0 {
		w, err := run.Create(e.ctx, "incomplete", insights.IncompleteKind)
		if err != nil {
			e.t.Fatal(err)
		}
		for _, p := range lost {
			if err := insights.AppendIncomplete(w.Builder(), p); err != nil {
				e.t.Fatal(err)
			}
		}
		if _, err := w.Close(); err != nil {
			e.t.Fatal(err)
		}
	}
	m, err := run.Commit(e.ctx)
	if err != nil {
		e.t.Fatal(err)
	}
	l := &loader.Loader{DB: e.db, Bucket: e.bucket, Targets: insights.PointTargets()}
	_, err = l.LoadRun(e.ctx, m)
	return err
}

// count counts table's rows matching cond (with argument arg).
func (e *pointsEnv) count(table, cond string, arg int64) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(e.ctx, `SELECT count(*) FROM `+table+` WHERE `+cond, arg).Scan(&n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// rows returns table's rows as "repo time capture=value@commit" lines.
func (e *pointsEnv) rows(table string) []string {
	e.t.Helper()
	rows, err := e.db.Query(e.ctx, `SELECT r.name, p.time, p.capture, p.value, p.commit_oid FROM `+table+` p
		JOIN repos r ON r.id = p.repo_id ORDER BY 1, 2, 3`)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var (
			repo, capture, commit string
			at                    time.Time
			value                 int64
		)
		if err := rows.Scan(&repo, &at, &capture, &value, &commit); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s %s %s=%d@%s", repo, at.UTC().Format("01-02"), capture, value, commit))
	}
	return out
}

// incomplete returns the series' incomplete points as "time repo reason
// detail" lines (repo 0 for the whole point).
func (e *pointsEnv) incomplete() []string {
	e.t.Helper()
	ps, err := insights.IncompleteList(e.ctx, e.db, e.series)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		repo := "all"
		switch p.RepoID {
		case e.repoA:
			repo = "a"
		case e.repoB:
			repo = "b"
		}
		out = append(out, fmt.Sprintf("%s %s %s %s", p.Time.Format("01-02"), repo, p.Reason, p.Detail))
	}
	return out
}

func (e *pointsEnv) snapshotTimes() []string {
	e.t.Helper()
	rows, err := e.db.Query(e.ctx, `SELECT time FROM series_recording_times WHERE series_id = $1 AND snapshot ORDER BY time`, e.series)
	if err != nil {
		e.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(&at); err != nil {
			e.t.Fatal(err)
		}
		out = append(out, at.UTC().Format("01-02"))
	}
	return out
}

var (
	day1 = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	day2 = day1.AddDate(0, 0, 7)
)

func check(t *testing.T, what string, want, got []string) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s (-want +got):\n%s", what, d)
	}
}

func TestLoadAnswersReplacesCaptures(t *testing.T) {
	t.Parallel()
	e := newPointsEnv(t)
	ans := func(repo int64, at time.Time, commit string, values map[string]int64) insights.Answer {
		return insights.Answer{SeriesID: e.series, RepoID: repo, Time: at, Commit: commit, Values: values}
	}
	first := []insights.Answer{
		ans(e.repoA, day1, "c1", map[string]int64{"alice": 1, "bob": 2, "zero": 0}),
		ans(e.repoA, day2, "c2", map[string]int64{"alice": 5}),
		ans(e.repoB, day1, "c9", map[string]int64{"carol": 3}),
	}
	e.load(insights.PointsKind, first, nil)
	want := []string{"a 01-01 alice=1@c1", "a 01-01 bob=2@c1", "a 01-08 alice=5@c2", "b 01-01 carol=3@c9"}
	check(t, "first load", want, e.rows("series_points"))

	// The same answers again (a redone shard): nothing changes.
	e.load(insights.PointsKind, first, nil)
	check(t, "same answers again", want, e.rows("series_points"))

	// A recompute at (a, day 1): bob disappeared, alice changed. At (b,
	// day 1) every capture disappeared: only the marker row is left.
	e.load(insights.PointsKind, []insights.Answer{
		ans(e.repoA, day1, "c1b", map[string]int64{"alice": 4}),
		ans(e.repoB, day1, "c9b", nil),
	}, nil)
	check(t, "recompute", []string{"a 01-01 alice=4@c1b", "a 01-08 alice=5@c2"}, e.rows("series_points"))
}

func TestLoadAnswersIncomplete(t *testing.T) {
	t.Parallel()
	e := newPointsEnv(t)
	e.load(insights.PointsKind, nil, []insights.Incomplete{
		{SeriesID: e.series, Time: day1, RepoID: e.repoA, Reason: insights.ReasonRepoError, Detail: "gone"},
		{SeriesID: e.series, Time: day1, Reason: insights.ReasonErrorLimit, Detail: "too many"},
	})
	check(t, "incomplete loaded", []string{"01-01 all error-limit too many", "01-01 a repo-error gone"}, e.incomplete())

	// An answer supersedes the repository's incomplete point at that key
	// (not the whole-point one), and records its own skipped files.
	e.load(insights.PointsKind, []insights.Answer{{SeriesID: e.series, RepoID: e.repoA, Time: day1, Commit: "c",
		Values: map[string]int64{"x": 1}, Skipped: "too-large=2 files not searched"}}, nil)
	check(t, "answered", []string{"01-01 all error-limit too many", "01-01 a skipped-files too-large=2 files not searched"}, e.incomplete())

	// A later answer without skipped files clears it.
	e.load(insights.PointsKind, []insights.Answer{{SeriesID: e.series, RepoID: e.repoA, Time: day1, Commit: "c",
		Values: map[string]int64{"x": 1}}}, nil)
	check(t, "clean answer", []string{"01-01 all error-limit too many"}, e.incomplete())
}

func TestLoadSnapshotReplacesPrevious(t *testing.T) {
	t.Parallel()
	e := newPointsEnv(t)
	snap := func(at time.Time, commit string, v int64) []insights.Answer {
		return []insights.Answer{
			{SeriesID: e.series, RepoID: e.repoA, Time: at, Commit: commit, Values: map[string]int64{"alice": v}},
			{SeriesID: e.series, RepoID: e.repoB, Time: at, Commit: commit, Values: map[string]int64{"bob": v}, Skipped: "missing=1"},
		}
	}
	e.load(insights.SnapshotPointsKind, snap(day1, "s1", 1), nil)
	check(t, "first snapshot", []string{"a 01-01 alice=1@s1", "b 01-01 bob=1@s1"}, e.rows("snapshot_points"))
	check(t, "first snapshot time", []string{"01-01"}, e.snapshotTimes())
	check(t, "first snapshot incomplete", []string{"01-01 b skipped-files missing=1"}, e.incomplete())

	e.load(insights.SnapshotPointsKind, snap(day2, "s2", 2), nil)
	want := []string{"a 01-08 alice=2@s2", "b 01-08 bob=2@s2"}
	check(t, "second snapshot", want, e.rows("snapshot_points"))
	check(t, "second snapshot time", []string{"01-08"}, e.snapshotTimes())
	check(t, "second snapshot incomplete", []string{"01-08 b skipped-files missing=1"}, e.incomplete())

	// A late retry of the first snapshot does not roll the series back.
	e.load(insights.SnapshotPointsKind, snap(day1, "s1", 1), nil)
	check(t, "late snapshot", want, e.rows("snapshot_points"))
	check(t, "late snapshot time", []string{"01-08"}, e.snapshotTimes())
	if got := e.rows("series_points"); len(got) != 0 {
		t.Fatalf("snapshots wrote series points: %v", got)
	}
}

// TestPointsOfDeletedParents checks what stands in for the points tables'
// foreign keys (migration 00007): deleting a repository or a series deletes
// its points, and points of a series or repository that no longer exists
// fail to load, leaving nothing.
func TestPointsOfDeletedParents(t *testing.T) {
	t.Parallel()
	e := newPointsEnv(t)
	ans := func(series, repo int64) insights.Answer {
		return insights.Answer{SeriesID: series, RepoID: repo, Time: day1, Commit: "c1", Values: map[string]int64{"alice": 1}}
	}
	for _, kind := range []batch.Kind{insights.PointsKind, insights.SnapshotPointsKind} {
		e.load(kind, []insights.Answer{ans(e.series, e.repoA), ans(e.series, e.repoB)}, nil)
	}
	if _, err := e.db.Exec(e.ctx, `DELETE FROM repos WHERE id = $1`, e.repoB); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"series_points", "snapshot_points"} {
		if n := e.count(table, "repo_id = $1", e.repoB); n != 0 {
			t.Errorf("%s has %d rows of the deleted repository", table, n)
		}
		if n := e.count(table, "repo_id = $1", e.repoA); n != 1 {
			t.Errorf("%s has %d rows of the other repository, want 1", table, n)
		}
	}
	if _, err := e.db.Exec(e.ctx, `DELETE FROM insight_series WHERE id = $1`, e.series); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"series_points", "snapshot_points"} {
		if n := e.count(table, "series_id = $1", e.series); n != 0 {
			t.Errorf("%s has %d rows of the deleted series", table, n)
		}
	}

	// Loads that refer to them now fail whole.
	err := e.loadErr(insights.PointsKind, []insights.Answer{ans(e.series, e.repoA)}, nil)
	if err == nil || !strings.Contains(err.Error(), "series that no longer exists") {
		t.Errorf("load for a deleted series = %v, want an error saying so", err)
	}
	var other int64
	if err := e.db.QueryRow(e.ctx, `INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value)
		VALUES ('k2', 'TODO', 'search', 'all', 'week', 1) RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	err = e.loadErr(insights.SnapshotPointsKind, []insights.Answer{ans(other, e.repoA), ans(other, e.repoB)}, nil)
	if err == nil || !strings.Contains(err.Error(), "repository that no longer exists") {
		t.Errorf("load for a deleted repository = %v, want an error saying so", err)
	}
	for _, table := range []string{"series_points", "snapshot_points"} {
		if n := e.count(table, "series_id = $1", other); n != 0 {
			t.Errorf("%s has %d rows after the failed loads", table, n)
		}
	}
}
