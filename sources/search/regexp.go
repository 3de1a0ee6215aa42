package search

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"unicode/utf8"

	"github.com/sightline-dev/sightline/sources/search/query"
)

// maxCaptureLen is the length at which capture-group values are cut.
const maxCaptureLen = 100

// regexpMatcher counts a regexp's matches line by line. Lines that cannot
// match are skipped without running the regexp on them: with a literal
// prefilter when the regexp requires literals, otherwise by running a
// line-local form of the regexp over the whole buffer.
type regexpMatcher struct {
	re    *regexp.Regexp // run on one line at a time
	rest  *regexp.Regexp // re with ^ never matching, for the rest of a line after a match
	pre   []*finder      // every match contains one of these; nil if none
	local *regexp.Regexp // see lineLocal; used when pre is nil
}

// newRegexpMatcher compiles src (case-insensitively if fold) and its
// prefilter.
func newRegexpMatcher(src string, fold bool) (*regexpMatcher, error) {
	re, err := query.CompileRegexp(src, fold)
	if err != nil {
		return nil, err
	}
	// Parse what was compiled, with the flags regexp.Compile uses.
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil, err
	}
	m := &regexpMatcher{re: re}
	if req := requiredLiterals(tree); req != nil {
		for _, s := range req.strs {
			m.pre = append(m.pre, newFinder(s, req.fold))
		}
	}
	if m.rest, err = regexp.Compile(notBOL(tree).String()); err != nil {
		return nil, err
	}
	m.local, err = regexp.Compile(lineLocal(tree).String())
	return m, err
}

// count returns the number of matches in b, stopping at limit if positive.
func (m *regexpMatcher) count(b []byte, limit int) int {
	t := Text{b: b}
	return m.countIn(&t, limit)
}

func (m *regexpMatcher) countIn(t *Text, limit int) int {
	n := 0
	m.candidateLines(t, func(line []byte) bool {
		n += m.lineMatches(line, false, nil)
		return limit <= 0 || n < limit
	})
	if limit > 0 {
		return min(n, limit)
	}
	return n
}

// captures counts the matches in b and the values of their first capture
// group, each value once if once is set. A group that did not take part in
// a match, or matched the empty string, gives no value. values is nil when
// there are none, which keeps cached results small.
func (m *regexpMatcher) captures(t *Text, once bool) (n int, values map[string]int) {
	m.candidateLines(t, func(line []byte) bool {
		n += m.lineMatches(line, true, func(s []byte, loc []int) {
			if loc[2] < loc[3] {
				if values == nil {
					values = map[string]int{}
				}
				v := truncateValue(s[loc[2]:loc[3]])
				values[v]++
				if once {
					values[v] = 1
				}
			}
		})
		return true
	})
	return n, values
}

// lineMatches counts the matches on one line the way `git grep -o` finds
// them, calling visit (if not nil) with the searched text and each match's
// submatch indexes in it. git searches the whole line, then the rest of the
// line after each match as a new subject with ^ disabled (REG_NOTBOL), and
// stops at the first empty match. So "a*" finds nothing in "baa", and \b
// holds at the start of each rest; Go's FindAll would differ in both cases.
func (m *regexpMatcher) lineMatches(line []byte, submatches bool, visit func(s []byte, loc []int)) int {
	re, n := m.re, 0
	for off := 0; off <= len(line); {
		s := line[off:]
		var loc []int
		if submatches {
			loc = re.FindSubmatchIndex(s)
		} else {
			loc = re.FindIndex(s)
		}
		if loc == nil || loc[0] == loc[1] {
			break
		}
		n++
		if visit != nil {
			visit(s, loc)
		}
		off += loc[1]
		re = m.rest
	}
	return n
}

// truncateValue cuts a capture value at maxCaptureLen bytes, backing off to
// the start of a character that would be split.
func truncateValue(v []byte) string {
	if len(v) <= maxCaptureLen {
		return string(v)
	}
	cut := maxCaptureLen
	for i := cut; i > cut-utf8.UTFMax && i > 0; i-- {
		if utf8.RuneStart(v[i]) {
			if r, size := utf8.DecodeRune(v[i:]); (r != utf8.RuneError || size > 1) && i+size > cut {
				cut = i
			}
			break
		}
	}
	return string(v[:cut])
}

// candidateLines calls visit with each line that may contain a match, in
// order, until visit returns false. Lines exclude their '\n'.
func (m *regexpMatcher) candidateLines(t *Text, visit func(line []byte) bool) {
	b := t.b
	next := m.nextCandidate(t)
	for pos := 0; pos < len(b); {
		i := next(pos)
		if i < 0 {
			return
		}
		start := pos + bytes.LastIndexByte(b[pos:i], '\n') + 1
		end := len(b)
		if j := bytes.IndexByte(b[i:], '\n'); j >= 0 {
			end = i + j
		}
		if !visit(b[start:end]) {
			return
		}
		pos = end + 1
	}
}

// nextCandidate returns a function giving, for a line start from, a
// position at or after it on the first line that may match, or -1.
func (m *regexpMatcher) nextCandidate(t *Text) func(from int) int {
	b := t.b
	if m.pre == nil {
		return func(from int) int {
			// from is a line start, so ^ and \b see the same context as on
			// the line alone.
			if loc := m.local.FindIndex(b[from:]); loc != nil {
				return from + loc[0]
			}
			return -1
		}
	}
	scanners := make([]scanner, len(m.pre))
	for i, f := range m.pre {
		scanners[i] = f.scannerIn(t)
	}
	return func(from int) int {
		best := -1
		for i := range scanners {
			if i := scanners[i].next(from); i >= 0 && (best < 0 || i < best) {
				best = i
			}
		}
		return best
	}
}
