package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/sightline-dev/sightline/ops/cli"
)

// seriesFixture is a migrated schema with two views, written with SQL:
//   - "debt" (line): TODOs over three weekly times and a snapshot, in a
//     public repo "api", a public "web" and a private "secret" (granted to
//     bob), with a timeout in "web";
//   - "go" (pie): a capture-group series of Go versions.
type seriesFixture struct {
	url, dir string
}

var seriesWeeks = []time.Time{
	time.Date(2024, 1, 7, 0, 0, 0, 0, time.UTC),
	time.Date(2024, 1, 14, 0, 0, 0, 0, time.UTC),
	time.Date(2024, 1, 21, 0, 0, 0, 0, time.UTC),
}

var seriesSnapshot = time.Date(2024, 1, 22, 12, 0, 0, 0, time.UTC)

func newSeriesFixture(t *testing.T) seriesFixture {
	t.Helper()
	url := schemaURL(t)
	f := seriesFixture{url: url, dir: t.TempDir()}
	if code, _, stderr := f.run(t, "migrate", "up"); code != 0 {
		t.Fatalf("migrate up: exit %d: %s", code, stderr)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	w0, w1, w2 := seriesWeeks[0], seriesWeeks[1], seriesWeeks[2]
	batch := &pgx.Batch{}
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO repos (name, path, private) VALUES ('api', '/x/api', false), ('web', '/x/web', false),
			('secret', '/x/secret', true)`, nil},
		{`INSERT INTO repo_grants (user_name, repo_id) SELECT 'bob', id FROM repos WHERE name = 'secret'`, nil},
		{`INSERT INTO insight_series (series_key, query, kind, repo_scope, interval_unit, interval_value, num_points)
			VALUES ('debt', 'TODO', 'search', 'all', 'week', 1, 3),
			       ('go', '/go (\d+\.\d+)/', 'capture-group', 'all', 'week', 1, 2)`, nil},
		{`INSERT INTO insight_views (unique_id, title) VALUES ('debt', 'Tech debt')`, nil},
		{`INSERT INTO insight_views (unique_id, title, presentation, sort_mode, sort_direction)
			VALUES ('go', 'Go versions', 'pie', 'lexicographical', 'asc')`, nil},
		{`INSERT INTO insight_view_series (view_id, series_id, label, stroke)
			SELECT v.id, s.id, v.unique_id || '-label', '#ff0000' FROM insight_views v JOIN insight_series s ON s.series_key = v.unique_id`, nil},
		{`UPDATE insight_view_series SET label = 'TODOs' WHERE label = 'debt-label'`, nil},
		{`INSERT INTO series_recording_times (series_id, time) SELECT id, t FROM insight_series, unnest($1::timestamptz[]) t
			WHERE series_key = 'debt'`, []any{[]time.Time{w0, w1, w2}}},
		{`INSERT INTO series_recording_times (series_id, time) SELECT id, t FROM insight_series, unnest($1::timestamptz[]) t
			WHERE series_key = 'go'`, []any{[]time.Time{w1, w2}}},
		{`INSERT INTO series_points (series_id, repo_id, time, capture, value, commit_oid)
			SELECT s.id, r.id, p.t, p.capture, p.value, 'c0ffee'
			FROM (VALUES ('debt', 'api', $1::timestamptz, '', 1), ('debt', 'api', $2, '', 2), ('debt', 'api', $3, '', 3),
			             ('debt', 'web', $2, '', 10), ('debt', 'secret', $3, '', 100),
			             ('go', 'api', $2, '1.21', 1), ('go', 'api', $3, '1.21', 2), ('go', 'web', $3, '1.22', 5))
			     AS p (series, repo, t, capture, value)
			JOIN insight_series s ON s.series_key = p.series JOIN repos r ON r.name = p.repo`, []any{w0, w1, w2}},
		{`INSERT INTO snapshot_points (series_id, repo_id, time, value, commit_oid)
			SELECT s.id, r.id, $1, CASE r.name WHEN 'api' THEN 4 ELSE 100 END, 'c0ffee'
			FROM insight_series s, repos r WHERE s.series_key = 'debt' AND r.name IN ('api', 'secret')`, []any{seriesSnapshot}},
		{`INSERT INTO incomplete_points (series_id, time, repo_id, reason, detail)
			SELECT s.id, $1, r.id, 'timeout', 'deadline exceeded' FROM insight_series s, repos r
			WHERE s.series_key = 'debt' AND r.name = 'web'`, []any{w1}},
	} {
		batch.Queue(q.sql, q.args...)
	}
	if err := conn.SendBatch(ctx, batch).Close(); err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs sightline on the fixture's database with a fixed clock.
func (f seriesFixture) run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	args = append([]string{"--database-url", f.url, "--data-dir", f.dir, "--now", "2024-02-01"}, args...)
	code = cli.Main(context.Background(), args, &out, &errb)
	return code, out.String(), errb.String()
}

func (f seriesFixture) ok(t *testing.T, args ...string) string {
	t.Helper()
	code, stdout, stderr := f.run(t, args...)
	if code != 0 {
		t.Fatalf("sightline %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

func TestSeriesJSON(t *testing.T) {
	t.Parallel()
	f := newSeriesFixture(t)
	type point struct {
		Time  string `json:"time"`
		Value int64  `json:"value"`
	}
	type output struct {
		View struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		} `json:"view"`
		Series []struct {
			Label  string  `json:"label"`
			Points []point `json:"points"`
		} `json:"series"`
		Incomplete []map[string]string `json:"incomplete"`
	}
	times := []string{"2024-01-07T00:00:00Z", "2024-01-14T00:00:00Z", "2024-01-21T00:00:00Z", "2024-01-22T12:00:00Z"}
	values := func(res output) []int64 {
		var out []int64
		for i, p := range res.Series[0].Points {
			if p.Time != times[i] {
				t.Errorf("point %d time %s, want %s", i, p.Time, times[i])
			}
			out = append(out, p.Value)
		}
		return out
	}
	timeout := map[string]string{"reason": "timeout", "time": "2024-01-14T00:00:00Z", "repo": "web", "detail": "deadline exceeded"}
	tests := []struct {
		name           string
		args           []string
		want           []int64
		wantIncomplete []map[string]string
	}{
		{name: "administrator", args: nil, want: []int64{1, 12, 103, 104}, wantIncomplete: []map[string]string{timeout}},
		{name: "user without grant", args: []string{"--as", "ann"}, want: []int64{1, 12, 3, 4},
			wantIncomplete: []map[string]string{timeout}},
		{name: "user with grant", args: []string{"--as", "bob"}, want: []int64{1, 12, 103, 104},
			wantIncomplete: []map[string]string{timeout}},
		{name: "unknown user", args: []string{"--as", "nobody"}, want: []int64{1, 12, 3, 4},
			wantIncomplete: []map[string]string{timeout}},
		{name: "exclude", args: []string{"--exclude-repos", "^web$"}, want: []int64{1, 2, 103, 104},
			wantIncomplete: []map[string]string{}},
		{name: "includes", args: []string{"--include-repos", "^web$", "--include-repos", "^api$"}, want: []int64{1, 12, 3, 4},
			wantIncomplete: []map[string]string{timeout}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			stdout := f.ok(t, append([]string{"series", "debt", "--format", "json"}, tt.args...)...)
			var res output
			dec := json.NewDecoder(strings.NewReader(stdout))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&res); err != nil {
				t.Fatalf("%v\n%s", err, stdout)
			}
			if res.View.ID != "debt" || res.View.Title != "Tech debt" || len(res.Series) != 1 || res.Series[0].Label != "TODOs" {
				t.Fatalf("output:\n%s", stdout)
			}
			if diff := cmp.Diff(tt.want, values(res)); diff != "" {
				t.Errorf("values (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantIncomplete, res.Incomplete); diff != "" {
				t.Errorf("incomplete (-want +got):\n%s", diff)
			}
		})
	}

	// The JSON keys are exactly these.
	var raw map[string]any
	if err := json.Unmarshal([]byte(f.ok(t, "series", "go", "--format", "json")), &raw); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"view": map[string]any{"id": "go", "title": "Go versions"},
		"series": []any{
			map[string]any{"label": "1.21", "points": []any{
				map[string]any{"time": "2024-01-14T00:00:00Z", "value": 1.0}, map[string]any{"time": "2024-01-21T00:00:00Z", "value": 2.0}}},
			map[string]any{"label": "1.22", "points": []any{
				map[string]any{"time": "2024-01-14T00:00:00Z", "value": 0.0}, map[string]any{"time": "2024-01-21T00:00:00Z", "value": 5.0}}},
		},
		"incomplete": []any{},
	}
	if diff := cmp.Diff(want, raw); diff != "" {
		t.Errorf("go view JSON (-want +got):\n%s", diff)
	}
}

func TestSeriesTableAndCSV(t *testing.T) {
	t.Parallel()
	f := newSeriesFixture(t)
	table := f.ok(t, "series", "debt")
	for _, re := range []string{
		`(?m)^Tech debt \(debt\)$`,
		`(?m)^ +time +TODOs$`,
		`(?m)^ *2024-01-07T00:00:00Z +1$`,
		`(?m)^ *2024-01-14T00:00:00Z +12$`,
		`(?m)^ *2024-01-21T00:00:00Z +103$`,
		`(?m)^ *2024-01-22T12:00:00Z +104$`,
		`(?m)^INCOMPLETE +SERIES +TIME +REPO +DETAIL$`,
		`(?m)^timeout +TODOs +2024-01-14T00:00:00Z +web +deadline exceeded$`,
	} {
		if !regexp.MustCompile(re).MatchString(table) {
			t.Errorf("table lacks %s:\n%s", re, table)
		}
	}

	// --now hides the later times.
	code, stdout, _ := f.run(t, "--now", "2024-01-15", "series", "debt", "--format", "csv")
	if want := "time,TODOs\n2024-01-07T00:00:00Z,1\n2024-01-14T00:00:00Z,12\n"; code != 0 || stdout != want {
		t.Errorf("csv with --now: exit %d\n%s\nwant\n%s", code, stdout, want)
	}
	code, stdout, stderr := f.run(t, "series", "go", "--format", "csv")
	if want := "time,1.21,1.22\n2024-01-14T00:00:00Z,1,0\n2024-01-21T00:00:00Z,2,5\n"; code != 0 || stdout != want {
		t.Errorf("csv: exit %d\n%s\nwant\n%s\nstderr: %s", code, stdout, want, stderr)
	}

	// CSV has no room for incomplete points or hidden series: stderr says.
	_, _, stderr = f.run(t, "series", "debt", "--format", "csv")
	if want := "1 incomplete points (counts that miss repositories); --format table or json lists them"; !strings.Contains(stderr, want) {
		t.Errorf("csv stderr %q lacks %q", stderr, want)
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `UPDATE insight_views SET series_limit = 1 WHERE unique_id = 'go'`); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = f.run(t, "series", "go", "--format", "csv")
	if want := "time,1.21\n2024-01-14T00:00:00Z,1\n2024-01-21T00:00:00Z,2\n"; code != 0 || stdout != want ||
		!strings.Contains(stderr, "showing 1 of 2 series (the view's series limit is 1)") {
		t.Errorf("limited csv: exit %d\n%s\nwant\n%s\nstderr: %s", code, stdout, want, stderr)
	}
	if table := f.ok(t, "series", "go"); !strings.Contains(table, "showing 1 of 2 series") {
		t.Errorf("table lacks the limit note:\n%s", table)
	}
}

func TestSeriesCharts(t *testing.T) {
	t.Parallel()
	f := newSeriesFixture(t)
	dir := t.TempDir()
	svgFile, pngFile, pieFile := filepath.Join(dir, "debt.svg"), filepath.Join(dir, "debt.png"), filepath.Join(dir, "go.svg")
	f.ok(t, "series", "debt", "--chart", svgFile)
	f.ok(t, "series", "debt", "--format", "csv", "--chart", pngFile)
	f.ok(t, "series", "go", "--chart", pieFile)

	for file, want := range map[string][]string{
		svgFile: {"Tech debt", "TODOs", "time", "count"},
		pieFile: {"Go versions", "1.21: 2 (28.6%)", "1.22: 5 (71.4%)"},
	} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var text strings.Builder
		dec := xml.NewDecoder(bytes.NewReader(b))
		for {
			tok, err := dec.Token()
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("%s is not XML: %v", file, err)
				}
				break
			}
			if cd, ok := tok.(xml.CharData); ok {
				text.Write(cd)
			}
		}
		for _, w := range want {
			if !strings.Contains(text.String(), w) {
				t.Errorf("%s lacks %q", file, w)
			}
		}
	}
	r, err := os.Open(pngFile)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	img, err := png.Decode(r)
	if err != nil {
		t.Fatalf("%s: %v", pngFile, err)
	}
	if b := img.Bounds(); b.Dx() < 400 || b.Dy() < 300 {
		t.Errorf("PNG is %dx%d", b.Dx(), b.Dy())
	}
	if fi, err := os.Stat(pngFile); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("PNG mode %v, %v; want 0644", fi.Mode(), err)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".chart-*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestSeriesExitCodes(t *testing.T) {
	t.Parallel()
	f := newSeriesFixture(t)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"unknown view", []string{"series", "nope"}, 1, `view "nope" not found; sightline insights list shows the views`},
		{"bad format", []string{"series", "debt", "--format", "yaml"}, 2, `--format "yaml": want table, csv or json`},
		{"bad chart name", []string{"series", "debt", "--chart", "x.jpg"}, 2, `want a .svg or .png name`},
		{"bad include", []string{"series", "debt", "--include-repos", "a(b"}, 2, `--include-repos "a(b"`},
		{"bad exclude", []string{"series", "debt", "--exclude-repos", "[z-a]"}, 2, `--exclude-repos "[z-a]"`},
		{"no view", []string{"series"}, 2, "want one view id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			code, _, stderr := f.run(t, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, want %d; stderr %q, want it to contain %q", code, tt.wantCode, stderr, tt.wantStderr)
			}
		})
	}
}

func TestStatusInsights(t *testing.T) {
	t.Parallel()
	f := newSeriesFixture(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, f.url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `
		INSERT INTO backfills (series_id, state, repos_total, repos_done, repos_errored, created_at)
		SELECT id, 'processing', 4, 1, 1, '2024-01-31T22:00:00Z' FROM insight_series WHERE series_key = 'debt';
		INSERT INTO search_shards (kind, backfill_id, object_key, tasks, created_at)
		SELECT 'backfill', id, 'shards/1', 9, '2024-01-31T23:30:00Z' FROM backfills`); err != nil {
		t.Fatal(err)
	}
	text := f.ok(t, "status")
	for _, re := range []string{
		`(?m)^BACKFILL +SERIES +VIEWS +STATE +DONE +ERRORED +AGE +ERROR$`,
		`(?m)^\d+ +\d+ +debt/TODOs +processing +25% \(1/4\) +1 +2h0m0s +-$`,
		`(?m)^SHARDS +STATE +COUNT +TASKS +OLDEST$`,
		`(?m)^backfill +queued +1 +9 +30m0s$`,
		`(?m)^INCOMPLETE +POINTS +SERIES +REPOS$`,
		`(?m)^timeout +1 +1 +1$`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("status lacks %s:\n%s", re, text)
		}
	}
	var st struct {
		Insights struct {
			Backfills []struct {
				PercentDone  float64 `json:"percent_done"`
				ReposErrored int     `json:"repos_errored"`
			} `json:"backfills"`
			Queue      []struct{ Kind, State string } `json:"queue"`
			Incomplete []struct {
				Reason string `json:"reason"`
				Points int    `json:"points"`
			} `json:"incomplete"`
		} `json:"insights"`
	}
	if err := json.Unmarshal([]byte(f.ok(t, "status", "--format", "json")), &st); err != nil {
		t.Fatal(err)
	}
	ins := st.Insights
	if len(ins.Backfills) != 1 || ins.Backfills[0].PercentDone != 25 || ins.Backfills[0].ReposErrored != 1 ||
		len(ins.Queue) != 1 || len(ins.Incomplete) != 1 || ins.Incomplete[0].Points != 1 {
		t.Errorf("status JSON insights: %+v", ins)
	}
}
