package scip

import (
	"context"
	"slices"
	"strings"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// deliverDocuments delivers the kept documents in path order, each with its
// ranges sorted by position and its diagnostics.
func (g *grouper) deliverDocuments(ctx context.Context) error {
	c := g.c
	var ranges []lsif.DocumentRange
	for k, d := range g.docs {
		if err := ctx.Err(); err != nil {
			return err
		}
		ranges = ranges[:0]
		g.docMonikers = g.docMonikers[:0]
		for _, i := range g.order[g.docOff[k]:g.docOff[k+1]] {
			ranges = append(ranges, g.documentRange(i))
		}
		doc := lsif.Document{Path: c.docs[d].path, Ranges: ranges, Diagnostics: g.diagnostics(d)}
		c.stats.OutDocuments++
		c.stats.OutRanges += len(ranges)
		if err := c.sink.Document(doc); err != nil {
			return err
		}
	}
	return nil
}

func (g *grouper) documentRange(i uint32) lsif.DocumentRange {
	o := g.c.occs.at(int(i))
	s := &g.c.syms[o.sym]
	r := lsif.DocumentRange{Range: o.rng(), DefinitionResultID: s.defID, ReferenceResultID: s.refID,
		HoverID: s.hover, Monikers: g.rangeMonikers(o.sym)}
	if h, ok := g.c.hovers[i]; ok {
		r.HoverID = h
	}
	return r
}

// parts returns the Document messages that make up canonical document d:
// d itself, and any later one with the same path.
func (g *grouper) parts(d uint32) []uint32 {
	if dups := g.dups[d]; len(dups) > 0 {
		return append([]uint32{d}, dups...)
	}
	return []uint32{d}
}

// diagnostics returns the diagnostics of canonical document d and of the
// documents merged into it, sorted by position.
func (g *grouper) diagnostics(d uint32) []lsif.Diagnostic {
	c := g.c
	var out []lsif.Diagnostic
	for _, part := range g.parts(d) {
		out = append(out, c.diags[part]...)
	}
	slices.SortStableFunc(out, func(a, b lsif.Diagnostic) int { return compareRanges(a.Range, b.Range) })
	return out
}

// deliverMonikerResults delivers, for each global symbol, the ids of its
// definition and reference results under its moniker: its moniker's
// locations are exactly those results' locations.
func (g *grouper) deliverMonikerResults(ctx context.Context) error {
	c := g.c
	var ids [1]int32
	for s := uint32(1); s < uint32(len(c.syms)); s++ {
		m, ok := g.moniker(s)
		if !ok {
			continue
		}
		if s&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		for _, kind := range []lsif.ResultKind{lsif.Definitions, lsif.References} {
			ids[0] = c.syms[s].defID
			if kind == lsif.References {
				ids[0] = c.syms[s].refID
			}
			if ids[0] == 0 {
				continue
			}
			c.stats.OutMonikerResults++
			if err := c.sink.MonikerResults(lsif.MonikerResults{Kind: kind, Scheme: m.Scheme, Identifier: m.Identifier, ResultIDs: ids[:]}); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliverPackages delivers the packages of export monikers, then those of
// import monikers that the index does not also export, with their
// identifiers.
func (g *grouper) deliverPackages(context.Context) error {
	c := g.c
	exported := make(map[lsif.Package]bool)
	imported := make(map[lsif.Package][]string)
	for s := 1; s < len(c.syms); s++ {
		m, ok := g.moniker(uint32(s))
		if !ok || m.Package == (lsif.PackageInfo{}) {
			continue
		}
		p := lsif.Package{Scheme: m.Scheme, PackageInfo: m.Package}
		if m.Kind == lsif.Export {
			exported[p] = true
		} else {
			imported[p] = append(imported[p], m.Identifier)
		}
	}
	for _, p := range sortedPackages(exported) {
		c.stats.OutPackages++
		if err := c.sink.Package(p); err != nil {
			return err
		}
	}
	for _, p := range sortedPackages(imported) {
		if exported[p] {
			continue
		}
		ids := imported[p]
		slices.Sort(ids)
		c.stats.OutPackageRefs++
		if err := c.sink.PackageRef(lsif.PackageRef{Package: p, Identifiers: slices.Compact(ids)}); err != nil {
			return err
		}
	}
	return nil
}

func sortedPackages[V any](m map[lsif.Package]V) []lsif.Package {
	out := make([]lsif.Package, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b lsif.Package) int {
		return strings.Compare(a.Scheme+"\x00"+a.Manager+"\x00"+a.Name+"\x00"+a.Version, b.Scheme+"\x00"+b.Manager+"\x00"+b.Name+"\x00"+b.Version)
	})
	return out
}
