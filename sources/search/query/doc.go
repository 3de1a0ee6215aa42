// Package query parses code insights queries, a subset of Sourcegraph's
// query language: the lexer, the parser and the parsed [Query] (pattern and
// filters), with errors that name the column and a fix ([ParseError]).
//
// It does not match anything but repository names and paths against the
// repo: and file: filters: package search compiles a Query's pattern into a
// matcher and computes each file's result.
package query
