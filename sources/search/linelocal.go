package search

import "regexp/syntax"

// lineLocal returns a copy of re whose matches in a whole buffer are exactly
// the matches re has on each line taken alone: nothing may match '\n' (any
// char, classes and literals lose it) and the text boundaries \A, \z, and ^
// and $ outside (?m), become line boundaries. Word boundaries need no change:
// '\n' is not a word character, like the edge of a line.
//
// Running it over a whole buffer finds the next line with a match in one
// regexp call instead of one call per line.
func lineLocal(re *syntax.Regexp) *syntax.Regexp {
	c := *re
	c.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, sub := range re.Sub {
		c.Sub[i] = lineLocal(sub)
	}
	switch c.Op {
	case syntax.OpAnyChar:
		c.Op = syntax.OpAnyCharNotNL
	case syntax.OpBeginText:
		c.Op = syntax.OpBeginLine
	case syntax.OpEndText:
		c.Op = syntax.OpEndLine
	case syntax.OpLiteral:
		for _, r := range c.Rune {
			if r == '\n' {
				return &syntax.Regexp{Op: syntax.OpNoMatch}
			}
		}
	case syntax.OpCharClass:
		c.Rune = withoutNewline(c.Rune)
		if len(c.Rune) == 0 {
			return &syntax.Regexp{Op: syntax.OpNoMatch}
		}
	}
	return &c
}

// withoutNewline removes '\n' from a character class's sorted range pairs.
func withoutNewline(ranges []rune) []rune {
	out := make([]rune, 0, len(ranges)+2)
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], ranges[i+1]
		if lo > '\n' || hi < '\n' {
			out = append(out, lo, hi)
			continue
		}
		if lo < '\n' {
			out = append(out, lo, '\n'-1)
		}
		if hi > '\n' {
			out = append(out, '\n'+1, hi)
		}
	}
	return out
}

// notBOL returns a copy of re in which ^ (and \A) never match, as under
// REG_NOTBOL: git searches the rest of a line after a match with it.
func notBOL(re *syntax.Regexp) *syntax.Regexp {
	if re.Op == syntax.OpBeginLine || re.Op == syntax.OpBeginText {
		return &syntax.Regexp{Op: syntax.OpNoMatch}
	}
	c := *re
	c.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, sub := range re.Sub {
		c.Sub[i] = notBOL(sub)
	}
	return &c
}
