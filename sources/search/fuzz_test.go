package search

import (
	"errors"
	"regexp"
	"testing"
)

// FuzzParse checks that Parse never panics, that its errors are
// *ParseError values with a column inside the query, and that a parsed
// query round-trips through String().
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"foo", "foo   bar", `"foo bar"`, `'a\'b'`, `"a\"b\\c\n"`, "/a.*b/", "/a/b/ c",
		"patterntype:regexp (\\w+)Error", "patterntype:literal /x/", "patterntype:standard /x/",
		`file:\.go$ -file:_test -f:"my dir/" x`, "lang:go -lang:c++ l:ts x", "lang:golnag",
		"repo:^a$ -repo:b r:c x", "case:yes type:path select:file count:all x",
		"count:10 fork:only archived:yes timeout:1m x", "fiel:x", "foo AND bar", "(a b)",
		"fmt.Println(", "http://x", "std::vector", `"unterminated`, "-case:yes", "file:",
		"héllo wörld", "\xff\xfe", "a\u00a0b", `"\`, "/", "//", "/\\/", "x /(/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %v is %T, not *ParseError", s, err, err)
			}
			if pe.Column < 1 || pe.Column > len(s)+1 {
				t.Fatalf("Parse(%q) error column %d is outside the query", s, pe.Column)
			}
			return
		}
		assertRoundTrip(t, q)
		// Matching any parsed query must not panic either.
		q.Match("dir/file.go", []byte(s+"\n"+s), MatchOpts{})
	})
}

// FuzzRegexpMatcher checks, for any regexp Go accepts, that the matcher
// compiles and counts what running the regexp on every line the way git
// grep does counts: the prefilter and the line-local search skip no match.
func FuzzRegexpMatcher(f *testing.F) {
	for _, s := range prefilterRegexps {
		f.Add(s, "ab aB\nkK\u212a s\u017f é\n\tfoo(bar) a\nb", false)
	}
	f.Fuzz(func(t *testing.T, src, text string, fold bool) {
		if _, err := regexp.Compile(src); err != nil {
			return
		}
		m, err := newRegexpMatcher(src, fold)
		if err != nil {
			t.Fatalf("newRegexpMatcher(%q): %v", src, err)
		}
		want := referenceCount(m.re, m.rest, []byte(text))
		if got := m.count([]byte(text), 0); got != want {
			t.Fatalf("%q (fold %v) on %q: count = %d, want %d", src, fold, text, got, want)
		}
	})
}
