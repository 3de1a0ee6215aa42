package query

import (
	"errors"
	"fmt"
	"regexp/syntax"
	"unicode/utf8"
)

// MaxQuoted is how many characters of a query or regexp an error message
// quotes; the rest is elided, with its length.
const MaxQuoted = 60

// ParseError is a query the parser rejects. It says where (a 1-based column
// counted in characters), what is wrong and, when it can, what to type
// instead.
type ParseError struct {
	// Column is the 1-based character position of the offending token.
	Column int
	// Problem says what is wrong, e.g. `unknown filter "fiel:"`.
	Problem string
	// Detail is an underlying message, e.g. Go's regexp error, or "".
	Detail string
	// Hint suggests a fix, e.g. `did you mean "file:"?`, or "".
	Hint string
}

// Error formats the error as `PROBLEM at column N[: DETAIL][; HINT]`.
func (e *ParseError) Error() string {
	s := fmt.Sprintf("%s at column %d", e.Problem, e.Column)
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// column converts a byte offset in s to a 1-based character column.
func column(s string, off int) int {
	return utf8.RuneCountInString(s[:off]) + 1
}

// regexpDetail is Go's regexp error with the offending expression cut to
// MaxQuoted characters: a 3,000-deep group would otherwise quote the whole
// pattern, twice with the query.
func regexpDetail(err error) string {
	var se *syntax.Error
	if !errors.As(err, &se) {
		return err.Error()
	}
	expr, rest := cut(se.Expr)
	return fmt.Sprintf("error parsing regexp: %s: `%s`%s", se.Code, expr, rest)
}

// Abbrev quotes s (as %q does) for an error message, cut to MaxQuoted
// characters, with the length of the whole: "((((…" (9000 characters).
func Abbrev(s string) string {
	head, rest := cut(s)
	return fmt.Sprintf("%q%s", head, rest)
}

// cut returns s's first MaxQuoted characters and, when that is not all of
// s, what to write after them.
func cut(s string) (head, rest string) {
	n := utf8.RuneCountInString(s)
	if n <= MaxQuoted {
		return s, ""
	}
	return string([]rune(s)[:MaxQuoted]), fmt.Sprintf("… (%d characters)", n)
}
