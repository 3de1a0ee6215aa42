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
	var entries []DocEntry
	if ext := c.api.ext; ext != nil {
		if ext.validate(); ext.invalid == "" {
			entries = g.extEntries()
		} else {
			c.stats.DocExtensionInvalid = ext.invalid
		}
	}
	if len(entries) == 0 {
		entries = g.tagEntries()
	}
	slices.SortFunc(entries, func(a, b DocEntry) int {
		return cmp.Or(
			compareLocations(Location{a.Path, a.Range}, Location{b.Path, b.Range}),
			cmp.Compare(a.SearchKey, b.SearchKey),
			cmp.Compare(a.Name, b.Name),
		)
	})
	for i, e := range entries {
		if i&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		c.stats.OutDocEntries++
		if err := c.sink.DocEntry(e); err != nil {
			return fmt.Errorf("doc entry %s at %s:%d: %w", e.SearchKey, e.Path, e.Range.StartLine+1, err)
		}
	}
	return nil
}

// tagEntries makes one entry per definition tag of a kept document whose
// symbol is visible outside its document (see the package comment).
func (g *grouper) tagEntries() []DocEntry {
	c := g.c
	var entries []DocEntry
	var fulls []Range
	var keyless bool
	for i := uint32(1); i <= uint32(c.api.defs.len()); i++ {
		d := c.api.defs.at(i)
		e, ok := g.tagEntry(d)
		if !ok {
			continue
		}
		keyless = keyless || e.SearchKey == ""
		entries = append(entries, e)
		fulls = append(fulls, d.full)
	}
	g.scratch = docScratch{}
	if keyless {
		nestKeys(entries, fulls)
	}
	return entries
}

// tagEntry builds the entry of one definition tag, or ok false when it
// does not get one.
func (g *grouper) tagEntry(d *defTag) (DocEntry, bool) {
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
	sig, detail := splitHover(c.api.hovers[hover])
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
	e.Tags = entryTags(kind, exported, detail)
	return e, true
}

func entryTags(kind string, exported bool, detail string) []string {
	var tags []string
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
