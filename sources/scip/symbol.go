package scip

import (
	"strings"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// symbolParts is the head of a global symbol: "<scheme> <manager> <name>
// <version> <descriptors>", where a space inside a part is written as two
// and "." stands for an empty part.
type symbolParts struct {
	scheme      string
	pkg         lsif.PackageInfo
	descriptors string
}

// parseSymbol splits a global symbol; ok is false for a local symbol or
// one without its scheme and package.
func parseSymbol(s string) (symbolParts, bool) {
	var parts [4]string
	rest := s
	for i := range parts {
		part, after, ok := cutSpace(rest)
		if !ok {
			return symbolParts{}, false
		}
		parts[i], rest = part, after
	}
	if parts[0] == "" || parts[0] == "local" {
		return symbolParts{}, false
	}
	return symbolParts{
		scheme:      parts[0],
		pkg:         lsif.PackageInfo{Manager: dot(parts[1]), Name: dot(parts[2]), Version: dot(parts[3])},
		descriptors: rest,
	}, true
}

// cutSpace returns the part of s before its first single space (a double
// space is an escaped space, kept as one), and what follows that space.
func cutSpace(s string) (part, rest string, ok bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != ' ' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == ' ' {
			b.WriteByte(' ')
			i++
			continue
		}
		return b.String(), s[i+1:], true
	}
	return "", "", false
}

func dot(s string) string {
	if s == "." {
		return ""
	}
	return s
}

// moniker returns the moniker of a global symbol: export when the index
// defines or declares it, import otherwise. The package is set only when
// its manager, name and version all are, as in the reference converter.
func moniker(s *symRec, name string) (lsif.Moniker, bool) {
	if s.flags&symLocal != 0 {
		return lsif.Moniker{}, false
	}
	p, ok := parseSymbol(name)
	if !ok {
		return lsif.Moniker{}, false
	}
	m := lsif.Moniker{Kind: lsif.Import, Scheme: p.scheme, Identifier: name}
	if s.flags&(symDefined|symDeclared) != 0 {
		m.Kind = lsif.Export
	}
	if p.pkg.Manager != "" && p.pkg.Name != "" && p.pkg.Version != "" {
		m.Package = p.pkg
	}
	return m, true
}
