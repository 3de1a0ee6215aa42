package lsif

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// setData is a resultSet's data after following its next chain, computed
// once per document that uses it.
type setData struct {
	def, ref, hover uint32
	mons            []Moniker
	keys            []uint32 // the interned key of each of mons
}

// docScratch holds what resolving one document's ranges allocates, reused
// from document to document (the Sink may not keep it).
type docScratch struct {
	memo    map[uint32]int32 // resultSet -> index in sets
	sets    []setData
	mons    []Moniker
	keys    []uint32
	idx     []uint32
	members []uint32
	ranges  []DocumentRange
}

func (s *docScratch) reset() {
	clear(s.memo)
	s.sets, s.mons, s.keys, s.ranges = s.sets[:0], s.mons[:0], s.keys[:0], s.ranges[:0]
}

// documents delivers each kept document, in path order, with its ranges
// resolved through their next chains.
func (g *grouper) documents(ctx context.Context) error {
	c := g.c
	start, byDoc := g.rangesByDocument()
	order := make([]uint32, 0, len(c.docs))
	for d := range c.docs {
		if c.docs[d].keep {
			order = append(order, uint32(d+1))
		}
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(c.docs[a-1].path, c.docs[b-1].path) })

	g.paired = make([]bool, c.sets.len()+1)
	s := &g.scratch
	s.memo = make(map[uint32]int32)
	for _, d := range order {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.reset()
		for _, ri := range byDoc[start[d]:start[d+1]] {
			if dr, ok := g.resolveRange(ri); ok {
				s.ranges = append(s.ranges, dr)
			}
		}
		s.ranges = sortRanges(s.ranges)
		doc := Document{Path: c.docs[d-1].path, Ranges: s.ranges, Diagnostics: g.diagnostics(d)}
		c.stats.OutDocuments++
		c.stats.OutRanges += len(s.ranges)
		if err := c.sink.Document(doc); err != nil {
			return fmt.Errorf("document %s: %w", doc.Path, err)
		}
	}
	g.scratch = docScratch{}
	return nil
}

// rangesByDocument indexes the ranges of kept documents by document: the
// ranges of document d are byDoc[start[d]:start[d+1]], in input order.
func (g *grouper) rangesByDocument() (start, byDoc []uint32) {
	c := g.c
	start = make([]uint32, len(c.docs)+2)
	n := uint32(c.ranges.len())
	for r := uint32(1); r <= n; r++ {
		if d := c.ranges.at(r).doc; d != 0 && c.docs[d-1].keep {
			start[d+1]++
		}
	}
	for i := 1; i < len(start); i++ {
		start[i] += start[i-1]
	}
	byDoc = make([]uint32, start[len(start)-1])
	fill := slices.Clone(start)
	for r := uint32(1); r <= n; r++ {
		if d := c.ranges.at(r).doc; d != 0 && c.docs[d-1].keep {
			byDoc[fill[d]] = r
			fill[d]++
		}
	}
	return start, byDoc
}

// resolveRange gives a range the data of its next chain. It returns ok
// false for a range that carries none.
func (g *grouper) resolveRange(ri uint32) (DocumentRange, bool) {
	c := g.c
	rr := c.ranges.at(ri)
	data := setData{def: rr.def, ref: rr.ref, hover: rr.hover}
	if rr.next != 0 {
		set := g.resolveSet(rr.next)
		data.def = cmp.Or(data.def, set.def)
		data.ref = cmp.Or(data.ref, set.ref)
		data.hover = cmp.Or(data.hover, set.hover)
		data.mons, data.keys = set.mons, set.keys
	}
	data.def, data.ref = g.canonicalResult(data.def), g.canonicalResult(data.ref)
	switch {
	case rr.moniker != 0:
		// Own monikers: rare, so not memoized.
		idx := g.nodeMonikers(g.scratch.idx[:0], &rr.node, uint64(ri))
		idx = g.chainMonikers(rr.next, idx)
		data.mons, data.keys = g.expandMonikers(idx)
		g.scratch.idx = idx
		g.addPairs(&data)
	case rr.def != 0 || rr.ref != 0:
		g.addPairs(&data) // the set's monikers, this range's own results
	case rr.next != 0 && !g.paired[rr.next]:
		// A set leads to the same results from every range and document.
		g.paired[rr.next] = true
		g.addPairs(&data)
	}
	if data.def == 0 && data.ref == 0 && data.hover == 0 && len(data.mons) == 0 {
		return DocumentRange{}, false
	}
	return DocumentRange{
		Range:              rr.Range,
		DefinitionResultID: int32(data.def),
		ReferenceResultID:  int32(data.ref),
		HoverID:            int32(data.hover),
		Monikers:           data.mons,
	}, true
}

// canonicalResult maps a result to 0 when pruning left it (and what it
// links to) empty.
func (g *grouper) canonicalResult(r uint32) uint32 {
	if r == 0 || g.empty[r] {
		return 0
	}
	return r
}

// resolveSet follows a resultSet's next chain. The result is valid until
// the next document.
func (g *grouper) resolveSet(set uint32) *setData {
	s := &g.scratch
	if i, ok := s.memo[set]; ok {
		return &s.sets[i]
	}
	c := g.c
	var d setData
	idx := s.idx[:0]
	cur := set
	for hops := 0; cur != 0 && hops < maxChain; hops++ {
		n := c.sets.at(cur)
		d.def = cmp.Or(d.def, n.def)
		d.ref = cmp.Or(d.ref, n.ref)
		d.hover = cmp.Or(d.hover, n.hover)
		idx = g.nodeMonikers(idx, n, uint64(cur)|1<<32)
		cur = n.next
	}
	s.idx = idx
	d.mons, d.keys = g.expandMonikers(idx)
	s.memo[set] = int32(len(s.sets))
	s.sets = append(s.sets, d)
	return &s.sets[len(s.sets)-1]
}

// chainMonikers adds the monikers of a resultSet chain to idx.
func (g *grouper) chainMonikers(s uint32, idx []uint32) []uint32 {
	for hops := 0; s != 0 && hops < maxChain; hops++ {
		n := g.c.sets.at(s)
		idx = g.nodeMonikers(idx, n, uint64(s)|1<<32)
		s = n.next
	}
	return idx
}

func (g *grouper) nodeMonikers(idx []uint32, n *node, key uint64) []uint32 {
	if n.moniker == 0 {
		return idx
	}
	idx = append(idx, n.moniker)
	return append(idx, g.c.extraMonikers[key]...)
}

// expandMonikers returns the non-local monikers linked to any of idx,
// sorted, with their interned keys, in the document's scratch space.
func (g *grouper) expandMonikers(idx []uint32) ([]Moniker, []uint32) {
	if len(idx) == 0 {
		return nil, nil
	}
	c, s := g.c, &g.scratch
	members := s.members[:0]
	for i, m := range idx {
		root := c.findMoniker(m)
		if slices.ContainsFunc(idx[:i], func(o uint32) bool { return c.findMoniker(o) == root }) {
			continue
		}
		for x := root; x != 0; x = c.monikers.at(x).sibling {
			if c.monikers.at(x).kind != mLocal {
				members = append(members, x)
			}
		}
	}
	s.members = members
	if len(members) == 0 {
		return nil, nil
	}
	if len(members) > 1 {
		slices.SortFunc(members, func(a, b uint32) int { return compareMonikers(g.moniker(a), g.moniker(b)) })
		members = slices.CompactFunc(members, func(a, b uint32) bool { return g.moniker(a) == g.moniker(b) })
	}
	start := len(s.mons)
	for _, x := range members {
		s.mons = append(s.mons, g.moniker(x))
		s.keys = append(s.keys, c.monikers.at(x).key)
	}
	end := len(s.mons)
	return s.mons[start:end:end], s.keys[start:end:end]
}

func (g *grouper) moniker(x uint32) Moniker {
	c := g.c
	rec := c.monikers.at(x)
	k := c.keys.key(rec.key)
	m := Moniker{Kind: Import, Scheme: k.scheme, Identifier: k.identifier}
	if rec.kind == mExport {
		m.Kind = Export
	}
	if rec.pkg != 0 {
		m.Package = c.pkgs[rec.pkg-1]
	}
	return m
}

func compareMonikers(a, b Moniker) int {
	return cmp.Or(
		cmp.Compare(a.Scheme, b.Scheme),
		cmp.Compare(a.Identifier, b.Identifier),
		cmp.Compare(a.Kind, b.Kind),
		cmp.Compare(a.Package.Manager, b.Package.Manager),
		cmp.Compare(a.Package.Name, b.Package.Name),
		cmp.Compare(a.Package.Version, b.Package.Version),
	)
}

// addPairs records that each of data's moniker keys leads to its results.
func (g *grouper) addPairs(data *setData) {
	for _, k := range data.keys {
		if data.def != 0 {
			g.pairs = append(g.pairs, monikerPair{key: k, kind: Definitions, result: data.def})
		}
		if data.ref != 0 {
			g.pairs = append(g.pairs, monikerPair{key: k, kind: References, result: data.ref})
		}
	}
}

// sortRanges sorts a document's ranges by position and drops exact
// duplicates (a document indexed twice).
func sortRanges(ranges []DocumentRange) []DocumentRange {
	slices.SortFunc(ranges, func(a, b DocumentRange) int {
		switch {
		case a.Range.less(b.Range):
			return -1
		case b.Range.less(a.Range):
			return 1
		}
		return cmp.Or(
			cmp.Compare(a.DefinitionResultID, b.DefinitionResultID),
			cmp.Compare(a.ReferenceResultID, b.ReferenceResultID),
			cmp.Compare(a.HoverID, b.HoverID),
		)
	})
	return slices.CompactFunc(ranges, func(a, b DocumentRange) bool {
		return a.Range == b.Range && a.DefinitionResultID == b.DefinitionResultID &&
			a.ReferenceResultID == b.ReferenceResultID && a.HoverID == b.HoverID &&
			slices.Equal(a.Monikers, b.Monikers)
	})
}

func (g *grouper) diagnostics(d uint32) []Diagnostic {
	var out []Diagnostic
	for _, x := range g.c.docs[d-1].diags {
		out = append(out, g.c.diags[x-1]...)
	}
	return out
}
