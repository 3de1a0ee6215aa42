package enginetest

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// words make identifiers, comments and error messages. Error messages start
// with one of them, so a capture group on the first word of
// errors.New("...") has a few dozen values.
var words = strings.Fields(`
	account action address adapter agent alert archive batch blob bucket
	buffer build cache channel check client cluster commit config context
	cursor data delta diff digest entry event field file filter flag frame
	graph group handle hash header index insight item job key label layer
	limit line lock log manifest match member merge message metric mirror
	mode node offset option owner pack page parser patch path point policy
	pool query queue range record ref region repo request result retry
	review route rule sample scope search series session shard signal sink
	size snapshot source span state status store stream tag task tenant
	token trace tree user value version view window worker`)

var goTypes = []string{"string", "int", "int64", "bool", "[]byte", "error", "time.Time",
	"context.Context", "*Config", "[]string", "map[string]int", "*Store", "Options"}

var tsTypes = []string{"string", "number", "boolean", "string[]", "Promise<void>",
	"Record<string, number>", "Options", "Config | undefined"}

var owners = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"}

// writer synthesizes source-like lines. Its output depends only on its
// random source.
type writer struct {
	r *rand.Rand
}

func (w *writer) word() string { return words[w.r.IntN(len(words))] }

func (w *writer) pick(s []string) string { return s[w.r.IntN(len(s))] }

func title(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

// ident is a camelCase identifier of 1–3 words, exported when asked.
func (w *writer) ident(exported bool) string {
	n := 1 + w.r.IntN(3)
	var b strings.Builder
	for i := range n {
		word := w.word()
		if i > 0 || exported {
			word = title(word)
		}
		b.WriteString(word)
	}
	return b.String()
}

func (w *writer) phrase(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = w.word()
	}
	return strings.Join(ws, " ")
}

// comment is a comment line's text, now and then a TODO or FIXME.
func (w *writer) comment() string {
	switch x := w.r.IntN(100); {
	case x < 6:
		return fmt.Sprintf("TODO(%s): %s", w.pick(owners), w.phrase(3+w.r.IntN(5)))
	case x < 8:
		return "FIXME: " + w.phrase(2+w.r.IntN(6))
	}
	return title(w.phrase(3+w.r.IntN(8))) + "."
}

// rareGoLine is a statement rare enough for a literal with few matches.
const rareGoLine = "\t\treturn n, io.ErrShortWrite"

// goStatement appends one Go statement (one or more lines) at depth tabs.
func (w *writer) goStatement(lines []string) []string {
	in := "\t"
	switch x := w.r.IntN(1000); {
	case x < 1:
		return append(lines, rareGoLine)
	case x < 120:
		return append(lines, in+"// "+w.comment())
	case x < 300:
		return append(lines, fmt.Sprintf("%s%s := %s.%s(%s, %d)", in, w.ident(false), w.ident(false), w.ident(true), w.ident(false), w.r.IntN(100)))
	case x < 420:
		return append(lines,
			fmt.Sprintf("%sif err := %s.%s(ctx); err != nil {", in, w.ident(false), w.ident(true)),
			fmt.Sprintf("%s\treturn fmt.Errorf(\"%s %%q: %%w\", %s, err)", in, w.phrase(2), w.ident(false)),
			in+"}")
	case x < 460:
		return append(lines,
			fmt.Sprintf("%sif %s == nil {", in, w.ident(false)),
			fmt.Sprintf("%s\treturn errors.New(\"%s\")", in, w.phrase(2+w.r.IntN(3))),
			in+"}")
	case x < 560:
		return append(lines,
			fmt.Sprintf("%sfor _, %s := range %s.%s {", in, w.word(), w.ident(false), w.ident(true)),
			fmt.Sprintf("%s\t%s = append(%s, %s)", in, w.ident(false), w.ident(false), w.word()),
			in+"}")
	case x < 640:
		return append(lines, fmt.Sprintf("%slog.Printf(\"%s: %%v\", %s)", in, w.phrase(3), w.ident(false)))
	case x < 760:
		return append(lines, fmt.Sprintf("%s%s.%s = %s", in, w.ident(false), w.ident(true), w.ident(false)))
	case x < 800:
		return append(lines, "")
	}
	return append(lines, fmt.Sprintf("%sdefer %s.%s()", in, w.ident(false), w.pick([]string{"Close", "Unlock", "Done", "Stop"})))
}

// goFunc appends a Go function of a few statements.
func (w *writer) goFunc(lines []string) []string {
	name := w.ident(w.r.IntN(2) == 0)
	lines = append(lines, "",
		fmt.Sprintf("// %s %s", name, w.phrase(4+w.r.IntN(8))),
		fmt.Sprintf("func (%s *%s) %s(ctx context.Context, %s %s) (%s, error) {",
			w.word()[:1], w.ident(true), name, w.ident(false), w.pick(goTypes), w.pick(goTypes)))
	for range 2 + w.r.IntN(14) {
		lines = w.goStatement(lines)
	}
	return append(lines, fmt.Sprintf("\treturn %s, nil", w.ident(false)), "}")
}

// tsStatement appends one TypeScript statement.
func (w *writer) tsStatement(lines []string) []string {
	in := "  "
	switch x := w.r.IntN(1000); {
	case x < 120:
		return append(lines, in+"// "+w.comment())
	case x < 400:
		return append(lines, fmt.Sprintf("%sconst %s = await this.%s.%s(%s);", in, w.ident(false), w.ident(false), w.ident(false), w.ident(false)))
	case x < 460:
		return append(lines,
			fmt.Sprintf("%sif (!%s) {", in, w.ident(false)),
			fmt.Sprintf("%s  throw new Error(\"%s\");", in, w.phrase(2+w.r.IntN(3))),
			in+"}")
	case x < 600:
		return append(lines,
			fmt.Sprintf("%sfor (const %s of %s.%s) {", in, w.word(), w.ident(false), w.ident(false)),
			fmt.Sprintf("%s  %s.push(%s);", in, w.ident(false), w.word()),
			in+"}")
	case x < 800:
		return append(lines, fmt.Sprintf("%sthis.%s = %s ?? %d;", in, w.ident(false), w.ident(false), w.r.IntN(1000)))
	case x < 850:
		return append(lines, "")
	}
	return append(lines, fmt.Sprintf("%sconsole.debug(`%s ${%s}`);", in, w.phrase(3), w.ident(false)))
}

// tsFunc appends a TypeScript method.
func (w *writer) tsFunc(lines []string) []string {
	lines = append(lines, "",
		"  /** "+title(w.phrase(4+w.r.IntN(8)))+". */",
		fmt.Sprintf("  async %s(%s: %s): Promise<%s> {", w.ident(false), w.ident(false), w.pick(tsTypes), w.pick(tsTypes)))
	for range 2 + w.r.IntN(14) {
		lines = w.tsStatement(lines)
	}
	return append(lines, fmt.Sprintf("    return %s;", w.ident(false)), "  }")
}

// block appends a unit of code in the file's language: what an edit adds.
func (w *writer) block(lang string, lines []string) []string {
	switch lang {
	case "go":
		if w.r.IntN(4) == 0 {
			return w.goFunc(lines)
		}
		return w.goStatement(lines)
	case "ts":
		if w.r.IntN(4) == 0 {
			return w.tsFunc(lines)
		}
		return w.tsStatement(lines)
	}
	return append(lines, w.comment(), "")
}

// newFile returns the lines of a new file of about n lines.
func (w *writer) newFile(lang, name string, n int) []string {
	var lines []string
	switch lang {
	case "go":
		lines = []string{"// Package " + name + " " + w.phrase(6) + ".", "package " + name, "",
			"import (", "\t\"context\"", "\t\"errors\"", "\t\"fmt\"", "\t\"io\"", "\t\"log\"", ")"}
		for len(lines) < n {
			lines = w.goFunc(lines)
		}
	case "ts":
		lines = []string{fmt.Sprintf("import { %s } from \"./%s\";", w.ident(true), w.word()), "",
			fmt.Sprintf("export class %s {", w.ident(true))}
		for len(lines) < n {
			lines = w.tsFunc(lines)
		}
		lines = append(lines, "}")
	default:
		lines = []string{"# " + title(w.phrase(3)), ""}
		for len(lines) < n {
			lines = append(lines, w.comment(), "")
		}
	}
	return lines
}

// binary returns content git and Sightline call binary (a NUL byte early).
func (w *writer) binary(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(w.r.UintN(256))
	}
	b[1] = 0
	return b
}
