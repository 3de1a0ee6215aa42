package insights_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sightline-dev/sightline/sinks/insights"
	"github.com/sightline-dev/sightline/sinks/pgtest"
	"github.com/sightline-dev/sightline/sources/insightspec"
)

var applyT0 = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// applyYAML parses src as insights.yaml and applies it at now.
func applyYAML(t *testing.T, db *pgxpool.Pool, src string, now time.Time) (insights.ApplyResult, error) {
	t.Helper()
	f, err := insightspec.ParseBytes("insights.yaml", []byte(src), "/files")
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return insights.Apply(context.Background(), db, f, now)
}

func mustApply(t *testing.T, db *pgxpool.Pool, src string, now time.Time) insights.ApplyResult {
	t.Helper()
	res, err := applyYAML(t, db, src, now)
	if err != nil {
		t.Fatalf("apply: %v", err)
	}
	return res
}

// dump returns every row of the tables Apply writes, as JSON text, to
// compare database states.
func dump(t *testing.T, db *pgxpool.Pool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range []string{"repos", "insight_views", "insight_series", "insight_view_series", "backfills"} {
		rows, err := db.Query(context.Background(), `SELECT row_to_json(t)::text FROM `+table+` t ORDER BY 1`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out[table] = append(out[table], s)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

func count(t *testing.T, db *pgxpool.Pool, sql string, args ...any) int {
	t.Helper()
	var n int
	if err := db.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}

const twoViews = `
repos:
  - {name: app, path: /srv/app}
  - {name: lib, path: /srv/lib, private: true}
insights:
  - id: todos
    title: TODOs
    repos: [app, lib]
    interval: 1w
    series:
      - {label: TODO, query: TODO, color: "#f00"}
      - {label: FIXME, query: FIXME}
  - title: Markers
    repos: [lib, app]
    interval: 7d
    filters: {include_repos: ^app}
    series:
      - {label: todo, query: '"TODO"'}
      - {label: marker, query: '/(TODO|XXX)/', kind: capture-group}
`

func TestApplyIdempotent(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	res := mustApply(t, db, twoViews, applyT0)
	want := insights.ApplyResult{
		ReposCreated: 2,
		Views: []insights.AppliedView{
			{UniqueID: "todos", Title: "TODOs", Status: insights.ViewCreated, SeriesAdded: 2, BackfillsQueued: 2},
			{Title: "Markers", Status: insights.ViewCreated, SeriesAdded: 2, BackfillsQueued: 1},
		},
		// TODO in "Markers" is the same data series as in "TODOs": same
		// normalized query, same repositories in another order, 7d = 1w.
		SeriesCreated:   3,
		BackfillsQueued: 3,
	}
	ignoreIDs := func(r insights.ApplyResult) insights.ApplyResult {
		r.Views = slices.Clone(r.Views)
		for i := range r.Views {
			r.Views[i].ID = 0
			if r.Views[i].Title == "Markers" {
				r.Views[i].UniqueID = ""
			}
		}
		return r
	}
	if diff := cmp.Diff(want, ignoreIDs(res)); diff != "" {
		t.Errorf("first apply (-want +got):\n%s", diff)
	}
	if len(res.Views[1].UniqueID) != 27 {
		t.Errorf("view without id got unique id %q, want a ksuid", res.Views[1].UniqueID)
	}
	before := dump(t, db)

	// The second apply, later, finds everything as the file says.
	again := mustApply(t, db, twoViews, applyT0.Add(time.Hour))
	if again.Changed() {
		t.Errorf("second apply changed something: %+v", again)
	}
	if again.ReposUnchanged != 2 || again.ViewsWith(insights.ViewUnchanged) != 2 ||
		again.Views[0].SeriesUnchanged != 2 || again.Views[1].UniqueID != res.Views[1].UniqueID {
		t.Errorf("second apply = %+v", again)
	}
	if diff := cmp.Diff(before, dump(t, db)); diff != "" {
		t.Errorf("second apply wrote rows (-before +after):\n%s", diff)
	}

	// The stored rows.
	if n := count(t, db, `SELECT count(*) FROM insight_series WHERE repos = '{app,lib}' AND interval_unit = 'week'
		AND interval_value = 1 AND num_points = 12 AND next_recording_after IS NULL AND deleted_at IS NULL`); n != 3 {
		t.Errorf("%d series as declared, want 3", n)
	}
	if n := count(t, db, `SELECT count(*) FROM insight_view_series vs JOIN insight_views v ON v.id = vs.view_id
		WHERE v.unique_id = 'todos' AND vs.label = 'TODO' AND vs.stroke = '#f00' AND vs.position = 0`); n != 1 {
		t.Errorf("TODO link not stored as declared")
	}
	if n := count(t, db, `SELECT count(*) FROM insight_views WHERE title = 'Markers' AND include_repo_regex = '^app'
		AND exclude_repo_regex IS NULL AND source = 'insights.yaml' AND created_at = $1`, applyT0); n != 1 {
		t.Errorf("Markers view not stored as declared")
	}
	if n := count(t, db, `SELECT count(*) FROM repos WHERE name = 'lib' AND private AND path = '/srv/lib'`); n != 1 {
		t.Errorf("repository lib not registered as declared")
	}
}

func TestApplySharedSeries(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	mustApply(t, db, twoViews, applyT0)
	var seriesIDs []int64
	rows, err := db.Query(context.Background(), `SELECT vs.series_id FROM insight_view_series vs
		JOIN insight_series s ON s.id = vs.series_id WHERE s.query IN ('TODO', '"TODO"') ORDER BY vs.view_id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		_ = rows.Scan(&id)
		seriesIDs = append(seriesIDs, id)
	}
	if len(seriesIDs) != 2 || seriesIDs[0] != seriesIDs[1] {
		t.Fatalf("TODO links point at series %v, want one series twice", seriesIDs)
	}
	if n := count(t, db, `SELECT count(*) FROM backfills WHERE series_id = $1`, seriesIDs[0]); n != 1 {
		t.Errorf("%d backfills for the shared series, want 1", n)
	}
}

func TestApplyRemoveAndReaddSeries(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	mustApply(t, db, twoViews, applyT0)
	fixmeID := int64(count(t, db, `SELECT id FROM insight_series WHERE query = 'FIXME'`))
	todoID := int64(count(t, db, `SELECT id FROM insight_series WHERE query = 'TODO'`))

	// Drop FIXME (used by TODOs only) and TODO (shared with Markers) from
	// the TODOs view.
	t1 := applyT0.Add(24 * time.Hour)
	removed := strings.Replace(twoViews, "      - {label: TODO, query: TODO, color: \"#f00\"}\n      - {label: FIXME, query: FIXME}\n",
		"      - {label: DONE, query: DONE}\n", 1)
	res := mustApply(t, db, removed, t1)
	if v := res.Views[0]; v.Status != insights.ViewUnchanged || v.SeriesAdded != 1 || v.SeriesRemoved != 2 || v.BackfillsQueued != 1 {
		t.Errorf("TODOs view = %+v", v)
	}
	if res.SeriesDeleted != 1 || res.SeriesCreated != 1 {
		t.Errorf("result = %+v, want FIXME deleted and DONE created", res)
	}
	if n := count(t, db, `SELECT count(*) FROM insight_view_series WHERE series_id = ANY($1) AND deleted_at = $2`,
		[]int64{fixmeID, todoID}, t1); n != 2 {
		t.Errorf("%d links soft-deleted, want 2", n)
	}
	if n := count(t, db, `SELECT count(*) FROM insight_series WHERE id = $1 AND deleted_at = $2`, fixmeID, t1); n != 1 {
		t.Error("FIXME series not soft-deleted")
	}
	if n := count(t, db, `SELECT count(*) FROM insight_series WHERE id = $1 AND deleted_at IS NULL`, todoID); n != 1 {
		t.Error("TODO series deleted though Markers still shows it")
	}
	list, err := insights.ViewGet(ctx, db, "todos")
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Series) != 1 || list.Series[0].Label != "DONE" {
		t.Errorf("TODOs series = %+v", list.Series)
	}

	// FIXME's backfill finished and the series was scheduled; re-adding it
	// restores the series, clears its schedule and queues a new backfill.
	if _, err := db.Exec(ctx, `UPDATE backfills SET state = 'completed' WHERE series_id = $1`, fixmeID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(ctx, `UPDATE insight_series SET next_recording_after = $2, backfill_completed_at = $2 WHERE id = $1`,
		fixmeID, applyT0); err != nil {
		t.Fatal(err)
	}
	res = mustApply(t, db, twoViews, t1.Add(time.Hour))
	if v := res.Views[0]; v.SeriesAdded != 2 || v.SeriesRemoved != 1 || v.BackfillsQueued != 1 {
		t.Errorf("re-added: TODOs view = %+v", v)
	}
	if res.SeriesRestored != 1 || res.SeriesDeleted != 1 || res.BackfillsQueued != 1 {
		t.Errorf("re-added: result = %+v, want FIXME restored, DONE deleted, one backfill", res)
	}
	if n := count(t, db, `SELECT count(*) FROM insight_series WHERE id = $1 AND deleted_at IS NULL
		AND next_recording_after IS NULL AND backfill_completed_at IS NULL`, fixmeID); n != 1 {
		t.Error("FIXME series not restored with a cleared schedule")
	}
	if n := count(t, db, `SELECT count(*) FROM backfills WHERE series_id = $1 AND state = 'new'`, fixmeID); n != 1 {
		t.Error("no new backfill for the restored series")
	}
	if n := count(t, db, `SELECT count(*) FROM insight_view_series WHERE series_id = $1 AND deleted_at IS NULL
		AND added_at = $2`, fixmeID, t1.Add(time.Hour)); n != 1 {
		t.Error("FIXME link not restored")
	}
	// The DONE series' backfill is still new: restoring DONE later would
	// reuse it rather than queue a second one.
	res = mustApply(t, db, removed, t1.Add(2*time.Hour))
	if res.SeriesRestored != 1 || res.BackfillsQueued != 0 {
		t.Errorf("DONE restored: result = %+v, want no second open backfill", res)
	}
}

func TestApplyUpdatesViewAndLinks(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	mustApply(t, db, twoViews, applyT0)
	t1 := applyT0.Add(time.Hour)
	changed := strings.NewReplacer(
		"title: TODOs", "title: Open TODOs\n    description: renamed, same id",
		`{label: TODO, query: TODO, color: "#f00"}`, `{label: todo, query: TODO, color: "#0f0"}`,
	).Replace(twoViews)
	res := mustApply(t, db, changed, t1)
	v := res.Views[0]
	if v.Status != insights.ViewUpdated || v.UniqueID != "todos" || v.SeriesUpdated != 1 || v.SeriesUnchanged != 1 {
		t.Errorf("TODOs = %+v", v)
	}
	if res.Views[1].Status != insights.ViewUnchanged || res.SeriesCreated != 0 {
		t.Errorf("result = %+v", res)
	}
	if n := count(t, db, `SELECT count(*) FROM insight_views WHERE unique_id = 'todos' AND title = 'Open TODOs'
		AND description = 'renamed, same id' AND updated_at = $1`, t1); n != 1 {
		t.Error("view not updated")
	}
	if n := count(t, db, `SELECT count(*) FROM insight_view_series WHERE label = 'todo' AND stroke = '#0f0'`); n != 1 {
		t.Error("link not updated")
	}
}

func TestApplyUnknownRepo(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	ctx := context.Background()
	if _, err := db.Exec(ctx, `INSERT INTO repos (name, path, deleted_at) VALUES ('gone', '/srv/gone', now())`); err != nil {
		t.Fatal(err)
	}
	src := `
repos:
  - {name: app, path: /srv/app}
insights:
  - title: T
    repos: [app, nope, gone]
    interval: 1d
    series: [{label: a, query: a}]
`
	_, err := applyYAML(t, db, src, applyT0)
	var es insightspec.Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("Apply error = %v, want two insightspec.Errors", err)
	}
	want := `insights.yaml:6: insight "T" (insights[0]): repos[1]: repository "nope" is not registered: declare it in the file's repos: list, or run ` +
		"`sightline repos add nope --path DIR` (or --url URL)"
	if es[0].Error() != want {
		t.Errorf("error =\n%s\nwant\n%s", es[0], want)
	}
	if !strings.Contains(es[1].Error(), `repos[2]: repository "gone" is not registered`) {
		t.Errorf("removed repository: %v", es[1])
	}
	// Nothing was written, not even the declared repository.
	if n := count(t, db, `SELECT (SELECT count(*) FROM insight_views) + (SELECT count(*) FROM repos WHERE name = 'app')`); n != 0 {
		t.Errorf("%d rows written by a failed apply", n)
	}
	// A registered repository needs no declaration.
	if _, err := db.Exec(ctx, `INSERT INTO repos (name, path) VALUES ('nope', '/srv/nope')`); err != nil {
		t.Fatal(err)
	}
	if _, err := applyYAML(t, db, strings.Replace(src, ", gone", "", 1), applyT0); err != nil {
		t.Errorf("apply with registered repository: %v", err)
	}
}

func TestApplyViewIdentity(t *testing.T) {
	t.Parallel()
	db := pgtest.NewDB(t)
	noID := "insights:\n  - title: Languages\n    all_repos: true\n    interval: 1mo\n    description: D\n" +
		"    series: [{label: lines, kind: language-usage}]\n"
	first := mustApply(t, db, noID, applyT0)
	id := first.Views[0].UniqueID
	// Without an id the view is found by title.
	second := mustApply(t, db, strings.Replace(noID, "description: D", "description: E", 1), applyT0)
	if second.Views[0].UniqueID != id || second.Views[0].Status != insights.ViewUpdated {
		t.Errorf("re-apply without id: %+v, want view %s updated", second.Views[0], id)
	}
	// A renamed insight without an id is a new view; the old one stays.
	renamed := mustApply(t, db, strings.Replace(noID, "title: Languages", "title: Langs", 1), applyT0)
	if renamed.Views[0].Status != insights.ViewCreated || renamed.Views[0].UniqueID == id {
		t.Errorf("renamed: %+v, want a new view", renamed.Views[0])
	}
	if n := count(t, db, `SELECT count(*) FROM insight_views WHERE deleted_at IS NULL`); n != 2 {
		t.Errorf("%d live views, want 2", n)
	}
	// Giving the id renames in place; the other insight may then take the
	// old title of the view being renamed.
	withID := "insights:\n  - {id: " + id + ", title: Renamed, all_repos: true, interval: 1mo, series: [{label: l, kind: language-usage}]}\n" +
		"  - {title: Languages, all_repos: true, interval: 1y, series: [{label: l, kind: language-usage}]}\n"
	res := mustApply(t, db, withID, applyT0)
	if res.Views[0].UniqueID != id || res.Views[0].Status != insights.ViewUpdated || res.Views[1].Status != insights.ViewCreated {
		t.Errorf("rename by id: %+v", res.Views)
	}
	// Two live views with one title: an insight without id is ambiguous.
	mustApply(t, db, "insights:\n  - {id: other, title: Languages, all_repos: true, interval: 1d, series: [{label: l, query: x}]}\n", applyT0)
	_, err := applyYAML(t, db, noID, applyT0)
	var es insightspec.Errors
	if !errors.As(err, &es) || !strings.Contains(err.Error(), `insight "Languages" (insights[0]): title: 2 views have this title (ids `) {
		t.Errorf("ambiguous title: %v", err)
	}
}
