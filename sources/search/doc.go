// Package search computes one file's result for a code insights query: its
// match count, capture-group values, or language usage. It is the matcher
// (literal and regexp matching, the literal prefilter, language detection);
// the query language itself (lexer, parser, the parsed [query.Query]) is
// package query below it, as zoekt separates query/ from its evaluation.
//
// The package works on (path, content) pairs only. It does not read git
// objects, walk commits or cache results (it only memoizes go-enry's
// answers about paths): callers parse a query once with
// [Parse] (which parses with [query.Parse] and compiles the matcher), decide
// from the path alone whether a file is in scope with [Query.PathScope], and
// compute the per-file result from the content with
// [Query.MatchContent], which depends on the content and [MatchOpts] alone
// and may therefore be cached by (blob oid, [Query.Fingerprint], opts).
// Callers that match one content with many queries (a pass over a
// dashboard's series) prepare it once as a [Text], from [NewSharedText] or
// a [Group] of the queries, and call [Query.MatchText]: the content is then
// lower-cased once for all the case-insensitive queries, and a Group finds
// all their literals in one pass of an Aho-Corasick automaton.
//
// Match counts agree with `git grep -o`: a file counts the lines git would
// print for it. So a match never spans lines (a pattern that needs a newline
// never matches); matches are non-overlapping, left to right; after a match
// git searches the rest of the line as a new text in which ^ cannot match;
// and an empty match ends the line. Case-insensitive matching is Go's (?i)
// Unicode folding, for literals too.
package search
