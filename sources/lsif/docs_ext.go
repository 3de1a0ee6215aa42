package lsif

import "fmt"

// Sourcegraph's documentation extension (lsif-go 1.5 to 1.8): a tree of
// documentationResult vertices (pages and their sections) hung from the
// project, joined by documentationChildren edges, each with a label and a
// detail documentationString; a symbol's documentationResult is also joined
// to its resultSet (or range) by a documentationResult edge. Only dumps that
// use it pay for this state.

// extState is the extension's part of the dump.
type extState struct {
	results  []extResult // by kDocResult index - 1
	strings  []string    // by kDocString index - 1
	roots    []uint32    // results hung from the project
	attached []extAttach
	// invalid names the first rule the dump breaks; its entries then come
	// from standard LSIF instead.
	invalid string
}

type extResult struct {
	identifier string
	searchKey  string
	tags       []string
	newPage    bool
	label      uint32 // documentationString, 0 when missing
	detail     uint32
	children   []uint32
}

// extAttach joins a documentationResult to the range or resultSet it
// documents.
type extAttach struct {
	node   target
	result uint32
}

func (c *converter) extension() *extState {
	if c.api.ext == nil {
		c.api.ext = &extState{}
	}
	return c.api.ext
}

// addDocResult reads {"result": {identifier, newPage, searchKey, tags}}.
func (c *converter) addDocResult() (vkind, uint32, error) {
	ext := c.extension()
	it, ok := newObjIter(c.el.vals[fResult])
	if !ok {
		ext.invalidate(fmt.Sprintf("sourcegraph:documentationResult %s: result is %s, want an object", c.el.vals[fID], truncate(c.el.vals[fResult])))
	}
	var r extResult
	for ok {
		k, v, more := it.next()
		if !more {
			break
		}
		switch {
		case keyIs(k, "identifier"):
			r.identifier = c.stringValue(v)
		case keyIs(k, "searchKey"):
			r.searchKey = c.stringValue(v)
		case keyIs(k, "newPage"):
			r.newPage = string(v) == "true"
		case keyIs(k, "tags"):
			arr, _ := newArrIter(v)
			for {
				tag, more := arr.next()
				if !more {
					break
				}
				if s := c.stringValue(tag); s != "" {
					r.tags = append(r.tags, s)
				}
			}
		}
	}
	ext.results = append(ext.results, r)
	return kDocResult, uint32(len(ext.results)), nil
}

// addDocString reads {"result": MarkupContent}.
func (c *converter) addDocString() (vkind, uint32, error) {
	var value string
	it, ok := newObjIter(c.el.vals[fResult])
	for ok {
		k, v, more := it.next()
		if !more {
			break
		}
		if keyIs(k, "value") {
			value = c.stringValue(v)
		}
	}
	ext := c.extension()
	ext.strings = append(ext.strings, value)
	return kDocString, uint32(len(ext.strings)), nil
}

func (c *converter) stringValue(v []byte) string {
	if len(v) == 0 || v[0] != '"' {
		return ""
	}
	return validString(unquote(v, &c.el.buf))
}

// docResultEdge joins the project (the root page) or a symbol's range or
// resultSet to a documentationResult.
func (c *converter) docResultEdge() error {
	const label = "sourcegraph:documentationResult"
	out, err := c.out(label)
	if err != nil {
		return err
	}
	ins, err := c.ins(label)
	if err != nil {
		return err
	}
	ext := c.extension()
	for _, t := range ins {
		if t.k != kDocResult {
			return c.extension().invalidEdge(wrongKind(label, "inV", t, "a documentationResult"))
		}
		switch out.k {
		case kRange, kResultSet:
			ext.attached = append(ext.attached, extAttach{node: out, result: t.idx})
		case kOther: // the project
			ext.roots = append(ext.roots, t.idx)
		default:
			return c.extension().invalidEdge(wrongKind(label, "outV", out, "a project, range or resultSet"))
		}
	}
	return nil
}

// docChildrenEdge gives a documentationResult its ordered children.
func (c *converter) docChildrenEdge() error {
	const label = "sourcegraph:documentationChildren"
	r, ins, err := c.fromDocResult(label)
	if r == nil {
		return err
	}
	for _, t := range ins {
		if t.k != kDocResult {
			return c.extension().invalidEdge(wrongKind(label, "inV", t, "a documentationResult"))
		}
		r.children = append(r.children, t.idx)
	}
	return nil
}

// fromDocResult reads an edge whose outV must be a documentationResult:
// that result and the edge's in-vertices. r is nil when the edge is broken:
// err is set, or the outV is of another kind (recorded as the dump's
// invalid rule, err nil).
func (c *converter) fromDocResult(label string) (r *extResult, ins []target, err error) {
	out, err := c.out(label)
	if err != nil {
		return nil, nil, err
	}
	if out.k != kDocResult {
		return nil, nil, c.extension().invalidEdge(wrongKind(label, "outV", out, "a documentationResult"))
	}
	ins, err = c.ins(label)
	if err != nil {
		return nil, nil, err
	}
	return &c.extension().results[out.idx-1], ins, nil
}

// docStringEdge gives a documentationResult its label or detail.
func (c *converter) docStringEdge() error {
	const label = "sourcegraph:documentationString"
	r, ins, err := c.fromDocResult(label)
	if r == nil {
		return err
	}
	ext := c.extension()
	kind, _ := c.el.str(fKind)
	for _, t := range ins {
		if t.k != kDocString {
			return ext.invalidEdge(wrongKind(label, "inV", t, "a documentationString"))
		}
		switch string(kind) {
		case "label":
			r.label = t.idx
		case "detail":
			r.detail = t.idx
		default:
			return ext.invalidEdge(fmt.Errorf("%s edge: kind is %q, want \"label\" or \"detail\"", label, kind))
		}
	}
	return nil
}

// invalidate records the first rule the dump breaks.
func (ext *extState) invalidate(why string) {
	if ext.invalid == "" {
		ext.invalid = why
	}
}

// invalidEdge invalidates the extension for a misshapen edge: it costs the
// dump its extension entries, not its code navigation.
func (ext *extState) invalidEdge(err error) error {
	ext.invalidate(err.Error())
	return nil
}

// validate applies the extension's rules: every documentationResult has
// both strings, and a non-empty label unless it is a page or the root (index
// pages and the root have empty ones); there is a root.
func (ext *extState) validate() {
	if ext.invalid != "" {
		return
	}
	if len(ext.roots) == 0 {
		ext.invalid = "no documentationResult edge from the project (no root page)"
		return
	}
	for i, r := range ext.results {
		switch {
		case r.label == 0 || r.detail == 0:
			ext.invalid = fmt.Sprintf("documentationResult %q (#%d) lacks its label or detail string", r.identifier, i+1)
			return
		case ext.strings[r.label-1] == "" && !r.newPage && r.identifier != "":
			ext.invalid = fmt.Sprintf("documentationResult %q (#%d) has an empty label", r.identifier, i+1)
			return
		}
	}
}
