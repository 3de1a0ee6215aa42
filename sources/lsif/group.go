package lsif

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// maxChain bounds how many next edges a range's data is looked up through;
// real chains have one to three links, and a cycle must not hang.
const maxChain = 64

// finish prunes and groups the correlated graph and delivers it.
func (c *converter) finish(ctx context.Context) error {
	if err := c.resolvePaths(); err != nil {
		return err
	}
	c.linkSets()
	g := &grouper{c: c, empty: make([]bool, c.results.len()+1), visited: make([]uint32, c.results.len()+1)}
	steps := []func(context.Context) error{g.results, g.documents, g.monikerResults, g.packages, g.docEntries}
	for _, step := range steps {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return nil
}

// resolvePaths gives each document its repository-relative path and
// decides whether it is kept.
func (c *converter) resolvePaths() error {
	paths, err := newProjectPaths(c.opts.ProjectRoot, c.metaRoot, c.groupRoot, c.opts.Root)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	c.stats.ProjectRoot = paths.root.String()
	for i := range c.docs {
		d := &c.docs[i]
		p, ok := paths.path(d.uri)
		if !ok {
			c.stats.OutsideRoot++
			continue
		}
		d.path = validString([]byte(p))
		if c.opts.Exists != nil && !c.opts.Exists(d.path) {
			c.stats.Pruned++
			continue
		}
		d.keep = true
	}
	return nil
}

// linkSets chains the members of each moniker set from their root, so
// that grouping can walk them.
func (c *converter) linkSets() {
	for m := uint32(1); m <= uint32(c.monikers.len()); m++ {
		if root := c.findMoniker(m); root != m {
			rm := c.monikers.at(root)
			c.monikers.at(m).sibling, rm.sibling = rm.sibling, m
		}
	}
}

// grouper delivers the rows, one document or result at a time.
type grouper struct {
	c       *converter
	empty   []bool // results left without locations: no range names them
	locs    []Location
	visited []uint32 // per result, the walk of locations that last reached it
	walk    uint32
	stack   []uint32
	pairs   []monikerPair
	paired  []bool // resultSets whose pairs are in pairs
	scratch docScratch
}

// monikerPair says that a moniker key leads to a result.
type monikerPair struct {
	key    uint32
	kind   ResultKind
	result uint32
}

// locations returns the kept locations of result r and of every reference
// result r links to, directly or through other links (not of the results
// that link to r), sorted and without duplicates.
func (g *grouper) locations(r uint32) []Location {
	c := g.c
	g.locs = g.locs[:0]
	g.walk++
	g.visited[r] = g.walk
	g.stack = append(g.stack[:0], r)
	for len(g.stack) > 0 {
		m := g.stack[len(g.stack)-1]
		g.stack = g.stack[:len(g.stack)-1]
		for l := c.results.at(m).links; l != 0; l = c.links.at(l).next {
			if to := c.links.at(l).to; g.visited[to] != g.walk {
				g.visited[to] = g.walk
				g.stack = append(g.stack, to)
			}
		}
		for it := c.results.at(m).head; it != 0; {
			rec := c.items.at(it)
			rng := c.ranges.at(rec.rng)
			if rng.doc != 0 && c.docs[rng.doc-1].keep {
				g.locs = append(g.locs, Location{Path: c.docs[rng.doc-1].path, Range: rng.Range})
			}
			it = rec.next
		}
	}
	slices.SortFunc(g.locs, compareLocations)
	g.locs = slices.Compact(g.locs)
	return g.locs
}

func compareLocations(a, b Location) int {
	if c := cmp.Compare(a.Path, b.Path); c != 0 {
		return c
	}
	switch {
	case a.Range.less(b.Range):
		return -1
	case b.Range.less(a.Range):
		return 1
	}
	return 0
}

// results delivers every definition and reference result (a reference
// result with the locations of the results it links to), and notes the
// empty ones.
func (g *grouper) results(ctx context.Context) error {
	c := g.c
	for r := uint32(1); r <= uint32(c.results.len()); r++ {
		rec := c.results.at(r)
		if r&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		locs := g.locations(r)
		if len(locs) == 0 {
			g.empty[r] = true
			continue
		}
		c.stats.OutResults++
		c.stats.OutLocations += len(locs)
		if err := c.sink.Result(Result{ID: int32(r), Kind: rec.kind, Locations: locs}); err != nil {
			return fmt.Errorf("result %d: %w", r, err)
		}
	}
	return nil
}
