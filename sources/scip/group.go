package scip

import (
	"cmp"
	"context"
	"path"
	"slices"
	"strings"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// grouper rotates the occurrences into the Sink's rows.
type grouper struct {
	c *converter
	// docs are the kept canonical documents in path order; order holds
	// their occurrences, each document's sorted by range, the occurrences
	// of docs[i] being order[docOff[i]:docOff[i+1]].
	docs   []uint32
	order  []uint32
	docOff []uint32
	// bySym indexes the kept occurrences by symbol, in the order of order
	// (by path and range): the occurrences of symbol s are bySym.of(s).
	bySym csr
	// dups lists, for a canonical document, the later Document messages
	// with the same path.
	dups map[uint32][]uint32
	// docOf maps an occurrence to its document, by the documents' first
	// occurrences (sorted, since occurrences are kept in document order).
	firsts []uint32
	// refNeighbors: the symbols related to s by is_reference, either way;
	// defTargets: the symbols s is a definition of.
	refNeighbors, defTargets csr
	// heads are the distinct (scheme, package) of the global symbols, and
	// head[s] symbol s's index in heads plus one (0: no moniker): a
	// symbol's moniker is made when a row needs it, from these and its
	// name, so that grouping holds 4 bytes per symbol for monikers.
	heads []monikerHead
	head  []uint32
	// docMonikers holds the current document's ranges' monikers.
	docMonikers []lsif.Moniker
	locs        []lsif.Location
	results     int32
}

// csr is a compressed sparse row index: the items of key k are
// idx[off[k]:off[k+1]].
type csr struct {
	off []uint32
	idx []uint32
}

func (x *csr) of(k uint32) []uint32 { return x.idx[x.off[k]:x.off[k+1]] }

// newCSR indexes n items by key (keys below keys), in item order.
func newCSR(keys, n int, key func(i int) (uint32, bool), val func(i int) uint32) csr {
	x := csr{off: make([]uint32, keys+1)}
	for i := range n {
		if k, ok := key(i); ok {
			x.off[k+1]++
		}
	}
	for k := 1; k <= keys; k++ {
		x.off[k] += x.off[k-1]
	}
	x.idx = make([]uint32, x.off[keys])
	fill := slices.Clone(x.off[:keys])
	for i := range n {
		if k, ok := key(i); ok {
			x.idx[fill[k]] = val(i)
			fill[k]++
		}
	}
	return x
}

// finish resolves the documents' paths and delivers every row.
func (c *converter) finish(ctx context.Context) error {
	c.resolvePaths()
	g := &grouper{c: c}
	g.index()
	steps := []func(context.Context) error{g.deliverResults, g.deliverDocuments, g.deliverMonikerResults, g.deliverPackages, g.deliverDocEntries}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// resolvePaths gives each document its repository-relative path, merges
// documents with the same path into the first, and decides which are kept.
func (c *converter) resolvePaths() {
	byPath := make(map[string]uint32, len(c.docs))
	for i := 1; i < len(c.docs); i++ {
		d := &c.docs[i]
		rel := d.rel
		clean := path.Clean(rel)
		if rel == "" || strings.HasPrefix(rel, "/") || strings.Contains(rel, `\`) || clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
			c.stats.OutsideRoot++
			c.stats.Documents++
			continue
		}
		d.path = path.Join(c.opts.Root, clean)
		if first, ok := byPath[d.path]; ok {
			d.canon, d.keep = first, c.docs[first].keep
			c.stats.DuplicateDocuments++
			continue
		}
		c.stats.Documents++
		byPath[d.path] = uint32(i)
		d.canon = uint32(i)
		if c.opts.Exists != nil && !c.opts.Exists(d.path) {
			c.stats.Pruned++
			continue
		}
		d.keep = true
	}
}

// index builds the occurrence and relationship indexes and the monikers.
func (g *grouper) index() {
	c := g.c
	c.names.done() // the names stay; the lookup is not needed any more
	c.nameSym = nil
	g.dups = make(map[uint32][]uint32)
	g.firsts = make([]uint32, len(c.docs))
	for i := 1; i < len(c.docs); i++ {
		d := c.docs[i]
		g.firsts[i] = d.first
		if d.canon != 0 && d.canon != uint32(i) {
			g.dups[d.canon] = append(g.dups[d.canon], uint32(i))
		}
	}
	g.sortOccurrences()
	g.bySym = newCSR(len(c.syms), len(g.order), func(i int) (uint32, bool) { return c.occs.at(int(g.order[i])).sym, true },
		func(i int) uint32 { return g.order[i] })
	n := len(c.rels)
	g.refNeighbors = newCSR(len(c.syms), 2*n, func(i int) (uint32, bool) {
		r := c.rels[i/2]
		if i%2 == 0 {
			return r.from, r.kind&relReference != 0 && r.from != r.to
		}
		return r.to, r.kind&relReference != 0 && r.from != r.to
	}, func(i int) uint32 {
		if r := c.rels[i/2]; i%2 == 0 {
			return r.to
		} else {
			return r.from
		}
	})
	g.defTargets = newCSR(len(c.syms), n, func(i int) (uint32, bool) {
		r := c.rels[i]
		return r.from, r.kind&relDefinition != 0 && c.syms[r.from].flags&symLocal == 0 && c.syms[r.to].flags&symLocal == 0
	}, func(i int) uint32 { return c.rels[i].to })
	g.indexMonikers()
}

// sortOccurrences orders the kept documents by path and each one's
// occurrences by range.
func (g *grouper) sortOccurrences() {
	c := g.c
	for i := 1; i < len(c.docs); i++ {
		if d := c.docs[i]; d.keep && d.canon == uint32(i) {
			g.docs = append(g.docs, uint32(i))
		}
	}
	slices.SortFunc(g.docs, func(a, b uint32) int { return strings.Compare(c.docs[a].path, c.docs[b].path) })
	g.docOff = make([]uint32, 1, len(g.docs)+1)
	for _, d := range g.docs {
		start := len(g.order)
		for _, part := range g.parts(d) {
			for i := c.docs[part].first; i < c.docs[part].end; i++ {
				g.order = append(g.order, i)
			}
		}
		doc := g.order[start:]
		if !slices.IsSortedFunc(doc, g.compareOccs) {
			slices.SortStableFunc(doc, g.compareOccs)
		}
		g.docOff = append(g.docOff, uint32(len(g.order)))
	}
}

func (g *grouper) compareOccs(a, b uint32) int {
	oa, ob := g.c.occs.at(int(a)), g.c.occs.at(int(b))
	return compareRanges(oa.rng(), ob.rng())
}

// definitions collects symbol s's definition locations into g.locs.
func (g *grouper) definitions(s uint32) []lsif.Location {
	return g.collect(s, g.defTargets.of(s), true)
}

// references collects symbol s's reference locations into g.locs.
func (g *grouper) references(s uint32) []lsif.Location {
	return g.collect(s, g.refNeighbors.of(s), false)
}

// collect gathers the occurrences of symbol s and of the symbols in also
// (only definitions when defsOnly) into g.locs, sorted.
func (g *grouper) collect(s uint32, also []uint32, defsOnly bool) []lsif.Location {
	g.locs = g.locs[:0]
	g.appendOccs(s, defsOnly)
	for _, t := range also {
		g.appendOccs(t, defsOnly)
	}
	return g.sorted(len(also) > 0)
}

func (g *grouper) appendOccs(s uint32, defsOnly bool) {
	for _, i := range g.bySym.of(s) {
		o := g.c.occs.at(int(i))
		if defsOnly && !o.def {
			continue
		}
		g.locs = append(g.locs, lsif.Location{Path: g.c.docs[g.docOf(i)].path, Range: o.rng()})
	}
}

// docOf returns the document of occurrence i: the last document whose
// first occurrence is at or before i and that has any.
func (g *grouper) docOf(i uint32) uint32 {
	d, _ := slices.BinarySearch(g.firsts, i+1)
	for d--; d > 0 && g.c.docs[d].end <= i; d-- {
	}
	return uint32(d)
}

// sorted sorts g.locs by path and range, when they come from several
// symbols (one symbol's are in order already), and drops duplicates.
func (g *grouper) sorted(merge bool) []lsif.Location {
	if merge {
		slices.SortFunc(g.locs, compareLocations)
	}
	g.locs = slices.CompactFunc(g.locs, func(a, b lsif.Location) bool { return a == b })
	return g.locs
}

func compareLocations(a, b lsif.Location) int {
	return cmp.Or(strings.Compare(a.Path, b.Path), compareRanges(a.Range, b.Range))
}

func compareRanges(a, b lsif.Range) int {
	return cmp.Or(cmp.Compare(a.StartLine, b.StartLine), cmp.Compare(a.StartCharacter, b.StartCharacter),
		cmp.Compare(a.EndLine, b.EndLine), cmp.Compare(a.EndCharacter, b.EndCharacter))
}

// deliverResults delivers each symbol's non-empty definition and reference
// results, and numbers them.
func (g *grouper) deliverResults(ctx context.Context) error {
	c := g.c
	for s := uint32(1); s < uint32(len(c.syms)); s++ {
		if s&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var err error
		if locs := g.definitions(s); len(locs) > 0 {
			c.stats.DefinitionResults++
			if c.syms[s].defID, err = g.deliverResult(lsif.Definitions, locs); err != nil {
				return err
			}
		}
		if locs := g.references(s); len(locs) > 0 {
			c.stats.ReferenceResults++
			if c.syms[s].refID, err = g.deliverResult(lsif.References, locs); err != nil {
				return err
			}
		}
	}
	return nil
}

// deliverResult numbers the next result and delivers it; it returns the
// number.
func (g *grouper) deliverResult(kind lsif.ResultKind, locs []lsif.Location) (int32, error) {
	g.results++
	g.c.stats.OutResults++
	g.c.stats.OutLocations += len(locs)
	return g.results, g.c.sink.Result(lsif.Result{ID: g.results, Kind: kind, Locations: locs})
}
