package query

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"
	"time"
	"unicode"
)

// Query is a parsed query: its pattern and filters, with the repo: and file:
// regexps compiled. Build one with [Parse]; the zero Query is not usable. A
// Query is immutable and safe for concurrent use. Package search compiles it
// for matching file contents.
type Query struct {
	pattern     string // literal text or regexp source; "" counts files by path
	isRegexp    bool
	patternType string // "", "literal", "regexp" or "standard"; a /…/ pattern makes it "regexp"
	caseValue   string // "", "yes" or "no"
	typ         string // "", "file" or "path"
	sel         string // "" or "file"
	count       string // "", "all" or a positive number; accepted and ignored
	fork        string // "", "yes", "no" or "only"; accepted and ignored
	archived    string // "", "yes", "no" or "only"; accepted and ignored
	timeout     time.Duration

	repos, excludeRepos []string
	files, excludeFiles []string
	langs, excludeLangs []string // go-enry language names

	repoREs, excludeRepoREs []*regexp.Regexp
	fileREs, excludeFileREs []*regexp.Regexp
	patternColumn           int // where the pattern starts, for errors about it
	captures                int // the pattern regexp's capture groups
}

// RepoFilters are a query's repository-level filters. They do not change a
// file's result. Sightline applies repo: and -repo: through
// [Query.MatchRepo]; it knows no repository's fork or archived state, so
// fork: and archived: are accepted (and kept by [Query.String]) but have no
// effect. timeout: is the deadline run-searches gives one series in one
// repository.
type RepoFilters struct {
	// Include and Exclude are the repo: and -repo: regexps, as typed.
	Include, Exclude []string
	// Fork and Archived are "", "yes", "no" or "only".
	Fork, Archived string
	// Timeout is the timeout: value, or 0.
	Timeout time.Duration
}

// Pattern returns the search pattern and whether it is a regexp (Go RE2
// syntax). An empty pattern makes every file in scope count once.
func (q *Query) Pattern() (pattern string, isRegexp bool) {
	return q.pattern, q.isRegexp
}

// CaseSensitive reports whether the query has case:yes.
func (q *Query) CaseSensitive() bool { return q.caseValue == "yes" }

// PathOnly reports whether the pattern is matched against paths (type:path).
func (q *Query) PathOnly() bool { return q.typ == "path" }

// SelectFile reports whether each matching file counts once (select:file).
func (q *Query) SelectFile() bool { return q.sel == "file" }

// HasCaptures reports whether results carry capture-group values: the
// pattern is a regexp with a capture group and is matched against contents.
func (q *Query) HasCaptures() bool {
	return q.captures > 0 && q.NeedsContent()
}

// NeedsContent reports whether a file's result depends on its content. It
// is false for type:path and for queries without a pattern, whose result
// depends on the path alone (but see [Scope] for lang: filters).
func (q *Query) NeedsContent() bool { return q.pattern != "" && !q.PathOnly() }

// Langs returns the lang: and -lang: filters as go-enry language names.
func (q *Query) Langs() (include, exclude []string) {
	return q.langs, q.excludeLangs
}

// RepoFilters returns the repository-level filters.
func (q *Query) RepoFilters() RepoFilters {
	return RepoFilters{Include: q.repos, Exclude: q.excludeRepos,
		Fork: q.fork, Archived: q.archived, Timeout: q.timeout}
}

// MatchRepo reports whether a repository name passes the repo: and -repo:
// filters.
func (q *Query) MatchRepo(name string) bool {
	return matchAll(q.repoREs, q.excludeRepoREs, name)
}

// MatchFile reports whether a path passes the file: and -file: filters.
func (q *Query) MatchFile(path string) bool {
	return matchAll(q.fileREs, q.excludeFileREs, path)
}

// PatternError is the error for a pattern that cannot be compiled for
// matching: an invalid regexp at the pattern's column, with err's message
// cut as the parser cuts its own.
func (q *Query) PatternError(err error) *ParseError {
	return &ParseError{Column: q.patternColumn, Problem: "invalid regexp", Detail: regexpDetail(err)}
}

// matchAll reports whether s matches every include and no exclude regexp.
func matchAll(include, exclude []*regexp.Regexp, s string) bool {
	for _, re := range include {
		if !re.MatchString(s) {
			return false
		}
	}
	for _, re := range exclude {
		if re.MatchString(s) {
			return false
		}
	}
	return true
}

// Fingerprint identifies what package search's Query.MatchContent computes: two queries
// with the same fingerprint give the same result for every content (under
// the same search.MatchOpts). It covers the pattern, case:, type: and select:, and
// deliberately not repo:, file: or lang:, which decide whether a file is
// searched but not its result, so queries that differ only in those share
// cached per-blob results.
func (q *Query) Fingerprint() string {
	h := sha256.New()
	kind := "literal"
	if q.isRegexp {
		kind = "regexp"
	}
	for _, s := range []string{"sightline-search-v1", kind, q.pattern,
		boolString(q.CaseSensitive()), boolString(q.PathOnly()), boolString(q.SelectFile())} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

func boolString(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// String returns the query in a normalized form that [Parse] reads back as
// an equivalent query: filters first in a fixed order, then the pattern as
// one quoted string (with patterntype: when it is not the default).
func (q *Query) String() string {
	var parts []string
	add := func(field string, values ...string) {
		for _, v := range values {
			parts = append(parts, field+":"+quoteValue(v))
		}
	}
	add("repo", q.repos...)
	add("-repo", q.excludeRepos...)
	add("file", q.files...)
	add("-file", q.excludeFiles...)
	add("lang", q.langs...)
	add("-lang", q.excludeLangs...)
	for _, f := range [][2]string{{"case", q.caseValue}, {"type", q.typ}, {"select", q.sel},
		{"count", q.count}, {"fork", q.fork}, {"archived", q.archived}, {"patterntype", q.patternType}} {
		if f[1] != "" {
			add(f[0], f[1])
		}
	}
	if q.timeout != 0 {
		add("timeout", q.timeout.String())
	}
	if q.pattern != "" {
		parts = append(parts, quote(q.pattern))
	}
	return strings.Join(parts, " ")
}

// quoteValue quotes a filter value only when it would not read back as
// typed: when it contains a space or starts with a quote.
func quoteValue(v string) string {
	if v == "" || v[0] == '"' || v[0] == '\'' || strings.IndexFunc(v, unicode.IsSpace) >= 0 {
		return quote(v)
	}
	return v
}

// quote double-quotes s with the escapes the lexer reads back. It works on
// bytes so that invalid UTF-8 survives the round trip.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
