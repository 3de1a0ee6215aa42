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

// monikerHead is what global symbols share in their monikers: the scheme
// and the package. The package is set only when its manager, name and
// version all are, as in the reference converter.
type monikerHead struct {
	scheme string
	pkg    lsif.PackageInfo
}

// indexMonikers parses each global symbol's head once.
func (g *grouper) indexMonikers() {
	c := g.c
	g.head = make([]uint32, len(c.syms))
	byHead := make(map[monikerHead]uint32)
	for s := 1; s < len(c.syms); s++ {
		if c.syms[s].flags&symLocal != 0 {
			continue
		}
		p, ok := parseSymbol(c.names.name(c.syms[s].name))
		if !ok {
			continue
		}
		h := monikerHead{scheme: p.scheme}
		if p.pkg.Manager != "" && p.pkg.Name != "" && p.pkg.Version != "" {
			h.pkg = p.pkg
		}
		id, ok := byHead[h]
		if !ok {
			g.heads = append(g.heads, h)
			id = uint32(len(g.heads))
			byHead[h] = id
		}
		g.head[s] = id
		c.stats.Monikers++
	}
}

// moniker returns the moniker of symbol s, if it is a global one: export
// when the index defines or declares it, import otherwise; the identifier
// is the whole symbol.
func (g *grouper) moniker(s uint32) (lsif.Moniker, bool) {
	h := g.head[s]
	if h == 0 {
		return lsif.Moniker{}, false
	}
	sym := &g.c.syms[s]
	m := lsif.Moniker{Kind: lsif.Import, Scheme: g.heads[h-1].scheme, Identifier: g.c.names.name(sym.name), Package: g.heads[h-1].pkg}
	if sym.flags&(symDefined|symDeclared) != 0 {
		m.Kind = lsif.Export
	}
	return m, true
}

// rangeMonikers returns the monikers of a range of symbol s, in
// g.docMonikers: valid until the next document's ranges are made, as the
// Sink contract allows. Once the buffer has grown to a document's ranges,
// a range costs no allocation.
func (g *grouper) rangeMonikers(s uint32) []lsif.Moniker {
	m, ok := g.moniker(s)
	if !ok {
		return nil
	}
	g.docMonikers = append(g.docMonikers, m)
	n := len(g.docMonikers)
	return g.docMonikers[n-1 : n : n]
}
