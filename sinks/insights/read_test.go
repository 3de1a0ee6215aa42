package insights_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sightline-dev/sightline/sinks/insights"
)

// line is a ResultSeries reduced to what the tests compare.
type line struct {
	Label  string
	Values []int64
}

func lines(res insights.ViewResult) []line {
	out := []line{}
	for _, s := range res.Series {
		l := line{Label: s.Label, Values: []int64{}}
		for _, p := range s.Points {
			l.Values = append(l.Values, p.Value)
		}
		out = append(out, l)
	}
	return out
}

func read(t *testing.T, f fixture, opts insights.ReadOpts) insights.ViewResult {
	t.Helper()
	res, err := insights.ViewSeries(context.Background(), f.db, opts)
	if err != nil {
		t.Fatalf("ViewSeries(%+v): %v", opts, err)
	}
	return res
}

// TestViewSeriesSums checks the sum over repositories, zero-fill, the
// window of num_points, the newest snapshot as the last point, permissions
// and repository filters on a plain search series.
func TestViewSeriesSums(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.repo("github.com/x/a", false), f.repo("github.com/x/b", false)
	c := f.repo("github.com/x/c", true)
	gone := f.repo("github.com/x/gone", false)
	f.exec(`UPDATE repos SET deleted_at = now() WHERE id = $1`, gone)
	f.grant("bob", c)

	s := f.series("todo", "search", 3)
	debt := f.view(testView{uid: "debt", title: "Debt"})
	noB := f.view(testView{uid: "no-b", title: "Not b", exclude: "/b$"})
	onlyA := f.view(testView{uid: "only-a", title: "Only a", include: "/a$"})
	for _, v := range []int64{debt, noB, onlyA} {
		f.link(v, s, "TODOs", "#ff0000", 0, week(0))
	}
	// Four recording times; the window is the last three.
	f.recordingTimes(s, false, week(0), week(1), week(2), week(3))
	f.point(s, a, week(0), "", 9)
	f.point(s, a, week(1), "", 1)
	f.point(s, b, week(1), "", 2)
	f.point(s, a, week(2), "", 5)
	f.point(s, c, week(2), "", 100)
	f.point(s, gone, week(2), "", 1000)
	// week(3) has no points: zero-filled.
	// A stale snapshot left behind, and the newest one.
	stale, newest := week(3).Add(24*time.Hour), week(3).Add(48*time.Hour)
	f.snapshot(s, a, stale, "", 1000)
	f.recordingTimes(s, true, newest)
	f.snapshot(s, a, newest, "", 7)
	f.snapshot(s, b, newest, "", 1)
	f.snapshot(s, c, newest, "", 50)

	tests := []struct {
		name string
		opts insights.ReadOpts
		want []int64
	}{
		{name: "administrator sees all", opts: insights.ReadOpts{Admin: true, ViewID: "debt"}, want: []int64{3, 105, 0, 58}},
		{name: "by numeric id", opts: insights.ReadOpts{Admin: true, ViewID: fmt.Sprint(debt)}, want: []int64{3, 105, 0, 58}},
		{name: "user without grant", opts: insights.ReadOpts{ViewID: "debt", User: "ann"}, want: []int64{3, 5, 0, 8}},
		{name: "user with grant", opts: insights.ReadOpts{ViewID: "debt", User: "bob"}, want: []int64{3, 105, 0, 58}},
		{name: "include override", opts: insights.ReadOpts{Admin: true, ViewID: "debt", IncludeRepos: []string{"/a$"}}, want: []int64{1, 5, 0, 7}},
		{name: "any include matches", opts: insights.ReadOpts{ViewID: "debt", User: "ann", IncludeRepos: []string{"/a$", "/b$"}},
			want: []int64{3, 5, 0, 8}},
		{name: "no exclude may match", opts: insights.ReadOpts{Admin: true, ViewID: "debt", ExcludeRepos: []string{"/b$", "/c$"}},
			want: []int64{1, 5, 0, 7}},
		{name: "view default exclude", opts: insights.ReadOpts{Admin: true, ViewID: "no-b"}, want: []int64{1, 105, 0, 57}},
		{name: "view default include", opts: insights.ReadOpts{Admin: true, ViewID: "only-a"}, want: []int64{1, 5, 0, 7}},
		{name: "exclude override clears the default", opts: insights.ReadOpts{Admin: true, ViewID: "no-b", ExcludeRepos: []string{}},
			want: []int64{3, 105, 0, 58}},
		{name: "include override keeps the default exclude", opts: insights.ReadOpts{Admin: true, ViewID: "no-b", IncludeRepos: []string{"/[ab]$"}},
			want: []int64{1, 5, 0, 7}},
		{name: "now hides later times", opts: insights.ReadOpts{Admin: true, ViewID: "debt", Now: week(2)}, want: []int64{9, 3, 105}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := read(t, f, tt.opts)
			want := []line{{Label: "TODOs", Values: tt.want}}
			if diff := cmp.Diff(want, lines(res)); diff != "" {
				t.Errorf("series (-want +got):\n%s", diff)
			}
		})
	}

	res := read(t, f, insights.ReadOpts{Admin: true, ViewID: "debt"})
	var times []time.Time
	for _, p := range res.Series[0].Points {
		times = append(times, p.Time)
	}
	if diff := cmp.Diff([]time.Time{week(1), week(2), week(3), newest}, times); diff != "" {
		t.Errorf("times (-want +got):\n%s", diff)
	}
	if last := res.Series[0].Points[3]; !last.Snapshot {
		t.Errorf("last point %+v is not marked as the snapshot", last)
	}
	if got := res.Series[0].Color; got != "#ff0000" {
		t.Errorf("color %q, want the view's stroke", got)
	}
	if res.View.Title != "Debt" || res.View.UniqueID != "debt" || res.View.Presentation != "line" || res.TotalSeries != 1 {
		t.Errorf("view %+v total %d", res.View, res.TotalSeries)
	}
}

// TestViewSeriesCaptureGroups checks one line per captured value,
// zero-filled, and every sort mode, direction and limit.
func TestViewSeriesCaptureGroups(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.repo("a", false), f.repo("b", false)
	p := f.repo("p", true)
	s := f.series("versions", "capture-group", 2)
	f.recordingTimes(s, false, week(0), week(1))
	for _, pt := range []struct {
		repo    int64
		t       time.Time
		capture string
		value   int64
	}{
		{a, week(0), "1.10", 1}, {a, week(0), "1.9", 4}, {b, week(0), "beta", 2},
		{a, week(1), "1.10", 5}, {b, week(1), "1.10", 1}, {a, week(1), "1.2", 3}, {b, week(1), "alpha", 3},
		{p, week(1), "secret", 10},
	} {
		f.point(s, pt.repo, pt.t, pt.capture, pt.value)
	}
	views := map[string]testView{
		"lex-asc":    {sortMode: "lexicographical", sortDirection: "asc"},
		"lex-desc":   {sortMode: "lexicographical", sortDirection: "desc"},
		"count-desc": {sortMode: "result-count", sortDirection: "desc"},
		"count-asc":  {sortMode: "result-count", sortDirection: "asc"},
		"top3":       {sortMode: "result-count", sortDirection: "desc", limit: 3},
		"date-added": {sortMode: "date-added", sortDirection: "desc"},
	}
	for uid, v := range views {
		v.uid, v.title = uid, "Go versions"
		f.link(f.view(v), s, "versions", "#123456", 0, week(0))
	}

	tests := []struct {
		view, user string
		want       []string
		wantTotal  int
	}{
		{view: "lex-asc", want: []string{"1.2", "1.9", "1.10", "alpha", "beta", "secret"}},
		{view: "lex-desc", want: []string{"secret", "beta", "alpha", "1.10", "1.9", "1.2"}},
		{view: "count-desc", want: []string{"secret", "1.10", "1.2", "alpha", "1.9", "beta"}},
		{view: "count-asc", want: []string{"1.9", "beta", "1.2", "alpha", "1.10", "secret"}},
		{view: "top3", want: []string{"secret", "1.10", "1.2"}},
		{view: "top3", user: "ann", want: []string{"1.10", "1.2", "alpha"}, wantTotal: 5},
		{view: "date-added", want: []string{"1.2", "1.9", "1.10", "alpha", "beta", "secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.view+"/"+tt.user, func(t *testing.T) {
			t.Parallel()
			res := read(t, f, insights.ReadOpts{ViewID: tt.view, User: tt.user, Admin: tt.user == ""})
			var got []string
			for _, s := range res.Series {
				got = append(got, s.Label)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("labels (-want +got):\n%s", diff)
			}
			wantTotal := tt.wantTotal
			if wantTotal == 0 {
				wantTotal = 6
			}
			if res.TotalSeries != wantTotal {
				t.Errorf("TotalSeries %d, want %d", res.TotalSeries, wantTotal)
			}
		})
	}

	res := read(t, f, insights.ReadOpts{Admin: true, ViewID: "lex-asc"})
	want := []line{
		{"1.2", []int64{0, 3}}, {"1.9", []int64{4, 0}}, {"1.10", []int64{1, 6}},
		{"alpha", []int64{0, 3}}, {"beta", []int64{2, 0}}, {"secret", []int64{0, 10}},
	}
	if diff := cmp.Diff(want, lines(res)); diff != "" {
		t.Errorf("values (-want +got):\n%s", diff)
	}
	for _, s := range res.Series {
		if s.Color != "" || s.SeriesLabel != "versions" || s.Capture != s.Label {
			t.Errorf("line %q: color %q, series label %q, capture %q", s.Label, s.Color, s.SeriesLabel, s.Capture)
		}
	}
}

// TestViewSeriesMixedView checks a view with a plain and a split series:
// split labels name their series, date-added order, a series with no data
// yet.
func TestViewSeriesMixedView(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.repo("a", false), f.repo("b", false)
	todo := f.series("todo", "search", 2)
	byRepo := f.series("by-repo", "group-by", 2)
	langs := f.series("langs", "language-usage", 2)
	for _, dir := range []string{"asc", "desc"} {
		v := f.view(testView{uid: dir, title: "Mixed", sortMode: "date-added", sortDirection: dir})
		f.link(v, todo, "TODO", "#ff0000", 0, week(0))
		f.link(v, byRepo, "by repo", "#00ff00", 1, week(0).Add(time.Hour))
		f.link(v, langs, "languages", "", 2, week(0).Add(time.Hour))
	}
	f.recordingTimes(todo, false, week(0), week(1))
	f.recordingTimes(byRepo, false, week(0), week(1))
	f.point(todo, a, week(1), "", 3)
	f.point(byRepo, a, week(0), "a", 2)
	f.point(byRepo, b, week(1), "b", 4)
	// langs: nothing yet, not even recording times.

	tests := []struct {
		view string
		want []line
	}{
		{view: "asc", want: []line{{"TODO", []int64{0, 3}}, {"by repo: a", []int64{2, 0}}, {"by repo: b", []int64{0, 4}}}},
		{view: "desc", want: []line{{"by repo: a", []int64{2, 0}}, {"by repo: b", []int64{0, 4}}, {"TODO", []int64{0, 3}}}},
	}
	for _, tt := range tests {
		res := read(t, f, insights.ReadOpts{Admin: true, ViewID: tt.view})
		if diff := cmp.Diff(tt.want, lines(res)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.view, diff)
		}
		for _, s := range res.Series {
			if want := map[string]string{"TODO": "#ff0000"}[s.Label]; s.Color != want {
				t.Errorf("%s: %q color %q, want %q", tt.view, s.Label, s.Color, want)
			}
		}
	}

	// A plain series with no recording times yet is an empty line.
	v := f.view(testView{uid: "new", title: "New"})
	f.link(v, f.series("fresh", "search", 12), "fresh", "", 0, week(0))
	if diff := cmp.Diff([]line{{"fresh", []int64{}}}, lines(read(t, f, insights.ReadOpts{Admin: true, ViewID: "new"}))); diff != "" {
		t.Errorf("fresh series (-want +got):\n%s", diff)
	}
}

// TestViewSeriesNoDuplicates checks that a count is stored once, and that a
// snapshot at a recording time does not add to it.
func TestViewSeriesNoDuplicates(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a := f.repo("a", false)
	s := f.series("todo", "search", 2)
	f.link(f.view(testView{uid: "v", title: "V"}), s, "TODO", "", 0, week(0))
	f.recordingTimes(s, false, week(0), week(1))
	f.point(s, a, week(1), "", 3)
	_, err := f.db.Exec(f.ctx, `INSERT INTO series_points (series_id, repo_id, time, capture, value, commit_oid)
		VALUES ($1, $2, $3, '', 3, 'c0ffee')`, s, a, week(1))
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "23505" {
		t.Errorf("second insert of the same point: %v, want a unique violation", err)
	}
	f.snapshot(s, a, week(1), "", 99)
	if diff := cmp.Diff([]line{{"TODO", []int64{0, 3}}}, lines(read(t, f, insights.ReadOpts{Admin: true, ViewID: "v"}))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestViewSeriesIncomplete(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	a, b := f.repo("a", false), f.repo("b", false)
	c := f.repo("c", true)
	s := f.series("todo", "search", 2)
	f.link(f.view(testView{uid: "v", title: "V"}), s, "TODO", "", 0, week(0))
	f.recordingTimes(s, false, week(0), week(1), week(2))
	f.incomplete(s, week(0), a, "timeout", "before the window")
	f.incomplete(s, week(1), a, "repo-error", "clone failed")
	f.incomplete(s, week(2), 0, "timeout", "")
	f.incomplete(s, week(2), c, "repo-error", "private")
	f.incomplete(s, week(2), b, "skipped-files", "2 files too large")

	type inc struct{ Time, Reason, Repo, Detail string }
	short := func(res insights.ViewResult) []inc {
		out := []inc{}
		for _, p := range res.Incomplete {
			if p.SeriesLabel != "TODO" || p.SeriesID != s {
				t.Errorf("incomplete point %+v: wrong series", p)
			}
			out = append(out, inc{p.Time.Format("01-02"), p.Reason, p.Repo, p.Detail})
		}
		return out
	}
	tests := []struct {
		name      string
		opts      insights.ReadOpts
		want      []inc
		wantTotal int
	}{
		{name: "administrator", opts: insights.ReadOpts{Admin: true, ViewID: "v"}, want: []inc{
			{"01-14", "repo-error", "a", "clone failed"},
			{"01-21", "repo-error", "c", "private"},
			{"01-21", "skipped-files", "b", "2 files too large"},
			{"01-21", "timeout", "", ""},
		}, wantTotal: 4},
		{name: "user", opts: insights.ReadOpts{ViewID: "v", User: "ann"}, want: []inc{
			{"01-14", "repo-error", "a", "clone failed"},
			{"01-21", "skipped-files", "b", "2 files too large"},
			{"01-21", "timeout", "", ""},
		}, wantTotal: 3},
		{name: "filtered", opts: insights.ReadOpts{Admin: true, ViewID: "v", ExcludeRepos: []string{"^[ab]$"}}, want: []inc{
			{"01-21", "repo-error", "c", "private"},
			{"01-21", "timeout", "", ""},
		}, wantTotal: 2},
		{name: "limited", opts: insights.ReadOpts{Admin: true, ViewID: "v", MaxIncomplete: 1}, want: []inc{
			{"01-14", "repo-error", "a", "clone failed"},
		}, wantTotal: 4},
		{name: "now", opts: insights.ReadOpts{Admin: true, ViewID: "v", Now: week(1)}, want: []inc{
			{"01-07", "timeout", "a", "before the window"},
			{"01-14", "repo-error", "a", "clone failed"},
		}, wantTotal: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := read(t, f, tt.opts)
			if diff := cmp.Diff(tt.want, short(res)); diff != "" {
				t.Errorf("incomplete (-want +got):\n%s", diff)
			}
			if res.IncompleteTotal != tt.wantTotal {
				t.Errorf("IncompleteTotal %d, want %d", res.IncompleteTotal, tt.wantTotal)
			}
		})
	}
}

func TestViewSeriesErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	s := f.series("todo", "search", 2)
	f.link(f.view(testView{uid: "v", title: "V"}), s, "TODO", "", 0, week(0))
	gone := f.view(testView{uid: "gone", title: "Gone"})
	f.exec(`UPDATE insight_views SET deleted_at = now() WHERE id = $1`, gone)

	for _, id := range []string{"nope", "gone", "12345"} {
		_, err := insights.ViewSeries(f.ctx, f.db, insights.ReadOpts{Admin: true, ViewID: id})
		if !errors.Is(err, insights.ErrNotFound) {
			t.Errorf("view %q: %v, want ErrNotFound", id, err)
		}
		if want := fmt.Sprintf("view %q not found; sightline insights list shows the views", id); err == nil || err.Error() != want {
			t.Errorf("view %q: error %v, want %q", id, err, want)
		}
	}
	_, err := insights.ViewSeries(f.ctx, f.db, insights.ReadOpts{Admin: true, ViewID: "v", IncludeRepos: []string{"(unclosed"}})
	if err == nil || !strings.Contains(err.Error(), `"(unclosed"`) {
		t.Errorf("bad regexp: %v, want an error naming it", err)
	}
}
