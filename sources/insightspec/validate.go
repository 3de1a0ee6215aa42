package insightspec

import (
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"

	"github.com/sightline-dev/sightline/sources/repospec"
)

// validator checks a decoded file and builds the File, collecting every
// problem rather than stopping at the first.
type validator struct {
	file string
	loc  *locator
	raw  *rawFile
	errs Errors
	// badType holds the paths of values yaml.v3 could not decode, already
	// reported: checking their zero values would only add noise.
	badType map[string]bool
}

// at makes an error about the value at document path p, attributed to its
// insight when p is inside one.
func (v *validator) at(p path, msg string) *Error {
	e := &Error{File: v.file, Line: v.loc.line(p), Field: p.String(), Msg: msg}
	if len(p) >= 2 && p[0] == "insights" {
		if i, ok := p[1].(int); ok {
			e.Insight = v.insightName(i)
			e.Field = p[2:].String()
		}
	}
	return e
}

func (v *validator) errorf(p path, format string, args ...any) {
	if v.badType[p.String()] {
		return
	}
	v.errs = append(v.errs, v.at(p, fmt.Sprintf(format, args...)))
}

func (v *validator) insightName(i int) string {
	in := Insight{Index: i}
	if i < len(v.raw.Insights) {
		in.Title = v.raw.Insights[i].Title
	}
	return in.Name()
}

// sub returns p extended by elems, never sharing p's backing array.
func sub(p path, elems ...any) path {
	return append(p[:len(p):len(p)], elems...)
}

func (v *validator) build(baseDir string) *File {
	f := &File{Name: v.file, Repos: v.repos(baseDir)}
	for i, ri := range v.raw.Insights {
		f.Insights = append(f.Insights, v.insight(i, ri))
	}
	if len(f.Insights) == 0 && len(f.Repos) == 0 {
		v.errorf(path{"insights"}, "missing or empty; declare the insights in a list")
	}
	v.uniqueInsights(f.Insights)
	return f
}

// repos resolves relative paths against baseDir and validates each entry.
func (v *validator) repos(baseDir string) []repospec.Spec {
	out := make([]repospec.Spec, 0, len(v.raw.Repos))
	first := map[string]int{}
	for i, s := range v.raw.Repos {
		p := path{"repos", i}
		if s.Path != "" && !filepath.IsAbs(s.Path) && baseDir != "" {
			s.Path = filepath.Join(baseDir, s.Path)
		}
		if err := s.Validate(); err != nil {
			v.errorf(p, "%v", err)
		}
		if j, dup := first[s.Name]; dup {
			v.errorf(p, "repository %q is also declared at repos[%d]; declare it once", s.Name, j)
		} else {
			first[s.Name] = i
		}
		out = append(out, s)
	}
	return out
}

var (
	validID    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`) })
	validColor = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$`) })
)

func (v *validator) insight(i int, ri rawInsight) Insight {
	p := path{"insights", i}
	in := Insight{
		Index: i, Line: v.loc.line(p), Title: strings.TrimSpace(ri.Title), Description: ri.Description,
		Presentation: ri.Presentation, Points: DefaultPoints, Limit: DefaultLimit,
		Filters: Filters{IncludeRepos: ri.Filters.IncludeRepos, ExcludeRepos: ri.Filters.ExcludeRepos},
		Sort:    Sort{Mode: ri.Sort.Mode, Direction: ri.Sort.Direction},
	}
	if in.Title == "" {
		v.errorf(sub(p, "title"), "missing; every insight needs a title")
	}
	if ri.ID != nil {
		in.ID = *ri.ID
		if !validID().MatchString(in.ID) {
			v.errorf(sub(p, "id"), "%q is not a valid id: use up to 100 letters, digits, '.', '_' and '-', starting with a letter or digit", in.ID)
		}
	}
	if in.Presentation == "" {
		in.Presentation = "line"
	}
	v.oneOf(sub(p, "presentation"), in.Presentation, "line", "pie")
	in.Scope = v.scope(p, ri)
	in.Interval = v.interval(sub(p, "interval"), &ri.Interval)
	if ri.Points != nil {
		in.Points = *ri.Points
		if in.Points < 1 || in.Points > MaxPoints {
			v.errorf(sub(p, "points"), "%d is out of range: want 1 to %d sample times", in.Points, MaxPoints)
		}
	}
	if validUnit(in.Interval.Unit) && in.Interval.Value >= 1 && in.Points >= 1 && in.Points <= MaxPoints {
		if err := in.Interval.CheckRange(in.Points); err != nil {
			v.errorf(sub(p, "interval"), "%v", err)
		}
	}
	v.regexp(sub(p, "filters", "include_repos"), in.Filters.IncludeRepos)
	v.regexp(sub(p, "filters", "exclude_repos"), in.Filters.ExcludeRepos)
	in.Sort.Mode = v.oneOf(sub(p, "sort", "mode"), in.Sort.Mode, "result-count", "lexicographical", "date-added")
	in.Sort.Direction = v.oneOf(sub(p, "sort", "direction"), in.Sort.Direction, "desc", "asc")
	if ri.Limit != nil {
		in.Limit = *ri.Limit
		if in.Limit < 1 {
			v.errorf(sub(p, "limit"), "%d: want at least 1 series shown", in.Limit)
		}
	}
	if len(ri.Series) == 0 {
		v.errorf(sub(p, "series"), "missing; an insight needs at least one series (label and query)")
	}
	for j, rs := range ri.Series {
		in.Series = append(in.Series, v.series(sub(p, "series", j), j, rs, in))
	}
	v.uniqueSeries(p, in.Series)
	return in
}

// oneOf checks that value (default: the first allowed value when "") is one
// of allowed, and returns it.
func (v *validator) oneOf(p path, value string, allowed ...string) string {
	if value == "" {
		return allowed[0]
	}
	if !slices.Contains(allowed, value) {
		v.errorf(p, "%q is not one of %s", value, strings.Join(allowed, ", "))
	}
	return value
}

func (v *validator) regexp(p path, expr string) {
	if expr == "" {
		return
	}
	if _, err := regexp.Compile(expr); err != nil {
		v.errorf(p, "bad regexp %q: %v", expr, strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
}

// scope reads the one of repos, repo_criteria and all_repos that is given.
func (v *validator) scope(p path, ri rawInsight) Scope {
	var given []string
	if ri.Repos != nil {
		given = append(given, "repos")
	}
	if ri.RepoCriteria != nil {
		given = append(given, "repo_criteria")
	}
	if ri.AllRepos != nil && *ri.AllRepos {
		given = append(given, "all_repos")
	}
	switch len(given) {
	case 0:
		if v.badType[sub(p, "repos").String()] || v.badType[sub(p, "repo_criteria").String()] || v.badType[sub(p, "all_repos").String()] {
			return Scope{} // already reported
		}
		v.errorf(p, "no repository scope: give repos: [NAME, …], repo_criteria: REGEXP or all_repos: true")
		return Scope{}
	case 1:
	default:
		v.errorf(sub(p, given[1]), "repository scope given %d ways (%s); give exactly one", len(given), strings.Join(given, ", "))
		return Scope{}
	}
	sp := sub(p, given[0])
	sc := Scope{Line: v.loc.line(sp)}
	switch given[0] {
	case "repos":
		sc.Kind = ScopeList
		sc.Repos = v.repoList(sp, *ri.Repos)
	case "repo_criteria":
		sc.Kind = ScopeCriteria
		sc.Criteria = *ri.RepoCriteria
		if sc.Criteria == "" {
			v.errorf(sp, "empty; give a regexp on repository names, or all_repos: true")
		}
		v.regexp(sp, sc.Criteria)
	default:
		sc.Kind = ScopeAll
	}
	return sc
}

func (v *validator) repoList(p path, names []string) []string {
	if len(names) == 0 {
		v.errorf(p, "empty list; name repositories, or use repo_criteria or all_repos: true")
	}
	first := map[string]int{}
	for j, name := range names {
		// Validate checks the name first; the path only satisfies the rest.
		if err := (repospec.Spec{Name: name, Path: "/"}).Validate(); err != nil {
			v.errorf(sub(p, j), "%v", err)
		}
		if k, dup := first[name]; dup {
			v.errorf(sub(p, j), "repository %q is listed twice (also at [%d])", name, k)
		}
		first[name] = j
	}
	return names
}

// interval reads the short form ("1w") or the mapping {unit, value}, and
// normalizes it.
func (v *validator) interval(p path, n *yaml.Node) Interval {
	switch n.Kind {
	case 0:
		v.errorf(p, "missing; give the sample interval, e.g. interval: 1w or {unit: week, value: 1}")
		return Interval{}
	case yaml.ScalarNode:
		iv, err := ParseInterval(n.Value)
		if err != nil {
			v.errorf(p, "%v", err)
		}
		return iv.normalized()
	case yaml.MappingNode:
		return v.intervalMapping(p, n)
	}
	v.errorf(p, "want a short form such as 1w or a mapping {unit: week, value: 1}")
	return Interval{}
}

func (v *validator) intervalMapping(p path, n *yaml.Node) Interval {
	iv := Interval{Value: 1}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		switch key {
		case "unit":
			iv.Unit = val.Value
		case "value":
			num, err := strconv.Atoi(val.Value)
			if err != nil || num < 1 {
				v.errorf(sub(p, "value"), "%q: want a positive whole number", val.Value)
			}
			iv.Value = num
		default:
			e := v.at(p, fmt.Sprintf("unknown key %q (known keys: unit, value)", key))
			e.Line = n.Content[i].Line
			v.errs = append(v.errs, e)
		}
	}
	if !validUnit(iv.Unit) {
		v.errorf(sub(p, "unit"), "%q is not one of hour, day, week, month, year", iv.Unit)
	}
	return iv.normalized()
}

func (v *validator) uniqueInsights(ins []Insight) {
	ids, titles := map[string]int{}, map[string]int{}
	for _, in := range ins {
		p := path{"insights", in.Index}
		if j, dup := firstWith(ids, in.ID, in.Index); dup {
			v.errorf(sub(p, "id"), "id %q is also the id of insights[%d]; ids must be unique", in.ID, j)
		}
		// Titles identify views without ids on apply, so they must not
		// collide either.
		if j, dup := firstWith(titles, in.Title, in.Index); dup {
			v.errorf(sub(p, "title"), "insights[%d] has the same title; give each insight its own title", j)
		}
	}
}

func (v *validator) uniqueSeries(p path, series []Series) {
	labels, keys := map[string]int{}, map[string]int{}
	for _, s := range series {
		sp := sub(p, "series", s.Index)
		if j, dup := firstWith(labels, s.Label, s.Index); dup {
			v.errorf(sub(sp, "label"), "%q is also the label of series[%d]; labels must differ within an insight", s.Label, j)
		}
		if j, dup := firstWith(keys, s.Key, s.Index); dup {
			v.errorf(sub(sp, "query"), "computes the same data as series[%d] (same query and kind); remove one", j)
		}
	}
}

// firstWith returns the index first recorded in seen for key, if any, and
// otherwise records index. An empty key (an optional field left out, or a
// required one, reported elsewhere) is never a duplicate.
func firstWith(seen map[string]int, key string, index int) (first int, dup bool) {
	if j, ok := seen[key]; ok && key != "" {
		return j, true
	}
	seen[key] = index
	return 0, false
}
