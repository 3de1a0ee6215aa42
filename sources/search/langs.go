package search

import (
	"bytes"

	"github.com/go-enry/go-enry/v2"
)

// LanguageByPath returns a file's go-enry language from its path alone. ok
// is false when the content must decide: the file name and extension are
// unknown to go-enry (a shebang or modeline may name the language) or shared
// by several languages (.h, .ts, .md, .txt); candidates then lists the
// languages the extension allows, if any.
func LanguageByPath(path string) (lang string, candidates []string, ok bool) {
	candidates = enry.GetLanguagesByFilename(path, nil, nil)
	if len(candidates) == 0 {
		candidates = enry.GetLanguagesByExtension(path, nil, nil)
	}
	if len(candidates) == 1 {
		return candidates[0], candidates, true
	}
	return "", candidates, false
}

// Language returns a file's go-enry language, or "" if unknown. A file name
// or extension that names one language decides; otherwise the content does,
// restricted to the extension's candidates when there are some (so a .h file
// is C, C++ or Objective-C). Binary content has no language.
func Language(path string, content []byte) string {
	lang, candidates, ok := LanguageByPath(path)
	switch {
	case ok:
		return lang
	case enry.IsBinary(content):
		return ""
	case len(candidates) == 0:
		return enry.GetLanguage(path, content)
	}
	if byContent := enry.GetLanguagesByContent(path, content, candidates); len(byContent) == 1 {
		return byContent[0]
	} else if len(byContent) > 1 {
		candidates = byContent
	}
	// The classifier drops candidates it has no data for; fall back to
	// go-enry's first candidate rather than to no language.
	if ranked := enry.GetLanguagesByClassifier(path, content, candidates); len(ranked) > 0 {
		return ranked[0]
	}
	return candidates[0]
}

// LangOpts configures language statistics. The zero value excludes vendored
// and generated files, as Sourcegraph's language statistics do.
type LangOpts struct {
	// IncludeVendored counts files go-enry considers vendored
	// (vendor/, node_modules/, third_party/, minified files…).
	IncludeVendored bool
	// IncludeGenerated counts files go-enry considers generated.
	IncludeGenerated bool
}

// ExcludesPath reports whether a file is excluded from language statistics
// by its path alone, so that callers need not read it.
func (o LangOpts) ExcludesPath(path string) bool {
	return !o.IncludeVendored && vendorPaths.get(path)
}

// LangStat is one file's contribution to language usage.
type LangStat struct {
	// Lang is the go-enry language name.
	Lang string
	// Lines counts newline-terminated lines plus a final unterminated one.
	Lines int
	// Bytes is the content length.
	Bytes int
}

// FileLangStat returns a file's language usage. ok is false when the file
// does not count: excluded by opts, binary, or of no known language.
func FileLangStat(path string, content []byte, opts LangOpts) (stat LangStat, ok bool) {
	if opts.ExcludesPath(path) || enry.IsBinary(content) {
		return LangStat{}, false
	}
	lang := Language(path, content)
	if lang == "" || !opts.IncludeGenerated && isGenerated(path, content) {
		return LangStat{}, false
	}
	return LangStat{Lang: lang, Lines: countLines(content), Bytes: len(content)}, true
}

// countLines counts newline-terminated lines plus a final unterminated one.
func countLines(b []byte) int {
	n := bytes.Count(b, []byte{'\n'})
	if len(b) > 0 && b[len(b)-1] != '\n' {
		n++
	}
	return n
}
