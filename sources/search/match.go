package search

import (
	"bytes"
	"cmp"
)

// DefaultMaxFileSize is the size above which files are skipped unless
// [MatchOpts] says otherwise.
const DefaultMaxFileSize = 1 << 20

// binarySniffLen is how much of a file is checked for a NUL byte to call it
// binary. It is git's value (buffer_is_binary), so that files `git grep`
// calls binary are skipped here too.
const binarySniffLen = 8000

// MatchOpts configures matching. The zero value means defaults.
type MatchOpts struct {
	// MaxFileSize is the size in bytes above which a file is skipped;
	// 0 means DefaultMaxFileSize.
	MaxFileSize int64
}

// MaxSize returns the size in bytes above which a file is skipped, so that
// callers can avoid reading larger ones.
func (o MatchOpts) MaxSize() int64 {
	return cmp.Or(o.MaxFileSize, DefaultMaxFileSize)
}

// TooLarge reports whether a file of this size is skipped.
func (o MatchOpts) TooLarge(size int64) bool {
	return size > o.MaxSize()
}

// SkipReason says why a file was not searched.
type SkipReason uint8

const (
	// SkipNone: the file was searched.
	SkipNone SkipReason = iota
	// SkipBinary: the file has a NUL byte in its first 8000 bytes.
	SkipBinary
	// SkipTooLarge: the file is larger than MatchOpts.MaxFileSize.
	SkipTooLarge
)

// String returns "", "binary" or "too-large".
func (r SkipReason) String() string {
	switch r {
	case SkipBinary:
		return "binary"
	case SkipTooLarge:
		return "too-large"
	}
	return ""
}

// FileResult is a query's result for one file. Results are small and never
// change for a given content, so callers can cache them per blob.
type FileResult struct {
	// Matches counts non-overlapping matches; with select:file or
	// type:path it is 1 for a matching file.
	Matches int
	// Captures counts the values of the regexp's first capture group
	// (cut at 100 bytes) when the query has one; nil when there are none.
	Captures map[string]int
	// Skipped says why the file was not searched, if it was not.
	Skipped SkipReason
}

// Size estimates the memory a result holds, in bytes, for cache budgets.
func (r FileResult) Size() int {
	n := 32
	for v := range r.Captures {
		n += len(v) + 48
	}
	return n
}

// Match computes a file's result: zero when the file is out of scope,
// otherwise the match of the path (type:path, or no pattern) or of the
// content.
func (q *Query) Match(path string, content []byte, opts MatchOpts) FileResult {
	t := Text{b: content}
	return q.MatchText(path, &t, opts)
}

// MatchText is Match of a prepared content: queries matching the same Text
// share the work of preparing it (see [Text]).
func (q *Query) MatchText(path string, t *Text, opts MatchOpts) FileResult {
	if !q.InScope(path, t.b) {
		return FileResult{}
	}
	if !q.NeedsContent() {
		return q.MatchPath(path)
	}
	return q.MatchContentText(t, opts)
}

// MatchPath computes the result of a query that does not need content (see
// [Query.NeedsContent]): 1 when the path matches the pattern, or for every
// file when there is no pattern. It does not check the scope.
func (q *Query) MatchPath(path string) FileResult {
	if q.m == nil || q.m.count([]byte(path), 1) > 0 {
		return FileResult{Matches: 1}
	}
	return FileResult{}
}

// MatchContent computes a file's result from its content alone, for a query
// that needs content; it does not check the scope. The result depends only
// on the content, the query's [Query.Fingerprint] and opts, so it may be
// cached by (blob oid, fingerprint). Large and binary files are skipped.
func (q *Query) MatchContent(content []byte, opts MatchOpts) FileResult {
	t := Text{b: content}
	return q.MatchContentText(&t, opts)
}

// MatchContentText is MatchContent of a prepared content (see [Text]).
func (q *Query) MatchContentText(t *Text, opts MatchOpts) FileResult {
	switch {
	case !q.NeedsContent():
		return FileResult{}
	case opts.TooLarge(int64(len(t.b))):
		return FileResult{Skipped: SkipTooLarge}
	case t.has(factBinary):
		return FileResult{Skipped: SkipBinary}
	case q.HasCaptures():
		n, values := q.m.(*regexpMatcher).captures(t, q.SelectFile())
		return FileResult{Matches: q.selected(n), Captures: values}
	case q.SelectFile():
		return FileResult{Matches: q.m.countIn(t, 1)}
	}
	return FileResult{Matches: q.m.countIn(t, 0)}
}

// selected applies select:file to a match count.
func (q *Query) selected(n int) int {
	if q.SelectFile() {
		return min(n, 1)
	}
	return n
}

// isBinary reports whether content has a NUL byte where git looks for one.
func isBinary(content []byte) bool {
	return bytes.IndexByte(content[:min(len(content), binarySniffLen)], 0) >= 0
}
