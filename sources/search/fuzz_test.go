package search

import (
	"regexp"
	"testing"
)

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
