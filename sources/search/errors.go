package search

import (
	"fmt"
	"unicode/utf8"
)

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
