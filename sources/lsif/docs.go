package lsif

import "bytes"

// What Convert keeps during the stream for the API docs entries (see
// docEntries for the rules). It is small next to the rest of the state: one
// record per definition-tagged range, the languages of the documents, and the
// hover texts of exported symbols only.

// hoverRing is how many recent hover texts are remembered in case the
// export moniker of their symbol arrives after the textDocument/hover edge
// (lsif-go emits the hover first); lsif-tsc emits the moniker first.
const hoverRing = 64

// apiState is the API docs part of the converter.
type apiState struct {
	defs   table[defTag]
	langs  map[string]string // interned document languageIds
	recent [hoverRing]recentHover
	hovers table[string] // kept hover texts, by hover id ("": not kept)
	ext    *extState     // nil unless the dump uses the documentation extension
}

// defTag is a range's tag of type "definition": lsif-tsc's
// {type, text, kind, fullRange}.
type defTag struct {
	rng  uint32
	full Range
	name string // in the arena
	kind uint8  // LSP SymbolKind, 0 when absent
}

type recentHover struct {
	id   uint32
	text string
}

// addDefTag records a range's tag when it is a definition. A tag of another
// type, or one with fields of the wrong types, is ignored: tags are an
// optional extension and never make a dump malformed.
func (c *converter) addDefTag(raw []byte, rng uint32) {
	if bytes.HasPrefix(raw, []byte(`{"type":"reference"`)) {
		return // most tags, as lsif-tsc writes them
	}
	it, ok := newObjIter(raw)
	if !ok {
		return
	}
	d := defTag{rng: rng}
	var isDef bool
	for {
		k, v, more := it.next()
		if !more {
			break
		}
		switch {
		case keyIs(k, "type"):
			if string(v) != `"definition"` {
				return // lsif-tsc writes type first: reference tags stop here
			}
			isDef = true
		case keyIs(k, "text"):
			if len(v) > 0 && v[0] == '"' {
				d.name = c.arena.string(unquote(v, &c.el.buf))
			}
		case keyIs(k, "kind"):
			if n, ok := parseInt(v); ok && n > 0 && n < 256 {
				d.kind = uint8(n)
			}
		case keyIs(k, "fullRange"):
			if parseRange(v, &d.full) != nil {
				d.full = Range{}
			}
		}
	}
	if isDef && d.name != "" {
		d.name = validArenaString(&c.arena, d.name)
		c.api.defs.add(d)
	}
}

// language interns a document's languageId.
func (c *converter) language() string {
	v, _ := c.el.str(fLanguageID)
	if len(v) == 0 {
		return ""
	}
	if c.api.langs == nil {
		c.api.langs = make(map[string]string)
	}
	if s, ok := c.api.langs[string(v)]; ok {
		return s
	}
	s := validString(v)
	c.api.langs[s] = s
	return s
}

// rememberHover keeps a hover's text for a few more lines, until the edges
// that say whose it is.
func (c *converter) rememberHover(id uint32, text string) {
	c.api.recent[id%hoverRing] = recentHover{id: id, text: text}
}

// keepHover keeps the text of hover id for the entries, if it is still
// remembered.
func (c *converter) keepHover(id uint32) {
	r := c.api.recent[id%hoverRing]
	if r.id != id || r.text == "" {
		return
	}
	// Hover ids are dense and increasing: a table indexed by id is cheaper
	// than a map, in time and, for dumps that document most symbols, memory.
	for c.api.hovers.len() < int(id) {
		c.api.hovers.add("")
	}
	*c.api.hovers.at(id) = r.text
}

// exported reports whether a range or resultSet, or a resultSet its next
// chain leads to, has an export moniker so far.
func (c *converter) exported(t target) bool {
	n, key := c.nodeOf(t), uint64(t.idx)
	if t.k == kResultSet {
		key |= 1 << 32
	}
	for hops := 0; n != nil && hops < maxChain; hops++ {
		if n.moniker != 0 && c.monikers.at(n.moniker).kind == mExport {
			return true
		}
		for _, m := range c.extraMonikers[key] {
			if c.monikers.at(m).kind == mExport {
				return true
			}
		}
		if n.next == 0 {
			return false
		}
		key = uint64(n.next) | 1<<32
		n = c.sets.at(n.next)
	}
	return false
}

// bytes estimates the API docs state's memory (the definition names are in
// the converter's arena).
func (a *apiState) bytes() int64 {
	n := a.defs.bytes() + a.hovers.bytes()
	for i := uint32(1); i <= uint32(a.hovers.len()); i++ {
		n += int64(len(*a.hovers.at(i)))
	}
	return n
}

// hoverText returns the kept text of hover id, or "".
func (a *apiState) hoverText(id uint32) string {
	if id == 0 || int(id) > a.hovers.len() {
		return ""
	}
	return *a.hovers.at(id)
}
