package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokenKind says what a query term is.
type tokenKind uint8

const (
	tokPattern tokenKind = iota // unquoted pattern text
	tokQuoted                   // "…" or '…' pattern, value unescaped
	tokSlashed                  // /…/ pattern; value is the text between the slashes
	tokFilter                   // field:value
)

// token is one whitespace-separated term of a query.
type token struct {
	kind    tokenKind
	off     int    // byte offset of the term in the query
	raw     string // the term as typed
	value   string // pattern text or filter value, unquoted
	field   string // canonical filter name (tokFilter only)
	typed   string // the filter name as typed, e.g. "-f:" (tokFilter only)
	negated bool   // -field: (tokFilter only)
	valOff  int    // byte offset of the value (tokFilter only)
}

// lexer splits a query into tokens.
type lexer struct {
	s   string
	pos int
}

// lex splits s into terms. It rejects what Sourcegraph would read as
// operators or grouping, which this subset does not support.
func lex(s string) ([]token, error) {
	l := &lexer{s: s}
	var toks []token
	for {
		l.skipSpace()
		if l.pos >= len(s) {
			return toks, nil
		}
		t, err := l.next()
		if err != nil {
			return nil, err
		}
		toks = append(toks, t)
	}
}

func (l *lexer) errorf(off int, hint, format string, args ...any) *ParseError {
	return &ParseError{Column: column(l.s, off), Problem: fmt.Sprintf(format, args...), Hint: hint}
}

func (l *lexer) skipSpace() {
	for l.pos < len(l.s) {
		r, n := utf8.DecodeRuneInString(l.s[l.pos:])
		if !unicode.IsSpace(r) {
			return
		}
		l.pos += n
	}
}

// atTermEnd reports whether i is the end of the query or a space.
func (l *lexer) atTermEnd(i int) bool {
	if i >= len(l.s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(l.s[i:])
	return unicode.IsSpace(r)
}

// termEnd returns the offset of the first space at or after i.
func (l *lexer) termEnd(i int) int {
	for i < len(l.s) && !l.atTermEnd(i) {
		_, n := utf8.DecodeRuneInString(l.s[i:])
		i += n
	}
	return i
}

func (l *lexer) next() (token, error) {
	start := l.pos
	switch c := l.s[start]; {
	case c == '"' || c == '\'':
		v, err := l.quoted(start)
		return token{kind: tokQuoted, off: start, raw: l.s[start:l.pos], value: v}, err
	case c == '/':
		if t, ok := l.slashed(start); ok {
			return t, nil
		}
	}
	if t, ok, err := l.filter(start); ok || err != nil {
		return t, err
	}
	return l.plain(start)
}

// quoted scans a quoted string at i, leaving l.pos after it. Escapes: \\,
// \" (or \'), \n and \t; any other backslash is kept, so regexp escapes such
// as \d survive quoting.
func (l *lexer) quoted(i int) (string, error) {
	q := l.s[i]
	var b strings.Builder
	for j := i + 1; j < len(l.s); j++ {
		switch c := l.s[j]; {
		case c == q:
			l.pos = j + 1
			if !l.atTermEnd(l.pos) {
				return "", l.errorf(l.pos, "separate terms with a space", "unexpected text after quoted string")
			}
			return b.String(), nil
		case c == '\\' && j+1 < len(l.s):
			j++
			b.WriteString(unescape(l.s[j], q))
		default:
			b.WriteByte(c)
		}
	}
	return "", l.errorf(i, fmt.Sprintf("add a closing %c", q), "unterminated quoted string")
}

// unescape returns what backslash + c stands for inside a string quoted by q.
func unescape(c, q byte) string {
	switch c {
	case q, '\\':
		return string(c)
	case 'n':
		return "\n"
	case 't':
		return "\t"
	}
	return "\\" + string(c)
}

// slashed scans a /…/ term at i: it ends at the first unescaped slash that is
// followed by a space or the end of the query, so /a/b/ is the regexp a/b.
func (l *lexer) slashed(i int) (token, bool) {
	for j := i + 1; j < len(l.s); j++ {
		switch l.s[j] {
		case '\\':
			j++
		case '/':
			if j > i+1 && l.atTermEnd(j+1) {
				l.pos = j + 1
				return token{kind: tokSlashed, off: i, raw: l.s[i:l.pos], value: l.s[i+1 : j]}, true
			}
		}
	}
	return token{}, false
}

// plain scans an unquoted pattern term at i.
func (l *lexer) plain(i int) (token, error) {
	l.pos = l.termEnd(i)
	raw := l.s[i:l.pos]
	switch strings.ToLower(raw) {
	case "and", "or", "not":
		return token{}, l.errorf(i, "quote the pattern to search for the words literally",
			"operator %q is not supported", raw)
	}
	if raw[0] == '(' && strings.Count(raw, "(") > strings.Count(raw, ")") {
		return token{}, l.errorf(i, "quote the pattern to search for parentheses literally",
			"grouping with parentheses is not supported")
	}
	return token{kind: tokPattern, off: i, raw: raw, value: raw}, nil
}
