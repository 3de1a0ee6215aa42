package query

import (
	"regexp"
	"strings"
)

// setPattern joins the pattern terms and decides whether they form a
// regexp.
func (p *parser) setPattern(pats []token) error {
	q := p.q
	if len(pats) == 0 {
		return nil
	}
	switch q.patternType {
	case "regexp":
		q.isRegexp = true
	case "", "standard":
		if i := slashedIndex(pats); i >= 0 {
			if len(pats) > 1 {
				return p.errorf(pats[i].off, "put the whole pattern between slashes, or use patterntype:regexp",
					"a /regexp/ cannot be combined with other pattern terms")
			}
			// A lone /…/ term is the regexp between the slashes; String
			// writes it back with patterntype:regexp.
			q.isRegexp, q.patternType = true, "regexp"
			q.pattern = pats[0].value
			return nil
		}
	}
	q.pattern = joinTerms(pats)
	return nil
}

func slashedIndex(pats []token) int {
	for i, t := range pats {
		if t.kind == tokSlashed {
			return i
		}
	}
	return -1
}

// joinTerms joins pattern terms with single spaces, as Sourcegraph does for
// literal patterns: quoted terms contribute their unescaped value, other
// terms their text as typed. A /…/ term that is not a regexp here is text
// like any other, so its inner spaces collapse too.
func joinTerms(pats []token) string {
	var parts []string
	for _, t := range pats {
		switch t.kind {
		case tokQuoted:
			parts = append(parts, t.value)
		case tokSlashed:
			parts = append(parts, strings.Fields(t.raw)...)
		default:
			parts = append(parts, t.raw)
		}
	}
	return strings.Join(parts, " ")
}

// compile compiles the repo: and file: regexps and checks a regexp
// pattern; package search compiles the pattern's matcher.
func (p *parser) compile(pats []token) error {
	fold := !p.q.CaseSensitive()
	for _, r := range p.regex {
		re, err := CompileRegexp(r.v, fold)
		if err != nil {
			return &ParseError{Column: column(p.s, r.off), Problem: "invalid regexp", Detail: regexpDetail(err)}
		}
		*r.dst = append(*r.dst, re)
	}
	if p.q.pattern == "" {
		return nil
	}
	p.q.patternColumn = column(p.s, pats[0].off)
	if !p.q.isRegexp {
		return nil
	}
	re, err := CompileRegexp(p.q.pattern, fold)
	if err != nil {
		return p.q.PatternError(err)
	}
	p.q.captures = re.NumSubexp()
	return nil
}

// CompileRegexp compiles a query's regexp, case-insensitively if fold. It
// compiles src alone first so that an error quotes what the user typed.
func CompileRegexp(src string, fold bool) (*regexp.Regexp, error) {
	re, err := regexp.Compile(src)
	if err != nil || !fold {
		return re, err
	}
	return regexp.Compile("(?i)" + src)
}
