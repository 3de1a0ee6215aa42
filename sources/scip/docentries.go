package scip

import (
	"context"
	"path"
	"strings"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// keepDocText records symbol s's documentation for its DocEntry: the
// first part when it is a code fence (as scip-typescript writes the
// signature) is the signature (its first line), the rest the detail.
func (c *converter) keepDocText(s uint32, parts []string) error {
	if c.syms[s].flags&(symDocKept|symLocal) != 0 || len(parts) == 0 {
		return nil
	}
	c.syms[s].flags |= symDocKept
	var signature string
	if code, ok := fencedCode(parts[0]); ok {
		signature, _, _ = strings.Cut(code, "\n")
		parts = parts[1:]
	}
	return c.texts.keep(s, signature, strings.Join(parts, "\n\n"))
}

// fencedCode returns the code of a Markdown code fence.
func fencedCode(md string) (string, bool) {
	if !strings.HasPrefix(md, "```") {
		return "", false
	}
	_, rest, ok := strings.Cut(md, "\n")
	if !ok {
		return "", false
	}
	code, ok := strings.CutSuffix(strings.TrimRight(rest, "\n"), "```")
	return strings.TrimRight(code, "\n"), ok
}

// signatureKinds maps the word a TypeScript signature starts with (or
// names in parentheses) to the LSP symbol kind.
var signatureKinds = map[string]string{
	"class": "class", "interface": "interface", "function": "function", "method": "method",
	"property": "property", "enum": "enum", "enum member": "enumMember", "constructor": "constructor",
	"type": "interface", "var": "variable", "let": "variable", "const": "constant",
	"module": "module", "namespace": "namespace", "getter": "property", "setter": "property",
}

func signatureKind(sig string) string {
	word := sig
	if strings.HasPrefix(sig, "(") {
		word, _, _ = strings.Cut(sig[1:], ")")
	} else if i := strings.IndexAny(sig, " (<:"); i > 0 {
		word = sig[:i]
	}
	return signatureKinds[word]
}

// languages names a document's language from its extension, for indexers
// (scip-typescript) that leave Document.language empty.
var languages = map[string]string{
	".ts": "typescript", ".tsx": "typescript", ".mts": "typescript", ".cts": "typescript",
	".js": "javascript", ".jsx": "javascript", ".mjs": "javascript", ".cjs": "javascript",
	".py": "python", ".go": "go", ".java": "java", ".scala": "scala", ".kt": "kotlin",
	".rs": "rust", ".rb": "ruby", ".cs": "csharp", ".c": "c", ".h": "c", ".cc": "cpp", ".cpp": "cpp", ".hpp": "cpp",
}

func language(d *docRec) string {
	if d.lang != "" {
		return strings.ToLower(d.lang)
	}
	return languages[path.Ext(d.path)]
}

// deliverDocEntries delivers an entry for each documented global symbol
// the index defines, other than parameters and files, at its first
// definition, in symbol order.
func (g *grouper) deliverDocEntries(ctx context.Context) error {
	c := g.c
	if err := c.texts.sorted(); err != nil {
		return err
	}
	for _, ref := range c.texts.refs {
		s := ref.sym
		if g.head[s] == 0 {
			continue
		}
		p, ok := parseSymbol(c.names.name(c.syms[s].name))
		if !ok {
			continue
		}
		names, kind, ok := descriptorNames(p.descriptors)
		if !ok {
			continue
		}
		if last := &names[len(names)-1]; *last == "<constructor>" {
			*last = "constructor"
		}
		def, doc, ok := g.firstDefinition(s)
		if !ok {
			continue
		}
		if s&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		signature, detail, err := c.texts.read(ref)
		if err != nil {
			return err
		}
		e := lsif.DocEntry{Path: c.docs[doc].path, Range: def, Language: language(&c.docs[doc]),
			Name: names[len(names)-1], Kind: cmpOr(signatureKind(signature), kind), Signature: cmpOr(signature, names[len(names)-1]),
			Detail: detail, SearchKey: strings.Join(append([]string{p.pkg.Name}, names...), ".")}
		e.Tags = []string{e.Kind, "exported"}
		if strings.Contains(detail, "@deprecated") {
			e.Tags = append(e.Tags, "deprecated")
		}
		if err := c.sink.DocEntry(e); err != nil {
			return err
		}
	}
	return nil
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// firstDefinition returns the first definition of s in a kept document.
func (g *grouper) firstDefinition(s uint32) (lsif.Range, uint32, bool) {
	for _, i := range g.bySym.of(s) {
		if o := g.c.occs.at(int(i)); o.def {
			return o.rng(), g.docOf(i), true
		}
	}
	return lsif.Range{}, 0, false
}

// descriptorNames splits a symbol's descriptors ("src/`circle.ts`/Circle#area().")
// into the names of its types, terms and methods (["Circle", "area"]) and
// the kind the last one's suffix gives; ok is false for a file or package
// (namespaces only), a parameter, a type parameter or a local.
func descriptorNames(desc string) (names []string, kind string, ok bool) {
	var inType bool
	for len(desc) > 0 {
		name, rest, found := descriptorName(desc)
		if !found {
			return nil, "", false
		}
		switch {
		case strings.HasPrefix(rest, "/"):
			rest = rest[1:] // a namespace: a directory or file
			name = ""
		case strings.HasPrefix(rest, "#"):
			rest, kind, inType = rest[1:], "class", true
		case strings.HasPrefix(rest, "("):
			// a method, "(disambiguator).", or after it a parameter "(name)"
			end := strings.Index(rest, ").")
			if end < 0 {
				return nil, "", false
			}
			rest, kind = rest[end+2:], "function"
			if inType {
				kind = "method"
			}
		case strings.HasPrefix(rest, "."):
			rest, kind = rest[1:], "variable"
			if inType {
				kind = "property"
			}
		default:
			return nil, "", false // a parameter, a type parameter, a macro or meta descriptor
		}
		if name != "" {
			names = append(names, name)
		}
		desc = rest
	}
	return names, kind, len(names) > 0
}

// descriptorName reads a descriptor's name: an identifier, or a name in
// backticks (a doubled backtick is one).
func descriptorName(s string) (name, rest string, ok bool) {
	if strings.HasPrefix(s, "`") {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] == '`' {
				if i+1 < len(s) && s[i+1] == '`' {
					b.WriteByte('`')
					i++
					continue
				}
				return b.String(), s[i+1:], true
			}
			b.WriteByte(s[i])
		}
		return "", "", false
	}
	i := strings.IndexAny(s, "/#.()[]:!")
	if i <= 0 {
		return "", "", false
	}
	return s[:i], s[i:], true
}
