package sciptest

import (
	"fmt"
	"io"
)

// Generator streams a valid SCIP index of about a given size, shaped like
// scip-typescript's: per document, symbols it defines (classes with
// methods, documented, some implementing an interface of an earlier
// document), references to symbols of earlier documents, document-local
// variables and references to TypeScript's library (external symbols).
// About 100 bytes per occurrence, as in real scip-typescript indexes.
type Generator struct {
	limit int64
	n     int64 // bytes written
	docs  int
	buf   []byte
	off   int
	done  bool
}

// Generator shape.
const (
	genDefs     = 12 // global symbols each document defines
	genRefs     = 90 // references to earlier documents' symbols
	genLocals   = 8  // local variables, each defined and used twice
	genExternal = 6  // references to lib.es5.d.ts symbols
)

// NewGenerator returns a Generator of at least limit bytes (it ends after
// the document that passes limit, with the external symbols).
func NewGenerator(limit int64) *Generator {
	return &Generator{limit: limit, buf: AppendMetadata(nil, "scip-typescript", "0.4.0", "file:///src/bench")}
}

// Documents is how many documents the index has: valid once it was read to
// its end.
func (g *Generator) Documents() int { return g.docs }

// DocumentPath is the relative path of document i (1-based).
func DocumentPath(i int) string { return fmt.Sprintf("src/m%03d/file%05d.ts", i%100, i) }

func genSymbol(doc, k int) string {
	return fmt.Sprintf("scip-typescript npm bench 1.0.0 src/m%03d/`file%05d.ts`/Widget%d#render%d().", doc%100, doc, k%3, k)
}

func externalSymbol(k int) string {
	return fmt.Sprintf("scip-typescript npm typescript 5.9.3 lib/`lib.es5.d.ts`/Array#method%d().", k)
}

// Read implements io.Reader.
func (g *Generator) Read(p []byte) (int, error) {
	for g.off == len(g.buf) {
		if g.done {
			return 0, io.EOF
		}
		g.buf, g.off = g.buf[:0], 0
		if g.n >= g.limit {
			for k := range genExternal {
				g.buf = AppendExternalSymbol(g.buf, SymbolInformation{Symbol: externalSymbol(k),
					Documentation: []string{fmt.Sprintf("```ts\n(method) Array<T>.method%d(): T[]\n```", k)}})
			}
			g.done = true
			break
		}
		g.docs++
		g.buf = AppendDocument(g.buf, g.document(g.docs))
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	g.n += int64(n)
	return n, nil
}

// document makes document i.
func (g *Generator) document(i int) Document {
	d := Document{RelativePath: DocumentPath(i), Language: "TypeScript"}
	line := int32(0)
	for k := range genDefs {
		sym := genSymbol(i, k)
		d.Occurrences = append(d.Occurrences, Occurrence{Range: []int32{line, 2, 9}, Symbol: sym, Roles: RoleDefinition})
		info := SymbolInformation{Symbol: sym, Documentation: []string{
			fmt.Sprintf("```ts\n(method) Widget%d.render%d(x: number): string\n```", k%3, k),
			fmt.Sprintf("Renders part %d of widget %d.", k, i)}}
		if i > 1 && k%4 == 0 {
			info.Relationships = []Relationship{{Symbol: genSymbol(i-1, k), IsReference: true, IsImplementation: true}}
		}
		d.Symbols = append(d.Symbols, info)
		line += 3
	}
	for k := range genRefs {
		j := 1 + (i*31+k*17)%max(i-1, 1) // an earlier document (or this one, first)
		d.Occurrences = append(d.Occurrences, Occurrence{Range: []int32{line, int32(4 + k%40), int32(10 + k%40)},
			Symbol: genSymbol(j, k%genDefs), Roles: RoleReadAccess})
		line++
	}
	for k := range genLocals {
		local := fmt.Sprintf("local %d", k)
		for u := range 3 {
			occ := Occurrence{Range: []int32{line, int32(6 + u*8), int32(11 + u*8)}, Symbol: local}
			if u == 0 {
				occ.Roles = RoleDefinition
			}
			d.Occurrences = append(d.Occurrences, occ)
		}
		d.Symbols = append(d.Symbols, SymbolInformation{Symbol: local, Documentation: []string{"```ts\nvar v: number\n```"}})
		line++
	}
	for k := range genExternal {
		d.Occurrences = append(d.Occurrences, Occurrence{Range: []int32{line, 8, 14}, Symbol: externalSymbol(k)})
		line++
	}
	return d
}
