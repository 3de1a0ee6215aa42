package lsif

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
)

// docEntries delivers the dump's API docs entries, sorted by path, range and
// search key: from the documentation extension when the dump has a valid
// one with searchable entries, otherwise from the definition tags.
func (g *grouper) docEntries(ctx context.Context) error {
	c := g.c
	if ext := c.api.ext; ext != nil {
		if ext.validate(); ext.invalid != "" {
			c.stats.DocExtensionInvalid = ext.invalid
		} else if entries := g.extEntries(); len(entries) > 0 {
			return g.deliverEntries(ctx, entries)
		}
	}
	return g.tagEntries(ctx)
}

// deliverEntries sorts entries and hands them to the Sink.
func (g *grouper) deliverEntries(ctx context.Context, entries []DocEntry) error {
	compare := func(a, b DocEntry) int {
		return cmp.Or(
			compareLocations(Location{a.Path, a.Range}, Location{b.Path, b.Range}),
			cmp.Compare(a.SearchKey, b.SearchKey),
			cmp.Compare(a.Name, b.Name),
		)
	}
	if !slices.IsSortedFunc(entries, compare) {
		slices.SortFunc(entries, compare)
	}
	// A document indexed twice (lsif-tsc may emit one) tags its
	// definitions twice.
	entries = slices.CompactFunc(entries, func(a, b DocEntry) bool { return compare(a, b) == 0 })
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, e := range entries {
		g.c.stats.OutDocEntries++
		if err := g.c.sink.DocEntry(e); err != nil {
			return fmt.Errorf("doc entry %s at %s:%d: %w", e.SearchKey, e.Path, e.Range.StartLine+1, err)
		}
	}
	return nil
}

// defKey orders definition tags by document path and range.
type defKey struct {
	rank uint32 // the document's rank in path order
	rng  Range
	def  uint32
}

// tagEntries delivers one entry per definition tag of a kept document whose
// symbol is visible outside its document (see the package comment), one
// document at a time, so that only one document's entries are held.
func (g *grouper) tagEntries(ctx context.Context) error {
	keys := g.defKeys()
	var batch []DocEntry
	var fulls []Range
	var tags []string
	for i := 0; i < len(keys); {
		if err := ctx.Err(); err != nil {
			return err
		}
		batch, fulls, tags = batch[:0], fulls[:0], tags[:0]
		keyless := false
		j := i
		for ; j < len(keys) && keys[j].rank == keys[i].rank; j++ {
			d := g.c.api.defs.at(keys[j].def)
			e, ok := g.tagEntry(d, &tags)
			if ok {
				keyless = keyless || e.SearchKey == ""
				batch, fulls = append(batch, e), append(fulls, d.full)
			}
		}
		if keyless {
			nestKeys(batch, fulls)
		}
		if err := g.deliverEntries(ctx, batch); err != nil {
			return err
		}
		i = j
	}
	g.scratch = docScratch{}
	return nil
}

// defKeys returns the definition tags of kept documents in path and range
// order.
func (g *grouper) defKeys() []defKey {
	c := g.c
	n := c.api.defs.len()
	if n == 0 {
		return nil
	}
	order := make([]uint32, 0, len(c.docs))
	for d := range c.docs {
		if c.docs[d].keep {
			order = append(order, uint32(d))
		}
	}
	slices.SortFunc(order, func(a, b uint32) int { return cmp.Compare(c.docs[a].path, c.docs[b].path) })
	rank := make([]uint32, len(c.docs)+1)
	for i, d := range order {
		rank[d+1] = uint32(i + 1)
	}
	keys := make([]defKey, 0, n)
	for i := uint32(1); i <= uint32(n); i++ {
		r := c.ranges.at(c.api.defs.at(i).rng)
		if rank[r.doc] != 0 {
			keys = append(keys, defKey{rank: rank[r.doc], rng: r.Range, def: i})
		}
	}
	compare := func(a, b defKey) int {
		if a.rank != b.rank {
			return cmp.Compare(a.rank, b.rank)
		}
		return compareLocations(Location{Range: a.rng}, Location{Range: b.rng})
	}
	if !slices.IsSortedFunc(keys, compare) {
		slices.SortStableFunc(keys, compare)
	}
	return keys
}

// tagEntry builds the entry of one definition tag, or ok false when it
// does not get one.
func (g *grouper) tagEntry(d *defTag, tags *[]string) (DocEntry, bool) {
	c := g.c
	r := c.ranges.at(d.rng)
	if r.doc == 0 || !c.docs[r.doc-1].keep {
		return DocEntry{}, false
	}
	doc := &c.docs[r.doc-1]
	g.scratch.reset()
	idx := g.nodeMonikers(g.scratch.idx[:0], &r.node, uint64(d.rng))
	idx = g.chainMonikers(r.next, idx)
	g.scratch.idx = idx
	mons, _ := g.expandMonikers(idx)
	km, exported := keyMoniker(mons)
	hover, ref := g.chainHoverRef(&r.node)
	switch {
	case exported:
	case len(idx) > 0:
		return DocEntry{}, false // the indexer calls it local, or imported
	case !g.usedElsewhere(ref, doc.path):
		return DocEntry{}, false
	}
	sig, detail := splitHover(c.api.hoverText(hover))
	if strings.HasPrefix(sig, "(alias) ") {
		return DocEntry{}, false // an import or re-export: documented where it is defined
	}
	kind := kindOf(d.kind, sig, doc.lang)
	if kind == "typeParameter" {
		return DocEntry{}, false
	}
	e := DocEntry{
		Path: doc.path, Range: r.Range, Language: doc.lang, Name: d.name,
		Kind: kind, Signature: sig, Detail: detail,
	}
	if exported {
		e.SearchKey, _ = monikerSearchKey(km)
	}
	start := len(*tags)
	*tags = entryTags(*tags, kind, exported, detail)
	e.Tags = (*tags)[start:len(*tags):len(*tags)]
	return e, true
}

// entryTags appends an entry's tags to tags.
func entryTags(tags []string, kind string, exported bool, detail string) []string {
	if kind != "" {
		tags = append(tags, kind)
	}
	if deprecated(detail) {
		tags = append(tags, "deprecated")
	}
	if exported {
		tags = append(tags, "exported")
	}
	return tags
}

// chainHoverRef returns the hover and reference result of a range, through
// its next chain.
func (g *grouper) chainHoverRef(n *node) (hover, ref uint32) {
	for hops := 0; n != nil && hops < maxChain; hops++ {
		hover, ref = cmp.Or(hover, n.hover), cmp.Or(ref, n.ref)
		if n.next == 0 {
			break
		}
		n = g.c.sets.at(n.next)
	}
	return hover, ref
}

// usedElsewhere reports whether reference result ref has a location in a
// kept document other than path.
func (g *grouper) usedElsewhere(ref uint32, path string) bool {
	if ref = g.canonicalResult(ref); ref == 0 {
		return false
	}
	for _, l := range g.locations(ref) {
		if l.Path != path {
			return true
		}
	}
	return false
}

// nestKeys gives entries without a search key one from the entries of
// container kinds whose full ranges enclose theirs in the same document
// ("Stack.push"), for dumps without usable export monikers.
func nestKeys(entries []DocEntry, fulls []Range) {
	containers := make(map[string][]int)
	for j, e := range entries {
		if containerKinds[e.Kind] {
			containers[e.Path] = append(containers[e.Path], j)
		}
	}
	for i := range entries {
		e := &entries[i]
		if e.SearchKey != "" {
			continue
		}
		var outer []int
		for _, j := range containers[e.Path] {
			if j != i && encloses(fulls[j], fulls[i]) {
				outer = append(outer, j)
			}
		}
		slices.SortFunc(outer, func(a, b int) int {
			return cmp.Or(cmp.Compare(fulls[a].StartLine, fulls[b].StartLine), cmp.Compare(fulls[a].StartCharacter, fulls[b].StartCharacter))
		})
		parts := make([]string, 0, len(outer)+1)
		for _, j := range outer {
			parts = append(parts, entries[j].Name)
		}
		e.SearchKey = strings.Join(append(parts, e.Name), ".")
	}
}

// encloses reports whether a strictly contains b.
func encloses(a, b Range) bool {
	startsBefore := a.StartLine < b.StartLine || a.StartLine == b.StartLine && a.StartCharacter <= b.StartCharacter
	endsAfter := a.EndLine > b.EndLine || a.EndLine == b.EndLine && a.EndCharacter >= b.EndCharacter
	return startsBefore && endsAfter && a != b
}
