package query

import (
	"fmt"
	"strings"
)

// fields maps the filter names this package accepts, and their aliases, to
// canonical names.
var fields = map[string]string{
	"repo": "repo", "r": "repo",
	"file": "file", "f": "file",
	"lang": "lang", "l": "lang", "language": "lang",
	"case":        "case",
	"patterntype": "patterntype",
	"type":        "type",
	"select":      "select",
	"count":       "count",
	"fork":        "fork",
	"archived":    "archived",
	"timeout":     "timeout",
}

// negatable lists the canonical filters that take a leading "-".
var negatable = map[string]bool{"repo": true, "file": true, "lang": true}

// unsupported lists Sourcegraph filters this subset rejects by name rather
// than as unknown, so the message is accurate.
var unsupported = map[string]bool{
	"rev": true, "revision": true, "content": true, "context": true,
	"repohasfile": true, "repohascommitafter": true, "repogroup": true,
	"visibility": true, "author": true, "committer": true, "message": true,
	"msg": true, "before": true, "after": true, "until": true, "since": true,
	"index": true, "stable": true, "rule": true, "has": true,
}

// scanFieldName recognizes `-?[A-Za-z]+:` at the start of s and returns the
// lower-cased name, whether it is negated and the length including the colon.
func scanFieldName(s string) (name string, neg bool, n int) {
	if strings.HasPrefix(s, "-") {
		neg, n = true, 1
	}
	start := n
	for n < len(s) && isASCIILetter(s[n]) {
		n++
	}
	if n == start || n >= len(s) || s[n] != ':' {
		return "", false, 0
	}
	return strings.ToLower(s[start:n]), neg, n + 1
}

func isASCIILetter(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// filter scans field:value at i. ok is false when the term is not a filter:
// an unknown name that is not close to a known one (http://x, std::vector)
// is pattern text, as in Sourcegraph; a near miss is reported as a typo.
func (l *lexer) filter(i int) (t token, ok bool, err error) {
	name, neg, n := scanFieldName(l.s[i:])
	if n == 0 {
		return token{}, false, nil
	}
	typed := l.s[i : i+n]
	field, known := fields[name]
	switch {
	case unsupported[name]:
		return token{}, true, l.errorf(i, "", "filter %q is not supported", typed)
	case !known:
		if s := Suggest(name, filterNames(), typoLimit(name)); s != "" {
			return token{}, true, l.errorf(i, fmt.Sprintf("did you mean %q?", typed[:len(typed)-len(name)-1]+s+":"),
				"unknown filter %q", typed)
		}
		return token{}, false, nil
	case neg && !negatable[field]:
		return token{}, true, l.errorf(i, "", "filter %q cannot be negated", typed[1:])
	}
	v, err := l.filterValue(i, i+n, typed)
	return token{kind: tokFilter, off: i, raw: l.s[i:l.pos], value: v, field: field,
		typed: typed, negated: neg, valOff: i + n}, true, err
}

// filterValue scans the value of a filter starting at i, quoted or not.
func (l *lexer) filterValue(start, i int, typed string) (string, error) {
	if l.atTermEnd(i) {
		l.pos = i
		return "", l.errorf(start, "", "filter %q needs a value", typed)
	}
	if c := l.s[i]; c == '"' || c == '\'' {
		return l.quoted(i)
	}
	l.pos = l.termEnd(i)
	return l.s[i:l.pos], nil
}

// filterNames lists the canonical filter names, for suggestions.
func filterNames() []string {
	return []string{"repo", "file", "lang", "language", "case", "patterntype",
		"type", "select", "count", "fork", "archived", "timeout"}
}

// typoLimit is how many edits away from a filter name an unknown name may be
// and still be reported as a typo rather than read as pattern text: none for
// words under three letters (so "x:" stays text), one for short words, two
// from six letters on.
func typoLimit(name string) int {
	switch {
	case len(name) < 3:
		return -1
	case len(name) < 6:
		return 1
	}
	return 2
}
