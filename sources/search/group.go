package search

import "time"

// Group is a set of queries whose case-insensitive literals are found
// together: the literals of literal queries and the literal prefilters of
// regexps, all of them, in one pass of an Aho-Corasick automaton over a
// file's lower-cased content, instead of one scan per literal (see
// automaton). A file
// scanned by many such queries (a dashboard's series in one history walk)
// costs one pass rather than one per literal, which pays when there are
// about six literals or more (see [Group.Literals]). A Group is immutable
// and safe for concurrent use.
type Group struct {
	ac  *automaton      // nil when there are no literals
	ids map[*finder]int // each folding finder's pattern
}

// NewGroup returns the group of queries; nil queries are left out.
func NewGroup(queries []*Query) *Group {
	g := &Group{ids: map[*finder]int{}}
	byPattern := map[string]int{}
	var patterns [][]byte
	for _, q := range queries {
		for _, f := range q.foldingFinders() {
			id, ok := byPattern[string(f.pat)]
			if !ok {
				id = len(patterns)
				byPattern[string(f.pat)] = id
				patterns = append(patterns, f.pat)
			}
			g.ids[f] = id
		}
	}
	if len(patterns) > 0 {
		g.ac = newAutomaton(patterns)
	}
	return g
}

// Literals returns how many of q's case-insensitive literals the group
// finds: with [Query.MatchContentText], a [Text] from [Group.Text] saves
// one scan of the content per literal.
func (g *Group) Literals(q *Query) int {
	n := 0
	for _, f := range q.foldingFinders() {
		if _, ok := g.ids[f]; ok {
			n++
		}
	}
	return n
}

// Text returns content prepared for the group's queries: a shared Text
// (see [NewSharedText]) whose case-insensitive literals are found by the
// group's automaton when the first query needs one. Call [Text.Release]
// when done with it.
func (g *Group) Text(content []byte) *Text {
	return &Text{b: content, shared: true, group: g}
}

// foldingFinders returns the finders of q's matcher that ignore case.
func (q *Query) foldingFinders() []*finder {
	if q == nil {
		return nil
	}
	var out []*finder
	switch m := q.m.(type) {
	case *literalMatcher:
		if m.f != nil && m.f.fold {
			out = append(out, m.f)
		}
	case *regexpMatcher:
		for _, f := range m.pre {
			if f.fold {
				out = append(out, f)
			}
		}
	}
	return out
}

// found returns the starts of f's occurrences in t's content when t
// belongs to a group that finds f; ok is false otherwise.
func (t *Text) found(f *finder) (starts []int32, ok bool) {
	if t.group == nil || t.group.ac == nil {
		return nil, false
	}
	id, ok := t.group.ids[f]
	if !ok {
		return nil, false
	}
	if t.occurrences == nil {
		lower := t.folded()
		start := time.Now()
		t.occurrences = t.group.ac.find(lower)
		t.sharedTime += time.Since(start)
	}
	return t.occurrences[id], true
}
