package search

import "slices"

// Scope says whether a query searches a file, as far as its path tells.
type Scope uint8

const (
	// ScopeOut: the file is not searched.
	ScopeOut Scope = iota
	// ScopeIn: the file is searched.
	ScopeIn
	// ScopeContent: the query has lang: filters and only the content can
	// tell the file's language; call [Query.InScope] with the content.
	ScopeContent
)

// String returns "out", "in" or "content".
func (s Scope) String() string {
	switch s {
	case ScopeOut:
		return "out"
	case ScopeIn:
		return "in"
	}
	return "content"
}

// PathScope decides from a path alone whether the query searches the file:
// file: and -file: regexps, and lang: filters when the file name or
// extension settles the language (see [LanguageByPath]). It is cheap enough
// to call for every entry of a tree.
func (q *Query) PathScope(path string) Scope {
	if !q.MatchFile(path) {
		return ScopeOut
	}
	if include, exclude := q.Langs(); len(include) == 0 && len(exclude) == 0 {
		return ScopeIn
	}
	lang, candidates, ok := LanguageByPath(path)
	if ok {
		return scopeOf(q.langOK(lang))
	}
	if len(candidates) == 0 {
		return ScopeContent
	}
	// An ambiguous extension: the content picks one of the candidates, so
	// when they all agree the path decides.
	in := q.langOK(candidates[0])
	for _, c := range candidates[1:] {
		if q.langOK(c) != in {
			return ScopeContent
		}
	}
	return scopeOf(in)
}

func scopeOf(in bool) Scope {
	if in {
		return ScopeIn
	}
	return ScopeOut
}

// InScope decides whether the query searches a file, using its content
// only when PathScope cannot decide.
func (q *Query) InScope(path string, content []byte) bool {
	switch q.PathScope(path) {
	case ScopeIn:
		return true
	case ScopeOut:
		return false
	}
	return q.langOK(Language(path, content))
}

// langOK reports whether a file of language lang passes the lang: filters:
// it must be every lang: language (as several file: filters must all match)
// and none of the -lang: ones.
func (q *Query) langOK(lang string) bool {
	include, exclude := q.Langs()
	for _, l := range include {
		if l != lang {
			return false
		}
	}
	return !slices.Contains(exclude, lang)
}
