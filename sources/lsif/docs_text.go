package lsif

import (
	"strings"
)

// lspKinds are LSP's SymbolKind names by number, in the camelCase the
// documentation extension's tags use.
var lspKinds = [...]string{
	"", "file", "module", "namespace", "package", "class", "method", "property",
	"field", "constructor", "enum", "interface", "function", "variable",
	"constant", "string", "number", "boolean", "array", "object", "key", "null",
	"enumMember", "struct", "event", "operator", "typeParameter",
}

func kindName(n uint8) string {
	if int(n) < len(lspKinds) {
		return lspKinds[n]
	}
	return ""
}

func isKindTag(tag string) bool {
	for _, k := range lspKinds[1:] {
		if k == tag {
			return true
		}
	}
	return tag == "type"
}

// containerKinds are the kinds whose members' search keys they prefix.
var containerKinds = map[string]bool{
	"module": true, "namespace": true, "package": true, "class": true,
	"enum": true, "interface": true, "struct": true,
}

// tsKeywords map the leading word of a TypeScript or JavaScript hover
// signature to a kind. lsif-tsc's tag kinds are coarse (an enum, a type
// alias, a constant and a namespace all come as 7, property), and the
// signature the compiler prints names the declaration exactly.
var tsKeywords = []struct{ prefix, kind string }{
	{"(method) ", "method"},
	{"(property) ", "property"},
	{"(getter) ", "property"},
	{"(setter) ", "property"},
	{"(enum member) ", "enumMember"},
	{"(constructor) ", "constructor"},
	{"constructor ", "constructor"},
	{"(type parameter) ", "typeParameter"},
	{"(parameter) ", "variable"},
	{"class ", "class"},
	{"abstract class ", "class"},
	{"interface ", "interface"},
	{"const enum ", "enum"},
	{"enum ", "enum"},
	{"namespace ", "namespace"},
	{"module ", "namespace"},
	{"function ", "function"},
	{"const ", "constant"},
	{"let ", "variable"},
	{"var ", "variable"},
	{"type ", "type"},
}

// kindOf is a definition's kind: the tag's LSP kind, refined by the
// signature's keyword for TypeScript and JavaScript.
func kindOf(tagKind uint8, signature, language string) string {
	switch language {
	case "typescript", "javascript", "typescriptreact", "javascriptreact":
		for _, k := range tsKeywords {
			if strings.HasPrefix(signature, k.prefix) {
				return k.kind
			}
		}
	}
	return kindName(tagKind)
}

// splitHover splits a hover's Markdown (as Convert renders it: fenced code
// parts and text parts joined by HoverPartSeparator, or one Markdown string)
// into the signature, the content of the leading fenced code block, and the
// documentation, the Markdown after it. A hover that does not start with a
// code block is all documentation.
func splitHover(text string) (signature, doc string) {
	text = strings.TrimSpace(text)
	if !strings.HasPrefix(text, "```") {
		return "", text
	}
	nl := strings.IndexByte(text, '\n')
	if nl < 0 {
		return "", text
	}
	body := text[nl+1:]
	end := strings.Index(body, "\n```")
	if end < 0 {
		return strings.TrimSpace(body), ""
	}
	signature = strings.TrimSpace(body[:end])
	rest := body[end+len("\n```"):]
	for {
		t := strings.TrimSpace(rest)
		if !strings.HasPrefix(t, "---") {
			return signature, t
		}
		rest = strings.TrimLeft(t, "-")
	}
}

// unfence returns a Markdown code block's content, or s when it is not one.
func unfence(s string) string {
	if sig, doc := splitHover(s); sig != "" && doc == "" {
		return sig
	}
	return strings.TrimSpace(s)
}

// deprecated reports whether documentation marks its symbol deprecated:
// a JSDoc @deprecated tag, or Go's "Deprecated:" paragraph.
func deprecated(doc string) bool {
	if strings.Contains(doc, "@deprecated") {
		return true
	}
	return strings.HasPrefix(doc, "Deprecated:") || strings.Contains(doc, "\nDeprecated:")
}

// monikerSearchKey derives a search key from an export moniker whose
// identifier is "module:qualified.name" (lsif-tsc: "src/geo:Stack.push",
// npm: "rxjs:internal/Observable:Observable.subscribe", lsif-go:
// "github.com/gorilla/mux:Router"). The prefix is the npm package's name
// when the moniker has one, otherwise the module's last path element.
func monikerSearchKey(m Moniker) (string, bool) {
	i := strings.LastIndexByte(m.Identifier, ':')
	if i < 0 || i == len(m.Identifier)-1 {
		return "", false
	}
	qualified, module := m.Identifier[i+1:], m.Identifier[:i]
	prefix := module[strings.LastIndexByte(module, ':')+1:]
	prefix = prefix[strings.LastIndexByte(prefix, '/')+1:]
	if m.Package.Manager == "npm" && m.Package.Name != "" {
		prefix = m.Package.Name
	}
	if prefix == "" {
		return qualified, true
	}
	return prefix + "." + qualified, true
}

// keyMoniker picks the export moniker a search key comes from: one with npm
// package information first, then one with any package, then any.
func keyMoniker(mons []Moniker) (Moniker, bool) {
	best, found := Moniker{}, false
	rank := func(m Moniker) int {
		switch {
		case m.Package.Manager == "npm":
			return 3
		case m.Package.Name != "":
			return 2
		}
		return 1
	}
	for _, m := range mons {
		if m.Kind != Export || !strings.Contains(m.Identifier, ":") {
			continue
		}
		if !found || rank(m) > rank(best) {
			best, found = m, true
		}
	}
	return best, found
}
