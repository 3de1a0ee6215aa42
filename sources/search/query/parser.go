package query

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Parse parses a query in the supported subset of Sourcegraph's syntax.
//
// The pattern is every term that is not a filter, joined by single spaces.
// It is literal unless the query has patterntype:regexp or the pattern is
// one /…/ term; quoted terms ("…" or '…') are taken as they are, escapes
// aside. Filters: repo:, -repo:, file:, -file: (regexps, case-insensitive
// unless case:yes), lang:, -lang: (go-enry names or aliases), case:yes|no,
// patterntype:literal|regexp|standard, type:file|path, select:file,
// count:all|N, fork:, archived: and timeout: (the last four are accepted
// for compatibility and change nothing). Several file: (or lang:) filters
// must all match. AND, OR, NOT and parenthesized groups are rejected.
//
// Errors are *ParseError values naming the column and, where possible, a
// fix.
func Parse(s string) (*Query, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{s: s, q: &Query{}, seen: map[string]bool{}}
	var pats []token
	for _, t := range toks {
		if t.kind != tokFilter {
			pats = append(pats, t)
			continue
		}
		if err := p.filter(t); err != nil {
			return nil, err
		}
	}
	if err := p.setPattern(pats); err != nil {
		return nil, err
	}
	if p.q.pattern == "" && len(p.seen) == 0 {
		return nil, &ParseError{Column: 1, Problem: "empty query", Hint: "type a pattern or a filter such as file:"}
	}
	if err := p.compile(pats); err != nil {
		return nil, err
	}
	return p.q, nil
}

// parser fills a Query from tokens.
type parser struct {
	s     string
	q     *Query
	seen  map[string]bool // filters seen, to reject repeated single-valued ones
	regex []valueAt       // repo: and file: values in order, compiled at the end
}

// valueAt is a filter value with where it was typed.
type valueAt struct {
	dst *[]*regexp.Regexp
	v   string
	off int
}

func (p *parser) errorf(off int, hint, format string, args ...any) *ParseError {
	return &ParseError{Column: column(p.s, off), Problem: fmt.Sprintf(format, args...), Hint: hint}
}

// filter applies one filter token.
func (p *parser) filter(t token) error {
	if t.field == "repo" || t.field == "file" || t.field == "lang" {
		p.seen[t.field] = true
		return p.listFilter(t)
	}
	if p.seen[t.field] {
		return p.errorf(t.off, "", "filter %q appears more than once", t.typed)
	}
	p.seen[t.field] = true
	v := strings.ToLower(t.value)
	switch t.field {
	case "case":
		return p.oneOf(t, v, &p.q.caseValue, "yes", "no")
	case "patterntype":
		if v == "regex" {
			v = "regexp"
		}
		return p.oneOf(t, v, &p.q.patternType, "literal", "regexp", "standard")
	case "type":
		return p.oneOf(t, v, &p.q.typ, "file", "path")
	case "select":
		return p.oneOf(t, v, &p.q.sel, "file")
	case "fork":
		return p.oneOf(t, v, &p.q.fork, "yes", "no", "only")
	case "archived":
		return p.oneOf(t, v, &p.q.archived, "yes", "no", "only")
	case "count":
		return p.count(t, v)
	case "timeout":
		return p.timeout(t)
	}
	panic("query: filter table and parser disagree on " + t.field)
}

// oneOf stores v in dst if it is one of the allowed values.
func (p *parser) oneOf(t token, v string, dst *string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			*dst = v
			return nil
		}
	}
	return p.errorf(t.valOff, "use "+t.typed+strings.Join(allowed, " or "+t.typed),
		"invalid value %q for %q", t.value, t.typed)
}

func (p *parser) count(t token, v string) error {
	if n, err := strconv.Atoi(v); v == "all" || err == nil && n > 0 {
		if v != "all" {
			v = strconv.Itoa(n)
		}
		p.q.count = v
		return nil
	}
	return p.errorf(t.valOff, "use count:all or a positive number", "invalid value %q for %q", t.value, t.typed)
}

func (p *parser) timeout(t token) error {
	d, err := time.ParseDuration(t.value)
	if err != nil || d <= 0 {
		return p.errorf(t.valOff, "use a duration such as timeout:30s", "invalid value %q for %q", t.value, t.typed)
	}
	p.q.timeout = d
	return nil
}

// listFilter applies a repeatable filter: repo:, file: or lang:, negated or
// not. Regexps are compiled once case: is known.
func (p *parser) listFilter(t token) error {
	q := p.q
	switch {
	case t.field == "lang":
		lang, err := p.lang(t)
		if err != nil {
			return err
		}
		appendTo(&q.langs, &q.excludeLangs, t.negated, lang)
	case t.field == "repo":
		appendTo(&q.repos, &q.excludeRepos, t.negated, t.value)
		p.regex = append(p.regex, valueAt{pick(&q.repoREs, &q.excludeRepoREs, t.negated), t.value, t.valOff})
	default:
		appendTo(&q.files, &q.excludeFiles, t.negated, t.value)
		p.regex = append(p.regex, valueAt{pick(&q.fileREs, &q.excludeFileREs, t.negated), t.value, t.valOff})
	}
	return nil
}

func appendTo(include, exclude *[]string, negated bool, v string) {
	*pick(include, exclude, negated) = append(*pick(include, exclude, negated), v)
}

func pick[T any](include, exclude *T, negated bool) *T {
	if negated {
		return exclude
	}
	return include
}

// lang resolves a lang: value to a go-enry language name.
func (p *parser) lang(t token) (string, error) {
	if lang, ok := resolveLang(t.value); ok {
		return lang, nil
	}
	hint := ""
	if s := suggestLang(t.value); s != "" {
		hint = fmt.Sprintf("did you mean %q?", strings.TrimPrefix(t.typed, "-")+s)
	}
	return "", p.errorf(t.valOff, hint, "unknown language %q", t.value)
}
