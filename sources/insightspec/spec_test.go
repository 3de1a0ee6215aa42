package insightspec_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/insightspec"
	"github.com/sightline-dev/sightline/sources/repospec"
)

// good is a valid insight that the cases below break one field at a time.
const good = `
insights:
  - title: TODOs
    repos: [a]
    interval: 1w
    series:
      - label: TODO
        query: TODO
`

func parse(t *testing.T, src string) (*insightspec.File, []string) {
	t.Helper()
	f, err := insightspec.ParseBytes("insights.yaml", []byte(src), "/base")
	if err == nil {
		return f, nil
	}
	var es insightspec.Errors
	if !errors.As(err, &es) {
		t.Fatalf("ParseBytes error %T %v, want Errors", err, err)
	}
	var msgs []string
	for _, e := range es {
		msgs = append(msgs, e.Error())
	}
	return nil, msgs
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want []string // every problem, in order
	}{
		{"malformed YAML", "insights: [title: x\n",
			[]string{`insights.yaml:1: malformed YAML: did not find expected ',' or ']'`}},
		{"empty file", "", []string{`insights.yaml: the file is empty; declare insights: (and optionally repos:)`}},
		{"not a mapping", "- a\n", []string{`insights.yaml:1: want a mapping with repos: and insights: at the top`}},
		{"no insights", "insights: []\n", []string{`insights.yaml:1: insights: missing or empty; declare the insights in a list`}},
		{"insights not a list", "insights: {title: x}\n", []string{`insights.yaml:1: insights: want a list, got a mapping`}},
		{"wrong type in a series", strings.Replace(good, "query: TODO", "query: [TODO]", 1),
			[]string{`insights.yaml:8: insight "TODOs" (insights[0]): series[0].query: want a string, got a list`}},
		{"wrong type in the scope", strings.Replace(good, "repos: [a]", "all_repos: yes please", 1),
			[]string{`insights.yaml:4: insight "TODOs" (insights[0]): all_repos: want true or false, got "yes please"`}},
		{"unknown top-level key", "reps: []\n" + good,
			[]string{`insights.yaml:1: unknown key "reps"; did you mean "repos"? (known keys: repos, insights)`}},
		{"unknown insight key", strings.Replace(good, "interval: 1w", "interval: 1w\n    colour: red", 1),
			[]string{`insights.yaml:6: insight "TODOs" (insights[0]): unknown key "colour" (known keys: title, id, description, presentation, repos, repo_criteria, all_repos, interval, points, filters, sort, limit, series)`}},
		{"unknown series key", strings.Replace(good, "query: TODO", "query: TODO\n        colour: red", 1),
			[]string{`insights.yaml:9: insight "TODOs" (insights[0]): series[0]: unknown key "colour"; did you mean "color"? (known keys: label, query, color, kind, group_by)`}},
		{"unknown repo key", "repos:\n  - {name: a, paht: /x}\n" + good,
			[]string{`insights.yaml:2: repos[0]: unknown key "paht"; did you mean "path"? (known keys: name, url, path, private)`,
				`insights.yaml:2: repos[0]: repository "a": give a path (a local repository) or a url (to mirror)`}},
		{"wrong type", strings.Replace(good, "interval: 1w", "interval: 1w\n    points: twelve", 1),
			[]string{`insights.yaml:6: insight "TODOs" (insights[0]): points: want a whole number, got "twelve"`}},
		{"duplicate repo", "repos:\n  - {name: a, path: x}\n  - {name: a, path: y}\n" + good,
			[]string{`insights.yaml:3: repos[1]: repository "a" is also declared at repos[0]; declare it once`}},
		{"missing title", strings.Replace(good, "title: TODOs", "description: x", 1),
			[]string{`insights.yaml:3: insights[0]: title: missing; every insight needs a title`}},
		{"bad id", strings.Replace(good, "title: TODOs", "title: TODOs\n    id: my id", 1),
			[]string{`insights.yaml:4: insight "TODOs" (insights[0]): id: "my id" is not a valid id: use up to 100 letters, digits, '.', '_' and '-', starting with a letter or digit`}},
		{"duplicate id", "insights:\n" +
			"  - {id: x, title: A, all_repos: true, interval: 1d, series: [{label: a, query: a}]}\n" +
			"  - {id: x, title: B, all_repos: true, interval: 1d, series: [{label: a, query: a}]}\n",
			[]string{`insights.yaml:3: insight "B" (insights[1]): id: id "x" is also the id of insights[0]; ids must be unique`}},
		{"duplicate title", "insights:\n" +
			"  - {title: A, all_repos: true, interval: 1d, series: [{label: a, query: a}]}\n" +
			"  - {title: A, all_repos: true, interval: 1d, series: [{label: a, query: a}]}\n",
			[]string{`insights.yaml:3: insight "A" (insights[1]): title: insights[0] has the same title; give each insight its own title`}},
		{"bad presentation", strings.Replace(good, "title: TODOs", "title: TODOs\n    presentation: bar", 1),
			[]string{`insights.yaml:4: insight "TODOs" (insights[0]): presentation: "bar" is not one of line, pie`}},
		{"no scope", strings.Replace(good, "repos: [a]", "all_repos: false", 1),
			[]string{`insights.yaml:3: insight "TODOs" (insights[0]): no repository scope: give repos: [NAME, …], repo_criteria: REGEXP or all_repos: true`}},
		{"two scopes", strings.Replace(good, "repos: [a]", "repos: [a]\n    all_repos: true", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): all_repos: repository scope given 2 ways (repos, all_repos); give exactly one`}},
		{"empty repo list", strings.Replace(good, "repos: [a]", "repos: []", 1),
			[]string{`insights.yaml:4: insight "TODOs" (insights[0]): repos: empty list; name repositories, or use repo_criteria or all_repos: true`}},
		{"bad repo name", strings.Replace(good, "repos: [a]", "repos: [a, ../b, a]", 1),
			[]string{`insights.yaml:4: insight "TODOs" (insights[0]): repos[1]: repository name "../b": use letters, digits, '.', '_', '-' and '/'-separated segments (e.g. github.com/org/repo)`,
				`insights.yaml:4: insight "TODOs" (insights[0]): repos[2]: repository "a" is listed twice (also at [0])`}},
		{"bad criteria", strings.Replace(good, "repos: [a]", "repo_criteria: '^github.com/(org'", 1),
			[]string{"insights.yaml:4: insight \"TODOs\" (insights[0]): repo_criteria: bad regexp \"^github.com/(org\": missing closing ): `^github.com/(org`"}},
		{"bad include filter", strings.Replace(good, "interval: 1w", "interval: 1w\n    filters: {include_repos: '[a'}", 1),
			[]string{"insights.yaml:6: insight \"TODOs\" (insights[0]): filters.include_repos: bad regexp \"[a\": missing closing ]: `[a`"}},
		{"missing interval", strings.Replace(good, "interval: 1w", "points: 3", 1),
			[]string{`insights.yaml:3: insight "TODOs" (insights[0]): interval: missing; give the sample interval, e.g. interval: 1w or {unit: week, value: 1}`}},
		{"bad short interval", strings.Replace(good, "interval: 1w", "interval: 7days", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval: "7days" is not an interval: want a count and a unit h, d, w, mo or y (12h, 7d, 1w, 1mo, 1y), or {unit: week, value: 1}`}},
		{"zero short interval", strings.Replace(good, "interval: 1w", "interval: 0d", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval: "0d": the count must be a positive number`}},
		{"bad interval unit", strings.Replace(good, "interval: 1w", "interval: {unit: fortnight, value: 0, every: 2}", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval.value: "0": want a positive whole number`,
				`insights.yaml:5: insight "TODOs" (insights[0]): interval: unknown key "every" (known keys: unit, value)`,
				`insights.yaml:5: insight "TODOs" (insights[0]): interval.unit: "fortnight" is not one of hour, day, week, month, year`}},
		{"interval list", strings.Replace(good, "interval: 1w", "interval: [1w]", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval: want a short form such as 1w or a mapping {unit: week, value: 1}`}},
		{"interval too long", strings.Replace(good, "interval: 1w", "interval: 100000000w", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval: 100000000w is longer than 100 years: use a shorter interval`}},
		{"interval too long as a mapping", strings.Replace(good, "interval: 1w", "interval: {unit: hour, value: 900000}", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval: 900000h is longer than 100 years: use a shorter interval`}},
		{"sample range too long", strings.Replace(good, "interval: 1w", "interval: 50y\n    points: 1000", 1),
			[]string{`insights.yaml:5: insight "TODOs" (insights[0]): interval: 1000 points 50y apart span about 49950 years, more than 1000: use fewer points or a shorter interval`}},
		{"points too few", strings.Replace(good, "interval: 1w", "interval: 1w\n    points: 0", 1),
			[]string{`insights.yaml:6: insight "TODOs" (insights[0]): points: 0 is out of range: want 1 to 1000 sample times`}},
		{"points too many", strings.Replace(good, "interval: 1w", "interval: 1w\n    points: 1001", 1),
			[]string{`insights.yaml:6: insight "TODOs" (insights[0]): points: 1001 is out of range: want 1 to 1000 sample times`}},
		{"limit", strings.Replace(good, "interval: 1w", "interval: 1w\n    limit: 0", 1),
			[]string{`insights.yaml:6: insight "TODOs" (insights[0]): limit: 0: want at least 1 series shown`}},
		{"bad sort", strings.Replace(good, "interval: 1w", "interval: 1w\n    sort: {mode: size, direction: up}", 1),
			[]string{`insights.yaml:6: insight "TODOs" (insights[0]): sort.mode: "size" is not one of result-count, lexicographical, date-added`,
				`insights.yaml:6: insight "TODOs" (insights[0]): sort.direction: "up" is not one of desc, asc`}},
		{"no series", strings.Replace(good, "    series:\n      - label: TODO\n        query: TODO\n", "", 1),
			[]string{`insights.yaml:3: insight "TODOs" (insights[0]): series: missing; an insight needs at least one series (label and query)`}},
		{"missing label and query", strings.Replace(good, "- label: TODO\n        query: TODO", "- color: '#fff'", 1),
			[]string{`insights.yaml:7: insight "TODOs" (insights[0]): series[0].label: missing; every series needs a label`,
				`insights.yaml:7: insight "TODOs" (insights[0]): series[0].query: missing; every series needs a query (only kind language-usage may leave it empty)`}},
		{"bad colour", strings.Replace(good, "query: TODO", "query: TODO\n        color: blue", 1),
			[]string{`insights.yaml:9: insight "TODOs" (insights[0]): series[0].color: "blue" is not a colour: want #rgb or #rrggbb, e.g. "#1f77b4"`}},
		{"bad query", strings.Replace(good, "query: TODO", "query: 'fiel:x TODO'", 1),
			[]string{`insights.yaml:8: insight "TODOs" (insights[0]): series[0].query: unknown filter "fiel:" at column 1; did you mean "file:"?`}},
		{"bad kind", strings.Replace(good, "query: TODO", "query: TODO\n        kind: regexp", 1),
			[]string{`insights.yaml:9: insight "TODOs" (insights[0]): series[0].kind: "regexp" is not one of search, capture-group, language-usage, group-by`}},
		{"capture group with kind search", strings.Replace(good, "query: TODO", `query: /TODO\((\w+)\)/`, 1),
			[]string{`insights.yaml:8: insight "TODOs" (insights[0]): series[0].query: the regexp has a capture group, which kind search ignores: use kind: capture-group to count each captured value, or (?:…) for a group that does not capture`}},
		{"capture-group without a group", strings.Replace(good, "query: TODO", "query: TODO\n        kind: capture-group", 1),
			[]string{`insights.yaml:8: insight "TODOs" (insights[0]): series[0].query: kind capture-group needs a regexp with a capture group matched against file contents, e.g. /TODO\((\w+)\)/`}},
		{"language-usage with a pattern", strings.Replace(good, "query: TODO", "query: TODO lang:go\n        kind: language-usage", 1),
			[]string{`insights.yaml:8: insight "TODOs" (insights[0]): series[0].query: kind language-usage counts the lines of every file in scope, so its query takes no pattern ("TODO"): leave it empty or narrow the files with filters such as file: and lang:`}},
		{"group-by without group_by", strings.Replace(good, "query: TODO", "query: TODO\n        kind: group-by", 1),
			[]string{`insights.yaml:7: insight "TODOs" (insights[0]): series[0].group_by: missing; kind group-by needs group_by: repo, lang or path`}},
		{"bad group_by", strings.Replace(good, "query: TODO", "query: TODO\n        kind: group-by\n        group_by: author", 1),
			[]string{`insights.yaml:10: insight "TODOs" (insights[0]): series[0].group_by: "author" is not one of repo, lang, path`}},
		{"group_by with another kind", strings.Replace(good, "query: TODO", "query: TODO\n        group_by: lang", 1),
			[]string{`insights.yaml:9: insight "TODOs" (insights[0]): series[0].group_by: only applies to kind: group-by (this series is kind search)`}},
		{"duplicate label and series", strings.Replace(good, "query: TODO", "query: TODO\n      - {label: TODO, query: '\"TODO\"'}", 1),
			[]string{`insights.yaml:9: insight "TODOs" (insights[0]): series[1].label: "TODO" is also the label of series[0]; labels must differ within an insight`,
				`insights.yaml:9: insight "TODOs" (insights[0]): series[1].query: computes the same data as series[0] (same query and kind); remove one`}},
		{"second document", good + "---\ninsights: []\n",
			[]string{`insights.yaml:9: a second YAML document (---); put every insight in the first`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got := parse(t, tt.src)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAllErrorsAtOnce(t *testing.T) {
	t.Parallel()
	src := `
insights:
  - title: A
    interval: 2x
    series:
      - {label: a, query: 'fiel:x'}
  - title: B
    all_repos: true
    interval: 1d
    points: -1
    series:
      - {label: b, query: b, kind: pie}
`
	_, got := parse(t, src)
	if len(got) != 5 {
		t.Fatalf("got %d errors, want 5 (no scope, interval, query, points, kind):\n%s", len(got), strings.Join(got, "\n"))
	}
	_, err := insightspec.ParseBytes("insights.yaml", []byte(src), "")
	if msg := err.Error(); !strings.HasPrefix(msg, "insights.yaml: 5 problems:\n  insights.yaml:3: insight \"A\" (insights[0]): no repository scope") {
		t.Errorf("Error() = %q", msg)
	}
}

func TestParseDefaultsAndForms(t *testing.T) {
	t.Parallel()
	src := `
repos:
  - {name: a, path: ../a}
  - {name: b, url: https://example.com/b.git, private: true}
insights:
  - title: TODOs
    repos: [a]
    interval: 7d
    series:
      - {label: TODO, query: TODO}
  - title: Languages
    id: langs
    presentation: pie
    repo_criteria: ^github\.com/
    interval: {unit: month, value: 12}
    points: 5
    filters: {include_repos: a, exclude_repos: b}
    sort: {mode: lexicographical, direction: asc}
    limit: 3
    series:
      - {label: lines, kind: language-usage}
      - {label: go, kind: language-usage, query: "lang:go"}
      - {label: by repo, query: func, kind: group-by, group_by: repo, color: "#abc"}
`
	f, errs := parse(t, src)
	if errs != nil {
		t.Fatal(strings.Join(errs, "\n"))
	}
	if diff := cmp.Diff([]repospec.Spec{{Name: "a", Path: "/a"}, {Name: "b", URL: "https://example.com/b.git", Private: true}}, f.Repos); diff != "" {
		t.Errorf("repos (-want +got):\n%s", diff)
	}
	todos, langs := f.Insights[0], f.Insights[1]
	for i := range todos.Series {
		todos.Series[i].Key = ""
	}
	want := insightspec.Insight{
		Index: 0, Line: 6, Title: "TODOs", Presentation: "line",
		Scope:    insightspec.Scope{Kind: "list", Repos: []string{"a"}, Line: 7},
		Interval: insightspec.Interval{Unit: "week", Value: 1}, // 7d is 1w
		Points:   12, Limit: 20, Sort: insightspec.Sort{Mode: "result-count", Direction: "desc"},
		Series: []insightspec.Series{{Index: 0, Line: 10, Label: "TODO", Query: "TODO", Kind: "search"}},
	}
	if diff := cmp.Diff(want, todos); diff != "" {
		t.Errorf("TODOs (-want +got):\n%s", diff)
	}
	if langs.ID != "langs" || langs.Presentation != "pie" || langs.Scope.Kind != "criteria" || langs.Scope.Criteria != `^github\.com/` ||
		langs.Interval != (insightspec.Interval{Unit: "year", Value: 1}) || langs.Points != 5 || langs.Limit != 3 ||
		langs.Sort != (insightspec.Sort{Mode: "lexicographical", Direction: "asc"}) ||
		langs.Filters != (insightspec.Filters{IncludeRepos: "a", ExcludeRepos: "b"}) {
		t.Errorf("Languages = %+v", langs)
	}
	if s := langs.Series[2]; s.Kind != "group-by" || s.GroupBy != "repo" || s.Stroke != "#abc" {
		t.Errorf("group-by series = %+v", s)
	}
}

func TestParseIntervalForms(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in   string
		want insightspec.Interval
	}{
		{"12h", insightspec.Interval{Unit: "hour", Value: 12}},
		{"7d", insightspec.Interval{Unit: "day", Value: 7}},
		{"1w", insightspec.Interval{Unit: "week", Value: 1}},
		{"1mo", insightspec.Interval{Unit: "month", Value: 1}},
		{"1y", insightspec.Interval{Unit: "year", Value: 1}},
	} {
		got, err := insightspec.ParseInterval(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseInterval(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("%v.String() = %q, want %q", got, s, tt.in)
		}
	}
	for _, bad := range []string{"", "w", "1", "1m", "-1d", "1 w", "1W"} {
		if _, err := insightspec.ParseInterval(bad); err == nil {
			t.Errorf("ParseInterval(%q) succeeded", bad)
		}
	}
}

// keyOf parses one insight with the given scope, interval, points and
// series, and returns the series' key.
func keyOf(t *testing.T, scope, interval, points, series string) string {
	t.Helper()
	src := "insights:\n  - title: T\n    " + scope + "\n    interval: " + interval + "\n    points: " + points +
		"\n    series:\n      - " + series + "\n"
	f, errs := parse(t, src)
	if errs != nil {
		t.Fatal(strings.Join(errs, "\n"))
	}
	return f.Insights[0].Series[0].Key
}

func TestSeriesKey(t *testing.T) {
	t.Parallel()
	base := keyOf(t, "repos: [a, b]", "1w", "12", "{label: x, query: TODO}")
	if len(base) != 64 {
		t.Fatalf("key %q is not sha256 hex", base)
	}
	same := []struct{ name, scope, interval, points, series string }{
		{"label, colour and repo order do not count", "repos: [b, a]", "1w", "12", "{label: y, query: TODO, color: '#fff'}"},
		{"normalized query", "repos: [a, b]", "1w", "12", `{label: x, query: '"TODO"'}`},
		{"7d is 1w", "repos: [a, b]", "7d", "12", "{label: x, query: TODO}"},
		{"long interval form", "repos: [a, b]", "{unit: week, value: 1}", "12", "{label: x, query: TODO, kind: search}"},
	}
	for _, tt := range same {
		if got := keyOf(t, tt.scope, tt.interval, tt.points, tt.series); got != base {
			t.Errorf("%s: key differs", tt.name)
		}
	}
	differ := []struct{ name, scope, interval, points, series string }{
		{"query", "repos: [a, b]", "1w", "12", "{label: x, query: FIXME}"},
		{"case", "repos: [a, b]", "1w", "12", "{label: x, query: TODO case:yes}"},
		{"repos", "repos: [a]", "1w", "12", "{label: x, query: TODO}"},
		{"criteria", "repo_criteria: a|b", "1w", "12", "{label: x, query: TODO}"},
		{"all repos", "all_repos: true", "1w", "12", "{label: x, query: TODO}"},
		{"interval", "repos: [a, b]", "2w", "12", "{label: x, query: TODO}"},
		{"points", "repos: [a, b]", "1w", "13", "{label: x, query: TODO}"},
		{"kind", "repos: [a, b]", "1w", "12", "{label: x, query: TODO, kind: group-by, group_by: repo}"},
	}
	seen := map[string]string{base: "base"}
	for _, tt := range differ {
		got := keyOf(t, tt.scope, tt.interval, tt.points, tt.series)
		if prev, dup := seen[got]; dup {
			t.Errorf("%s: same key as %s", tt.name, prev)
		}
		seen[got] = tt.name
	}
	groupRepo := keyOf(t, "repos: [a, b]", "1w", "12", "{label: x, query: TODO, kind: group-by, group_by: repo}")
	groupLang := keyOf(t, "repos: [a, b]", "1w", "12", "{label: x, query: TODO, kind: group-by, group_by: lang}")
	if groupRepo == groupLang {
		t.Error("group_by repo and lang share a key")
	}
}

func TestParseFileRelativePaths(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "insights.yaml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("repos:\n  - {name: r, path: ../repo}\n"+good), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := insightspec.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Repos[0].Path != filepath.Join(dir, "repo") || f.Source != path || f.Name != path {
		t.Errorf("Repos[0].Path = %q, Source = %q, Name = %q", f.Repos[0].Path, f.Source, f.Name)
	}
	if _, err := insightspec.Parse(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Errorf("Parse(missing) = %v", err)
	}
}

// TestExample keeps ops/examples/insights.yaml valid.
func TestExample(t *testing.T) {
	t.Parallel()
	f, err := insightspec.Parse("../../ops/examples/insights.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Insights) < 4 || len(f.Repos) != 1 || f.Repos[0].Name != "sightline" {
		t.Errorf("example: %d insights, repos %+v", len(f.Insights), f.Repos)
	}
	kinds := map[string]bool{}
	for _, in := range f.Insights {
		for _, s := range in.Series {
			kinds[s.Kind] = true
		}
	}
	if len(kinds) != 4 {
		t.Errorf("example uses kinds %v, want all four", kinds)
	}
}
