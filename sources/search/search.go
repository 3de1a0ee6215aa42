package search

import "github.com/sightline-dev/sightline/sources/search/query"

// Query is a parsed query compiled for matching: the query (package query,
// whose methods it has) and the matcher of its pattern. Build one with
// [Parse] or [Compile]; the zero Query is not usable. A Query is immutable
// and safe for concurrent use.
type Query struct {
	*query.Query
	m matcher // nil when the pattern is ""
}

// Parse parses a query with [query.Parse] and compiles it with [Compile].
// Errors are *query.ParseError values naming the column and, where
// possible, a fix.
func Parse(s string) (*Query, error) {
	q, err := query.Parse(s)
	if err != nil {
		return nil, err
	}
	return Compile(q)
}

// Compile builds the matcher of a parsed query's pattern. It fails, with a
// *query.ParseError at the pattern, only for a pattern the parser accepts
// but the matcher cannot compile, such as a case-insensitive literal that
// is not valid UTF-8.
func Compile(q *query.Query) (*Query, error) {
	pattern, isRegexp := q.Pattern()
	if pattern == "" {
		return &Query{Query: q}, nil
	}
	m, err := newMatcher(pattern, isRegexp, !q.CaseSensitive())
	if err != nil {
		return nil, q.PatternError(err)
	}
	return &Query{Query: q, m: m}, nil
}
