package lsif

import (
	"slices"
	"strings"
)

// extEntries makes one entry per documentationResult of the extension's
// page tree that has a search key and documents a range or resultSet with
// a kept definition. Results no page reaches from the root are ignored.
func (g *grouper) extEntries() []DocEntry {
	c, ext := g.c, g.c.api.ext
	reached := make([]bool, len(ext.results)+1)
	stack := slices.Clone(ext.roots)
	for len(stack) > 0 {
		r := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if reached[r] {
			continue
		}
		reached[r] = true
		stack = append(stack, ext.results[r-1].children...)
	}
	langs := make(map[string]string)
	for _, d := range c.docs {
		if d.keep {
			langs[d.path] = d.lang
		}
	}
	var entries []DocEntry
	for _, a := range ext.attached {
		r := &ext.results[a.result-1]
		if !reached[a.result] || r.searchKey == "" {
			continue
		}
		loc, ok := g.definitionOf(a.node)
		if !ok {
			continue
		}
		entries = append(entries, DocEntry{
			Path: loc.Path, Range: loc.Range, Language: langs[loc.Path],
			Name:      lastName(r.searchKey),
			Kind:      extKind(r.tags),
			SearchKey: r.searchKey,
			Signature: unfence(ext.strings[r.label-1]),
			Detail:    strings.TrimSpace(ext.strings[r.detail-1]),
			Tags:      slices.Clone(r.tags),
		})
	}
	return entries
}

// definitionOf locates what a documentationResult documents: the range it
// hangs from, or the first kept definition of the resultSet.
func (g *grouper) definitionOf(t target) (Location, bool) {
	c := g.c
	if t.k == kRange {
		r := c.ranges.at(t.idx)
		if r.doc == 0 || !c.docs[r.doc-1].keep {
			return Location{}, false
		}
		return Location{Path: c.docs[r.doc-1].path, Range: r.Range}, true
	}
	var def uint32
	for s, hops := t.idx, 0; s != 0 && hops < maxChain && def == 0; hops++ {
		def, s = c.sets.at(s).def, c.sets.at(s).next
	}
	if def = g.canonicalResult(def); def == 0 {
		return Location{}, false
	}
	locs := g.locations(def)
	if len(locs) == 0 {
		return Location{}, false
	}
	return locs[0], true
}

// lastName is a search key's last element ("ServeHTTP" of
// "mux.Router.ServeHTTP").
func lastName(key string) string {
	return key[strings.LastIndexAny(key, "./")+1:]
}

// extKind is the first symbol-kind tag.
func extKind(tags []string) string {
	for _, t := range tags {
		if isKindTag(t) {
			return t
		}
	}
	return ""
}
