package lsif

import "fmt"

// target is one end of an edge, looked up.
type target struct {
	id  rawID
	k   vkind
	idx uint32
}

// Edges follow the reference converter: an edge naming an id that no
// earlier vertex has is malformed (producers emit vertices first), and so is
// an edge whose ends have kinds the edge cannot join, except where real
// indexers do it legitimately: contains and textDocument/diagnostic out of
// a project, item edges out of vertices this converter ignores, item edges
// from a referenceResult to monikers (LSIF 0.5 "referenceLinks") and attach
// edges between non-monikers are skipped. Edge labels this converter does
// not use are skipped without looking at their ends.
func (c *converter) edge(label []byte) error {
	switch string(label) {
	case "contains":
		return c.contains()
	case "next":
		return c.next()
	case "item":
		return c.item()
	case "textDocument/definition":
		return c.setResult("textDocument/definition", kDefResult)
	case "textDocument/references":
		return c.setResult("textDocument/references", kRefResult)
	case "textDocument/hover":
		return c.setResult("textDocument/hover", kHover)
	case "moniker":
		return c.monikerEdge()
	case "nextMoniker", "attach":
		return c.linkMonikers(string(label))
	case "packageInformation":
		return c.packageEdge()
	case "textDocument/diagnostic":
		return c.diagnosticEdge()
	case "sourcegraph:documentationResult":
		return c.docResultEdge()
	case "sourcegraph:documentationChildren":
		return c.docChildrenEdge()
	case "sourcegraph:documentationString":
		return c.docStringEdge()
	}
	return nil
}

// out looks up the edge's outV.
func (c *converter) out(label string) (target, error) {
	return c.lookup(label, "outV", c.el.vals[fOutV])
}

func (c *converter) lookup(label, name string, raw []byte) (target, error) {
	if len(raw) == 0 {
		return target{}, fmt.Errorf("%s edge has no %q", label, name)
	}
	id, err := parseID(raw, &c.el.buf)
	if err != nil {
		return target{}, fmt.Errorf("%s edge: %s %v", label, name, err)
	}
	k, idx := c.ids.get(id)
	if k == kNone {
		return target{}, fmt.Errorf("%s edge: %s %s names no vertex before it (an edge must come after the vertices it joins)", label, name, id)
	}
	return target{id: id, k: k, idx: idx}, nil
}

// ins looks up the edge's inV and inVs (either may be used, whatever the
// label) into c.tgts.
func (c *converter) ins(label string) ([]target, error) {
	c.tgts = c.tgts[:0]
	if raw := c.el.vals[fInV]; len(raw) > 0 {
		t, err := c.lookup(label, "inV", raw)
		if err != nil {
			return nil, err
		}
		c.tgts = append(c.tgts, t)
	}
	if raw := c.el.vals[fInVs]; len(raw) > 0 {
		it, ok := newArrIter(raw)
		if !ok {
			return nil, fmt.Errorf("%s edge: inVs is %s, want an array", label, truncate(raw))
		}
		for {
			v, more := it.next()
			if !more {
				break
			}
			t, err := c.lookup(label, "inVs element", v)
			if err != nil {
				return nil, err
			}
			c.tgts = append(c.tgts, t)
		}
	}
	if len(c.tgts) == 0 && len(c.el.vals[fInVs]) == 0 {
		return nil, fmt.Errorf("%s edge has neither \"inV\" nor \"inVs\"", label)
	}
	return c.tgts, nil
}

func wrongKind(label, name string, t target, want string) error {
	return fmt.Errorf("%s edge: %s %s is a %s, want %s", label, name, t.id, t.k, want)
}

// nodeOf returns the data of a range or resultSet.
func (c *converter) nodeOf(t target) *node {
	switch t.k {
	case kRange:
		return &c.ranges.at(t.idx).node
	case kResultSet:
		return c.sets.at(t.idx)
	}
	return nil
}

func (c *converter) contains() error {
	out, err := c.out("contains")
	if err != nil || out.k != kDocument {
		return err // project -> document: not needed
	}
	ins, err := c.ins("contains")
	if err != nil {
		return err
	}
	for _, t := range ins {
		if t.k != kRange {
			return wrongKind("contains", "inV", t, "a range")
		}
		if r := c.ranges.at(t.idx); r.doc == 0 {
			r.doc = out.idx
		}
	}
	return nil
}

func (c *converter) next() error {
	out, err := c.out("next")
	if err != nil {
		return err
	}
	n := c.nodeOf(out)
	if n == nil {
		return wrongKind("next", "outV", out, "a range or resultSet")
	}
	ins, err := c.ins("next")
	if err != nil {
		return err
	}
	for _, t := range ins {
		if t.k != kResultSet {
			return wrongKind("next", "inV", t, "a resultSet")
		}
		n.next = t.idx
	}
	return nil
}

// setResult handles textDocument/definition, /references and /hover.
func (c *converter) setResult(label string, want vkind) error {
	out, err := c.out(label)
	if err != nil {
		return err
	}
	n := c.nodeOf(out)
	if n == nil {
		return wrongKind(label, "outV", out, "a range or resultSet")
	}
	ins, err := c.ins(label)
	if err != nil {
		return err
	}
	for _, t := range ins {
		if t.k != want {
			return wrongKind(label, "inV", t, "a "+want.String())
		}
		switch want {
		case kDefResult:
			n.def = t.idx
		case kRefResult:
			n.ref = t.idx
		case kHover:
			n.hover = t.idx
			if c.exported(out) {
				c.keepHover(t.idx)
			}
		}
	}
	return nil
}

// item adds ranges to a definition or reference result, or links two
// reference results.
func (c *converter) item() error {
	out, err := c.out("item")
	if err != nil {
		return err
	}
	if out.k != kDefResult && out.k != kRefResult {
		return nil // e.g. the API-docs extension's items
	}
	doc := c.itemDocument()
	ins, err := c.ins("item")
	if err != nil {
		return err
	}
	res := c.results.at(out.idx)
	for _, t := range ins {
		switch {
		case t.k == kRange:
			res.head = c.items.add(item{rng: t.idx, next: res.head})
			if r := c.ranges.at(t.idx); r.doc == 0 {
				r.doc = doc
			}
		case out.k == kRefResult && t.k == kRefResult:
			c.stats.LinkedReferences++
			res.links = c.links.add(resultLink{to: t.idx, next: res.links})
		case out.k == kRefResult && t.k == kMoniker:
			// LSIF 0.5 "referenceLinks": monikers of the same symbol in
			// other projects, which the moniker tables already cover.
		default:
			want := "a range"
			if out.k == kRefResult {
				want = "a range or referenceResult"
			}
			return wrongKind("item", "inV", t, want)
		}
	}
	return nil
}

// itemDocument is the document an item edge names ("document", or "shard"
// in newer LSIF), used only for ranges no contains edge placed.
func (c *converter) itemDocument() uint32 {
	raw := c.el.vals[fDocument]
	if len(raw) == 0 {
		raw = c.el.vals[fShard]
	}
	if len(raw) == 0 {
		return 0
	}
	id, err := parseID(raw, &c.el.buf)
	if err != nil {
		return 0
	}
	if k, idx := c.ids.get(id); k == kDocument {
		return idx
	}
	return 0
}

func (c *converter) monikerEdge() error {
	out, err := c.out("moniker")
	if err != nil {
		return err
	}
	n := c.nodeOf(out)
	if n == nil {
		return wrongKind("moniker", "outV", out, "a range or resultSet")
	}
	ins, err := c.ins("moniker")
	if err != nil {
		return err
	}
	for _, t := range ins {
		if t.k != kMoniker {
			return wrongKind("moniker", "inV", t, "a moniker")
		}
		if n.hover != 0 && c.monikers.at(t.idx).kind == mExport {
			c.keepHover(n.hover) // the hover came first (lsif-go)
		}
		switch {
		case n.moniker == 0:
			n.moniker = t.idx
		case n.moniker != t.idx:
			key := uint64(out.idx)
			if out.k == kResultSet {
				key |= 1 << 32
			}
			c.extraMonikers[key] = append(c.extraMonikers[key], t.idx)
		}
	}
	return nil
}

func (c *converter) linkMonikers(label string) error {
	out, err := c.out(label)
	if err != nil {
		return err
	}
	ins, err := c.ins(label)
	if err != nil {
		return err
	}
	for _, t := range ins {
		if out.k != kMoniker || t.k != kMoniker {
			if label == "attach" {
				continue // LSIF 0.5 attach is generic; only moniker links matter here
			}
			if out.k != kMoniker {
				return wrongKind(label, "outV", out, "a moniker")
			}
			return wrongKind(label, "inV", t, "a moniker")
		}
		if c.monikers.at(out.idx).kind == mLocal || c.monikers.at(t.idx).kind == mLocal {
			// lsif-tsc attaches unrelated export monikers to one shared
			// local moniker ("none"): joining through it would make them
			// all one symbol.
			c.stats.LocalMonikerLinks++
			continue
		}
		c.unionMonikers(out.idx, t.idx)
	}
	return nil
}

func (c *converter) packageEdge() error {
	out, err := c.out("packageInformation")
	if err != nil {
		return err
	}
	if out.k != kMoniker {
		return wrongKind("packageInformation", "outV", out, "a moniker")
	}
	ins, err := c.ins("packageInformation")
	if err != nil {
		return err
	}
	for _, t := range ins {
		if t.k != kPackage {
			return wrongKind("packageInformation", "inV", t, "a packageInformation")
		}
		c.monikers.at(out.idx).pkg = t.idx
	}
	return nil
}

func (c *converter) diagnosticEdge() error {
	out, err := c.out("textDocument/diagnostic")
	if err != nil || out.k != kDocument {
		return err // project diagnostics have no document to go in
	}
	ins, err := c.ins("textDocument/diagnostic")
	if err != nil {
		return err
	}
	d := &c.docs[out.idx-1]
	for _, t := range ins {
		if t.k != kDiagnostics {
			return wrongKind("textDocument/diagnostic", "inV", t, "a diagnosticResult")
		}
		d.diags = append(d.diags, t.idx)
	}
	return nil
}

func (c *converter) unionMonikers(a, b uint32) {
	ra, rb := c.findMoniker(a), c.findMoniker(b)
	if ra == rb {
		return
	}
	if rb < ra {
		ra, rb = rb, ra
	}
	c.monikers.at(rb).parent = ra
}

func (c *converter) findMoniker(m uint32) uint32 {
	for {
		p := c.monikers.at(m).parent
		if p == 0 {
			return m
		}
		if gp := c.monikers.at(p).parent; gp != 0 {
			c.monikers.at(m).parent = gp
			p = gp
		}
		m = p
	}
}
