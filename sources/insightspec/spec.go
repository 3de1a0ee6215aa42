// Package insightspec reads insights-as-code files: the YAML a user writes to
// declare repositories and insight views with their series, checked in full
// before anything is stored. Every problem is reported at once, each naming
// the file, line, insight and field.
//
// It does not touch the database: whether a listed repository is registered,
// and storing the views, is sinks/insights.Apply.
//
// The format:
//
//	repos:                       # optional; registered or updated on apply
//	  - {name: sightline, path: ../..}   # relative paths are relative to the file
//	insights:
//	  - title: TODOs
//	    id: todos                # optional stable id, see below
//	    description: …
//	    presentation: line       # line (default) | pie
//	    repos: [sightline]       # the scope, exactly one of: repos (names),
//	                             # repo_criteria (a Go regexp on names), all_repos: true
//	    interval: 1w             # or {unit: week, value: 1}; units hour|day|week|month|year,
//	                             # short forms 12h, 7d, 1w, 1mo, 1y
//	    points: 12               # sample times, 1…1000 (default 12)
//	    filters: {include_repos: REGEXP, exclude_repos: REGEXP}   # default read filters
//	    sort: {mode: result-count, direction: desc}  # result-count (default) |
//	                             # lexicographical | date-added; asc | desc (default)
//	    limit: 20                # series shown (capture groups), default 20
//	    series:
//	      - label: TODO
//	        query: TODO
//	        color: "#1f77b4"     # optional, #rgb or #rrggbb
//	        kind: search         # search (default) | capture-group | language-usage | group-by
//	        group_by: lang       # group-by only: repo | lang | path
//
// A view's id is its identity across applies. Without an id, apply matches
// the view by title (the live view with that title, or a new view with a
// ksuid), so renaming an insight without an id makes a new view; give an id
// to rename freely.
//
// Series kinds: search counts matches; capture-group counts each value of
// the query's first capture group (a regexp with a group is required, and a
// regexp with a group under kind search is an error, since it would silently
// count whole matches); language-usage counts lines per language of the files
// in scope, so its query is empty or only filters (file:, lang:, …) and no
// pattern; group-by counts matches per repository, language or path.
//
// Each series has a Key, a hash of what it computes: the normalized query,
// kind, group_by, scope, interval and points. Series with equal keys, in one
// view or several, are one data series, computed once.
package insightspec

import (
	"fmt"

	"github.com/sightline-dev/sightline/sources/repospec"
)

// File is a validated insights file.
type File struct {
	// Name is the path as given, for messages.
	Name string
	// Source is the absolute path of the file ("" for ParseBytes input
	// without a path); apply records it on the views.
	Source string
	// Repos are the repositories the file declares, paths made absolute.
	Repos []repospec.Spec
	// Insights are the views, in file order.
	Insights []Insight
}

// Insight is one view.
type Insight struct {
	// Index is the position in the file's insights list; Line its line.
	Index, Line int
	// ID is the stable id as given, or "" (matched by title on apply).
	ID           string
	Title        string
	Description  string
	Presentation string // line or pie
	Scope        Scope
	Interval     Interval
	Points       int
	Filters      Filters
	Sort         Sort
	Limit        int
	Series       []Series
}

// Name identifies the insight in messages: `insight "TODOs" (insights[0])`.
func (in Insight) Name() string {
	if in.Title == "" {
		return fmt.Sprintf("insights[%d]", in.Index)
	}
	return fmt.Sprintf("insight %q (insights[%d])", in.Title, in.Index)
}

// The scope kinds (the values of insight_series.repo_scope).
const (
	ScopeList     = "list"     // Scope.Repos by name
	ScopeCriteria = "criteria" // names matching Scope.Criteria
	ScopeAll      = "all"      // every repository
)

// Scope is how an insight's series choose repositories.
type Scope struct {
	Kind     string   // ScopeList, ScopeCriteria or ScopeAll
	Repos    []string // ScopeList: names as listed (no duplicates)
	Criteria string   // ScopeCriteria: a Go regexp on repository names
	// Line is where the scope is declared.
	Line int
}

// Filters are a view's default read filters on repository names: Go
// regexps, "" for none.
type Filters struct {
	IncludeRepos string
	ExcludeRepos string
}

// Sort is how a view orders its series (capture groups and groups).
type Sort struct {
	Mode      string // result-count, lexicographical or date-added
	Direction string // asc or desc
}

// The series kinds (the values of insight_series.kind).
const (
	KindSearch        = "search"
	KindCaptureGroup  = "capture-group"
	KindLanguageUsage = "language-usage"
	KindGroupBy       = "group-by"
)

// Series is one series of a view.
type Series struct {
	// Index is the position in the insight's series list; Line its line.
	Index, Line int
	Label       string
	// Query is as written; the key uses its normalized form.
	Query   string
	Stroke  string // "" or #rgb / #rrggbb
	Kind    string
	GroupBy string // repo, lang or path for KindGroupBy, else ""
	// Key identifies the data series: equal keys share one.
	Key string
}

// Defaults.
const (
	DefaultPoints = 12
	DefaultLimit  = 20
	MaxPoints     = 1000
)
