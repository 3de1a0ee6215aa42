package search

import (
	"regexp/syntax"
	"slices"
	"strings"
	"unicode/utf8"
)

// maxSetSize bounds the literal sets the analysis builds, so that [ab][cd]…
// does not grow exponentially.
const maxSetSize = 16

// litSet is a set of non-empty-or-empty strings, to be matched ignoring
// ASCII case when fold is set (then the strings are lower-cased).
type litSet struct {
	strs []string
	fold bool
}

// litInfo is what the analysis knows about a regexp node.
type litInfo struct {
	exact *litSet // every string the node matches, when there are few; or nil
	req   *litSet // every match contains one of these strings; nil if unknown
}

// requiredLiterals returns a set of literals one of which every match of re
// contains, or nil when it finds none worth scanning for (shorter than two
// bytes). Matching is per line, so a line without any of them cannot match.
func requiredLiterals(re *syntax.Regexp) *litSet {
	req := analyze(re.Simplify()).req
	if req == nil || minLen(req) < 2 {
		return nil
	}
	return req
}

func analyze(re *syntax.Regexp) litInfo {
	switch re.Op {
	case syntax.OpLiteral:
		return literalInfo(re)
	case syntax.OpCharClass:
		return exactInfo(classSet(re.Rune))
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return exactInfo(&litSet{strs: []string{""}})
	case syntax.OpCapture:
		return analyze(re.Sub[0])
	case syntax.OpPlus:
		return litInfo{req: analyze(re.Sub[0]).required()}
	case syntax.OpQuest:
		return exactInfo(union(analyze(re.Sub[0]).exact, &litSet{strs: []string{""}}))
	case syntax.OpConcat:
		return concatInfo(re.Sub)
	case syntax.OpAlternate:
		return alternateInfo(re.Sub)
	}
	// Star, any char, no match, and repeats (which Simplify removes).
	return litInfo{}
}

func exactInfo(s *litSet) litInfo {
	i := litInfo{exact: s}
	i.req = i.required()
	return i
}

// required returns the node's requirement, derived from its exact set when
// it has one: an exact set without "" is itself a requirement.
func (i litInfo) required() *litSet {
	if i.exact != nil && !slices.Contains(i.exact.strs, "") {
		return withoutSuperstrings(i.exact)
	}
	return i.req
}

// withoutSuperstrings drops the strings that contain another one: a line
// containing "foobar" contains "bar", so {bar, foobar} requires just {bar}.
func withoutSuperstrings(s *litSet) *litSet {
	out := &litSet{fold: s.fold}
	for _, x := range s.strs {
		if !slices.ContainsFunc(s.strs, func(y string) bool { return y != x && strings.Contains(x, y) }) {
			out.strs = append(out.strs, x)
		}
	}
	return out
}

// literalInfo handles a literal. A case-folded literal is only exact when
// ASCII folding is Go's folding: (?i)k also matches U+212A KELVIN SIGN and
// (?i)s U+017F LONG S, and non-ASCII letters fold outside ASCII, so such a
// literal only requires its longest piece free of those letters.
func literalInfo(re *syntax.Regexp) litInfo {
	s := string(re.Rune)
	if re.Flags&syntax.FoldCase == 0 {
		return exactInfo(&litSet{strs: []string{s}})
	}
	if foldSafe(s) {
		return exactInfo(&litSet{strs: []string{asciiLower(s)}, fold: true})
	}
	if variants := foldVariants(s); variants != nil {
		return exactInfo(&litSet{strs: variants, fold: true})
	}
	if piece := longestFoldSafePiece(s); piece != "" {
		return litInfo{req: &litSet{strs: []string{asciiLower(piece)}, fold: true}}
	}
	return litInfo{}
}

// foldSafe reports whether ASCII case folding matches s exactly as Go's
// case folding does.
func foldSafe(s string) bool {
	return strings.IndexFunc(s, foldUnsafe) < 0
}

func foldUnsafe(r rune) bool {
	return r >= utf8.RuneSelf || r == 'k' || r == 'K' || r == 's' || r == 'S'
}

// foldVariants spells out an ASCII literal's k and s in every form Go's
// folding matches them ("errors" → {errors, errorſ}), so that a common word
// with an s is still required whole rather than cut down to its longest
// piece without one ("error", found on nearly every line of Go). It returns
// nil for non-ASCII literals or when there would be over maxSetSize
// variants.
func foldVariants(s string) []string {
	out := []string{""}
	for _, r := range asciiLower(s) {
		if r >= utf8.RuneSelf {
			return nil
		}
		forms := []string{string(r)}
		switch r {
		case 'k':
			forms = append(forms, "\u212A")
		case 's':
			forms = append(forms, "\u017F")
		}
		if len(out)*len(forms) > maxSetSize {
			return nil
		}
		next := make([]string, 0, len(out)*len(forms))
		for _, prefix := range out {
			for _, f := range forms {
				next = append(next, prefix+f)
			}
		}
		out = next
	}
	return out
}

func longestFoldSafePiece(s string) string {
	best := ""
	for _, p := range strings.FieldsFunc(s, foldUnsafe) {
		if len(p) > len(best) {
			best = p
		}
	}
	return best
}

func asciiLower(s string) string {
	return strings.Map(asciiLowerRune, s)
}

// classSet returns the strings a character class matches, if few.
func classSet(ranges []rune) *litSet {
	var strs []string
	for i := 0; i+1 < len(ranges); i += 2 {
		if int(ranges[i+1]-ranges[i])+1+len(strs) > 4 {
			return nil
		}
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			strs = append(strs, string(r))
		}
	}
	return &litSet{strs: strs}
}

// concatInfo merges runs of adjacent exact children into longer literals
// ("ab" then [cd] gives {abc, abd}) and keeps the best requirement among the
// runs and the other children.
func concatInfo(subs []*syntax.Regexp) litInfo {
	run := &litSet{strs: []string{""}}
	var best *litSet
	exact := true
	for _, sub := range subs {
		info := analyze(sub)
		if merged := cross(run, info.exact); merged != nil {
			run = merged
			continue
		}
		exact = false
		best = better(best, exactInfo(run).required())
		best = better(best, info.required())
		run = &litSet{strs: []string{""}}
		if info.exact != nil {
			run = info.exact
		}
	}
	if exact {
		return exactInfo(run)
	}
	return litInfo{req: better(best, exactInfo(run).required())}
}

// alternateInfo: every match matches one branch, so it contains one of the
// branches' requirements; a branch without one spoils the whole.
func alternateInfo(subs []*syntax.Regexp) litInfo {
	exact, req := &litSet{}, &litSet{}
	for _, sub := range subs {
		info := analyze(sub)
		exact = union(exact, info.exact)
		req = union(req, info.required())
	}
	if exact != nil {
		return exactInfo(exact)
	}
	return litInfo{req: req}
}

// union returns a ∪ b, or nil if either is unknown or the result is large.
func union(a, b *litSet) *litSet {
	if a == nil || b == nil || len(a.strs)+len(b.strs) > maxSetSize {
		return nil
	}
	return normalize(&litSet{strs: append(slices.Clone(a.strs), b.strs...), fold: a.fold || b.fold})
}

// cross returns every string of a followed by one of b, or nil if either is
// unknown or the result is large.
func cross(a, b *litSet) *litSet {
	if a == nil || b == nil || len(a.strs)*len(b.strs) > maxSetSize {
		return nil
	}
	out := &litSet{fold: a.fold || b.fold}
	for _, x := range a.strs {
		for _, y := range b.strs {
			out.strs = append(out.strs, x+y)
		}
	}
	return normalize(out)
}

// normalize lower-cases a folded set (matching a case-sensitive part while
// ignoring case only widens the set, which is safe for a prefilter) and
// removes duplicates.
func normalize(s *litSet) *litSet {
	if s.fold {
		for i, x := range s.strs {
			s.strs[i] = asciiLower(x)
		}
	}
	slices.Sort(s.strs)
	s.strs = slices.Compact(s.strs)
	return s
}

// better returns the more selective requirement: longer shortest string,
// then fewer strings.
func better(a, b *litSet) *litSet {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case minLen(a) != minLen(b):
		if minLen(a) > minLen(b) {
			return a
		}
		return b
	case len(b.strs) < len(a.strs):
		return b
	}
	return a
}

func minLen(s *litSet) int {
	if len(s.strs) == 0 {
		return 0
	}
	n := len(s.strs[0])
	for _, x := range s.strs[1:] {
		n = min(n, len(x))
	}
	return n
}
