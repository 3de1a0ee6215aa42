package search

import (
	"regexp"
	"strings"
)

// matcher counts a pattern's matches in a buffer: non-overlapping, left to
// right, never across a line break, as `git grep -o` prints them.
type matcher interface {
	// count returns the number of matches in b, stopping at limit if it is
	// positive.
	count(b []byte, limit int) int
	// countIn is count of t's content, using what t shares between
	// queries.
	countIn(t *Text, limit int) int
}

var (
	_ matcher = (*literalMatcher)(nil)
	_ matcher = (*regexpMatcher)(nil)
)

// newMatcher returns the matcher for a non-empty pattern.
func newMatcher(pattern string, isRegexp, fold bool) (matcher, error) {
	switch {
	case isRegexp:
		return newRegexpMatcher(pattern, fold)
	case strings.Contains(pattern, "\n"):
		// A match never spans lines, so it cannot contain a newline.
		return &literalMatcher{}, nil
	case fold && !isASCII(pattern):
		// Non-ASCII letters need Unicode case folding; the regexp engine
		// has it, and its prefilter still scans for the ASCII parts.
		return newRegexpMatcher(regexp.QuoteMeta(pattern), true)
	}
	m := &literalMatcher{f: newFinder(pattern, fold)}
	if fold {
		if err := m.addVariants(pattern); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// literalMatcher counts a literal's occurrences with a finder.
type literalMatcher struct {
	f *finder // nil: the literal never matches
	// variants are the non-ASCII spellings Go's case folding gives k and s
	// (U+212A KELVIN SIGN, U+017F LONG S). Content containing one is rare;
	// it is searched by unicode, so that case-insensitive literals agree
	// with (?i) regexps.
	variants [][]byte
	unicode  *regexpMatcher
}

func (m *literalMatcher) addVariants(pattern string) error {
	lower := strings.ToLower(pattern)
	if strings.Contains(lower, "k") {
		m.variants = append(m.variants, []byte("\u212A"))
	}
	if strings.Contains(lower, "s") {
		m.variants = append(m.variants, []byte("\u017F"))
	}
	if m.variants == nil {
		return nil
	}
	var err error
	m.unicode, err = newRegexpMatcher(regexp.QuoteMeta(pattern), true)
	return err
}

func (m *literalMatcher) count(b []byte, limit int) int {
	t := Text{b: b}
	return m.countIn(&t, limit)
}

func (m *literalMatcher) countIn(t *Text, limit int) int {
	switch {
	case m.f == nil:
		return 0
	case t.hasAny(m.variants):
		return m.unicode.countIn(t, limit)
	}
	sc := m.f.scannerIn(t)
	return sc.count(limit)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
