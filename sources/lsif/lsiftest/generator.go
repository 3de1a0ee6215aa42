package lsiftest

import (
	"io"
	"strconv"
)

// Generator streams a synthetic but valid LSIF 0.4 dump shaped like
// lsif-tsc's output, one document at a time, so that a benchmark can convert
// hundreds of MB without holding the input: per symbol a resultSet, a tsc
// export moniker (and for every fourth an npm moniker with package
// information, linked by nextMoniker), a definition range tagged as
// lsif-tsc tags declarations, a hover, a definition result and a
// reference result; per document uses of its own symbols and of symbols of
// earlier documents, with reference items in the using document; contains
// edges at the end of each document. Documents carry no contents, so every
// byte is graph.
type Generator struct {
	limit   int64 // stop after the document that crosses it
	written int64
	buf     []byte
	off     int
	id      int64
	doc     int
	rnd     uint64
	syms    []genSymbol
	ranges  []int64
	done    bool
}

type genSymbol struct {
	resultSet, refResult int64
}

const (
	genSymbolsPerDoc = 40
	genUsesPerSymbol = 4
)

// NewGenerator returns a Generator of a dump of about limit bytes: it stops
// after the document that crosses limit. Its project root is
// file:///bench; document i (from 1) is at DocumentPath(i).
func NewGenerator(limit int64) *Generator {
	g := &Generator{limit: limit, rnd: 0x9e3779b97f4a7c15}
	g.vertex(`"metaData","version":"0.4.3","projectRoot":"file:///bench","positionEncoding":"utf-16","toolInfo":{"name":"generator"}`)
	g.vertex(`"packageInformation","name":"bench","manager":"npm","version":"1.0.0"`) // id 2
	return g
}

// Read implements io.Reader.
func (g *Generator) Read(p []byte) (int, error) {
	for g.off == len(g.buf) {
		if g.done {
			return 0, io.EOF
		}
		g.buf, g.off = g.buf[:0], 0
		if g.written >= g.limit {
			g.done = true
			continue
		}
		g.document()
	}
	n := copy(p, g.buf[g.off:])
	g.off += n
	g.written += int64(n)
	return n, nil
}

// Documents is how many documents the generator has begun so far.
func (g *Generator) Documents() int { return g.doc }

// DocumentPath is the path, relative to the project root, of document i
// (counted from 1).
func DocumentPath(i int) string {
	return "src/dir" + strconv.Itoa(i%50) + "/file" + strconv.Itoa(i) + ".ts"
}

// Size is how many bytes the generator has produced so far.
func (g *Generator) Size() int64 { return g.written }

func (g *Generator) next() uint64 {
	g.rnd ^= g.rnd << 13
	g.rnd ^= g.rnd >> 7
	g.rnd ^= g.rnd << 17
	return g.rnd
}

func (g *Generator) start(kind string) int64 {
	g.id++
	g.buf = append(g.buf, `{"id":`...)
	g.buf = strconv.AppendInt(g.buf, g.id, 10)
	g.buf = append(g.buf, `,"type":"`...)
	g.buf = append(g.buf, kind...)
	g.buf = append(g.buf, `","label":`...)
	return g.id
}

func (g *Generator) vertex(rest string) int64 {
	id := g.start("vertex")
	g.buf = append(g.buf, rest...)
	g.buf = append(g.buf, "}\n"...)
	return id
}

func (g *Generator) edge(label string, out int64, ins ...int64) {
	g.start("edge")
	g.buf = append(g.buf, '"')
	g.buf = append(g.buf, label...)
	g.buf = append(g.buf, `","outV":`...)
	g.buf = strconv.AppendInt(g.buf, out, 10)
	g.inVs(ins)
	g.buf = append(g.buf, "}\n"...)
}

func (g *Generator) inVs(ins []int64) {
	if len(ins) == 1 {
		g.buf = append(g.buf, `,"inV":`...)
		g.buf = strconv.AppendInt(g.buf, ins[0], 10)
		return
	}
	g.buf = append(g.buf, `,"inVs":[`...)
	for i, in := range ins {
		if i > 0 {
			g.buf = append(g.buf, ',')
		}
		g.buf = strconv.AppendInt(g.buf, in, 10)
	}
	g.buf = append(g.buf, ']')
}

func (g *Generator) item(out, doc int64, property string, ins ...int64) {
	g.start("edge")
	g.buf = append(g.buf, `"item","outV":`...)
	g.buf = strconv.AppendInt(g.buf, out, 10)
	g.inVs(ins)
	g.buf = append(g.buf, `,"document":`...)
	g.buf = strconv.AppendInt(g.buf, doc, 10)
	if property != "" {
		g.buf = append(g.buf, `,"property":"`...)
		g.buf = append(g.buf, property...)
		g.buf = append(g.buf, '"')
	}
	g.buf = append(g.buf, "}\n"...)
}

func (g *Generator) rangeVertex(line, char int) int64 {
	return g.taggedRange(line, char, `},"tag":{"type":"reference","text":"symbol01"}}`)
}

// defRange is a symbol's definition range, tagged as lsif-tsc tags
// declarations (name, LSP kind 12 "function", full range).
func (g *Generator) defRange(line, char, s int) int64 {
	tag := `},"tag":{"type":"definition","text":"symbol` + strconv.Itoa(s) + `","kind":12,"fullRange":{"start":{"line":` +
		strconv.Itoa(line) + `,"character":0},"end":{"line":` + strconv.Itoa(line) + `,"character":60}}}}`
	return g.taggedRange(line, char, tag)
}

func (g *Generator) taggedRange(line, char int, tag string) int64 {
	id := g.start("vertex")
	g.buf = append(g.buf, `"range","start":{"line":`...)
	g.buf = strconv.AppendInt(g.buf, int64(line), 10)
	g.buf = append(g.buf, `,"character":`...)
	g.buf = strconv.AppendInt(g.buf, int64(char), 10)
	g.buf = append(g.buf, `},"end":{"line":`...)
	g.buf = strconv.AppendInt(g.buf, int64(line), 10)
	g.buf = append(g.buf, `,"character":`...)
	g.buf = strconv.AppendInt(g.buf, int64(char+8), 10)
	g.buf = append(g.buf, tag...)
	g.buf = append(g.buf, '\n')
	g.ranges = append(g.ranges, id)
	return id
}

func (g *Generator) document() {
	g.doc++
	name := DocumentPath(g.doc)
	doc := g.vertex(`"document","uri":"file:///bench/` + name + `","languageId":"typescript"`)
	g.vertex(`"$event","kind":"begin","scope":"document","data":` + strconv.FormatInt(doc, 10))
	g.ranges = g.ranges[:0]
	first := len(g.syms)
	for s := range genSymbolsPerDoc {
		g.symbol(doc, name, s)
	}
	line := genSymbolsPerDoc + 2
	for range genSymbolsPerDoc * genUsesPerSymbol {
		// Half the uses are of this document's symbols, half of any earlier.
		var sym genSymbol
		if n := g.next(); n&1 == 0 {
			sym = g.syms[first+int(n>>1)%(len(g.syms)-first)]
		} else {
			sym = g.syms[int(n>>1)%len(g.syms)]
		}
		r := g.rangeVertex(line, 4)
		line++
		g.edge("next", r, sym.resultSet)
		g.item(sym.refResult, doc, "references", r)
	}
	g.edge("contains", doc, g.ranges...)
	g.vertex(`"$event","kind":"end","scope":"document","data":` + strconv.FormatInt(doc, 10))
}

func (g *Generator) symbol(doc int64, name string, s int) {
	ident := name + ":symbol" + strconv.Itoa(s)
	rs := g.vertex(`"resultSet"`)
	tsc := g.vertex(`"moniker","scheme":"tsc","identifier":"` + ident + `","unique":"group","kind":"export"`)
	g.edge("moniker", rs, tsc)
	if s%4 == 0 {
		npm := g.vertex(`"moniker","scheme":"npm","identifier":"bench:` + ident + `","unique":"scheme","kind":"export"`)
		g.edge("packageInformation", npm, 2)
		g.edge("nextMoniker", tsc, npm)
	}
	def := g.defRange(s+1, 16, s)
	g.edge("next", def, rs)
	hover := g.vertex(`"hoverResult","result":{"contents":[{"language":"typescript","value":"function symbol` +
		strconv.Itoa(s) + `(a: number, b: string): Promise<void>"},"Does the work of symbol ` + strconv.Itoa(s) + ` for the benchmark."]}`)
	g.edge("textDocument/hover", rs, hover)
	dr := g.vertex(`"definitionResult"`)
	g.edge("textDocument/definition", rs, dr)
	g.item(dr, doc, "", def)
	rr := g.vertex(`"referenceResult"`)
	g.edge("textDocument/references", rs, rr)
	g.item(rr, doc, "definitions", def)
	g.syms = append(g.syms, genSymbol{resultSet: rs, refResult: rr})
}
