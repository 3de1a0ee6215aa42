package apidocs

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// Query is a parsed search: the text to match and the filters the query
// string carried (repo:RE, lang:L, kind:K).
type Query struct {
	// Text is what names and search keys are matched against.
	Text string
	// Repo is a regular expression (Postgres syntax, which agrees with
	// Go's on the common constructs) the repository name must match.
	Repo string
	// Lang and Kind must equal the entry's language and kind (case
	// insensitive) when set.
	Lang, Kind string
}

// ErrEmptyQuery is returned for a query without text to match.
var ErrEmptyQuery = errors.New("empty query: give a symbol name (Router, mux.Router, NewRout) and optionally repo:RE, lang:L, kind:K")

// ParseQuery splits s at white space into filter terms (repo:RE, lang:L,
// kind:K, each at most once) and the text, the other words joined by one
// space. A term with an empty value, a repeated term or a repo: pattern
// that does not compile is an error naming the term.
func ParseQuery(s string) (Query, error) {
	var q Query
	var words []string
	for _, w := range strings.Fields(s) {
		name, value, ok := strings.Cut(w, ":")
		var dst *string
		switch name {
		case "repo":
			dst = &q.Repo
		case "lang":
			dst = &q.Lang
		case "kind":
			dst = &q.Kind
		}
		if !ok || dst == nil {
			words = append(words, w)
			continue
		}
		if value == "" {
			return Query{}, fmt.Errorf("query term %q: want %s:VALUE", w, name)
		}
		if *dst != "" {
			return Query{}, fmt.Errorf("query term %q: %s: is given twice", w, name)
		}
		*dst = value
	}
	q.Text = strings.Join(words, " ")
	if q.Text == "" {
		return Query{}, ErrEmptyQuery
	}
	if _, err := regexp.Compile(q.Repo); err != nil {
		return Query{}, fmt.Errorf("query term repo:%s: %w", q.Repo, err)
	}
	return q, nil
}
