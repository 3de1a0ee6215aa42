package insightspec

import (
	"errors"
	"strings"

	"github.com/sightline-dev/sightline/sources/search"
	"github.com/sightline-dev/sightline/sources/search/query"
)

// series validates one series of in and computes its key (left "" when the
// series has errors, so that one mistake does not cause a second about
// duplicate keys).
func (v *validator) series(p path, index int, rs rawSeries, in Insight) Series {
	before := len(v.errs)
	s := Series{Index: index, Line: v.loc.line(p), Label: strings.TrimSpace(rs.Label), Query: rs.Query, Stroke: rs.Color}
	if s.Label == "" {
		v.errorf(sub(p, "label"), "missing; every series needs a label")
	}
	if s.Stroke != "" && !validColor().MatchString(s.Stroke) {
		v.errorf(sub(p, "color"), "%q is not a colour: want #rgb or #rrggbb, e.g. \"#1f77b4\"", s.Stroke)
	}
	s.Kind = v.oneOf(sub(p, "kind"), rs.Kind, KindSearch, KindCaptureGroup, KindLanguageUsage, KindGroupBy)
	s.GroupBy = v.groupBy(p, s.Kind, rs.GroupBy)
	normalized, ok := v.query(sub(p, "query"), s)
	if ok && len(v.errs) == before && in.Scope.Kind != "" && in.Interval.Unit != "" {
		s.Key = seriesKey(normalized, s, in)
	}
	return s
}

func (v *validator) groupBy(p path, kind, groupBy string) string {
	switch {
	case kind == KindGroupBy && groupBy == "":
		v.errorf(sub(p, "group_by"), "missing; kind group-by needs group_by: repo, lang or path")
	case kind == KindGroupBy:
		v.oneOf(sub(p, "group_by"), groupBy, "repo", "lang", "path")
	case groupBy != "":
		v.errorf(sub(p, "group_by"), "only applies to kind: group-by (this series is kind %s)", kind)
	}
	return groupBy
}

// query parses the series' query and checks that it suits the kind. It
// returns the normalized query, and false when the query is unusable.
func (v *validator) query(p path, s Series) (string, bool) {
	if strings.TrimSpace(s.Query) == "" {
		if s.Kind == KindLanguageUsage {
			return "", true // every file in scope
		}
		v.errorf(p, "missing; every series needs a query (only kind language-usage may leave it empty)")
		return "", false
	}
	q, err := search.Parse(s.Query)
	if err != nil {
		var pe *query.ParseError
		if errors.As(err, &pe) {
			v.errorf(p, "%v", pe)
		} else {
			v.errorf(p, "%v", err)
		}
		return "", false
	}
	pattern, _ := q.Pattern()
	switch {
	case s.Kind == KindSearch && q.HasCaptures():
		v.errorf(p, "the regexp has a capture group, which kind search ignores: use kind: capture-group to count each captured value, or (?:…) for a group that does not capture")
		return "", false
	case s.Kind == KindCaptureGroup && !q.HasCaptures():
		v.errorf(p, "kind capture-group needs a regexp with a capture group matched against file contents, e.g. /TODO\\((\\w+)\\)/")
		return "", false
	case s.Kind == KindLanguageUsage && pattern != "":
		v.errorf(p, "kind language-usage counts the lines of every file in scope, so its query takes no pattern (%q): leave it empty or narrow the files with filters such as file: and lang:", pattern)
		return "", false
	}
	return q.String(), true
}
