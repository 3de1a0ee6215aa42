package insightspec

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// path is a place in the document: string keys and int list indices.
type path []any

// String formats p as a field path: series[1].query.
func (p path) String() string {
	var b strings.Builder
	for _, e := range p {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			fmt.Fprint(&b, e)
		}
	}
	return b.String()
}

// locator finds line numbers in the document's node tree, which the typed
// decoding does not keep.
type locator struct {
	root  *yaml.Node
	spots []spot // every key and list item, in document order
}

type spot struct {
	line  int
	path  path
	key   string // the mapping key, or ""
	value string // the scalar value, or ""
}

func newLocator(root *yaml.Node) *locator {
	l := &locator{root: root}
	l.walk(root, nil)
	return l
}

func (l *locator) walk(n *yaml.Node, p path) {
	switch n.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := append(p[:len(p):len(p)], k.Value)
			l.spots = append(l.spots, spot{line: k.Line, path: kp, key: k.Value, value: v.Value})
			if v.Line != k.Line {
				l.spots = append(l.spots, spot{line: v.Line, path: kp, value: v.Value})
			}
			l.walk(v, kp)
		}
	case yaml.SequenceNode:
		for i, item := range n.Content {
			ip := append(p[:len(p):len(p)], i)
			l.spots = append(l.spots, spot{line: item.Line, path: ip, value: item.Value})
			l.walk(item, ip)
		}
	}
}

// line returns the line of the node at p or, when p does not exist, of its
// deepest ancestor that does.
func (l *locator) line(p path) int {
	n := l.root
	for _, e := range p {
		next := child(n, e)
		if next == nil {
			break
		}
		n = next
	}
	return n.Line
}

func child(n *yaml.Node, e any) *yaml.Node {
	switch e := e.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == e {
				return n.Content[i+1]
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && e < len(n.Content) {
			return n.Content[e]
		}
	}
	return nil
}

// pathAt returns the path of the key or item on line whose key is key (when
// key is not "") or whose value is value, preferring the last (deepest) one;
// failing that, the last spot on the line.
func (l *locator) pathAt(line int, key, value string) path {
	var found, last path
	for _, s := range l.spots {
		if s.line != line {
			continue
		}
		last = s.path
		if (key != "" && s.key == key) || (key == "" && s.value == value) {
			found = s.path
		}
	}
	if found != nil {
		return found
	}
	return last
}
