package lsif_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// testdata/docs_extension.lsif is a hand-written lsif-go style dump with
// Sourcegraph's documentation extension: a root page, a package page
// "mux", and under it Router (with its method ServeHTTP), NewRouter and a
// deprecated Handle, each hung from its symbol's resultSet; Orphan is hung
// from its resultSet but from no page. Router also has a definition tag,
// an export moniker and a hover that differs from its documentation.

// TestDocEntriesExtension: the entries are the extension's searchable
// results that a page reaches, with its labels, details, keys and tags, in
// place of what the hover says.
func TestDocEntriesExtension(t *testing.T) {
	t.Parallel()
	rec, stats := mustConvert(t, readFile(t, "testdata/docs_extension.lsif"), lsif.Opts{})
	at := func(line, char int32, name string) lsif.Range {
		return rng(line, char, line, char+int32(len(name)))
	}
	want := []lsif.DocEntry{
		{
			Path: "mux.go", Range: at(5, 5, "Router"), Language: "go", Name: "Router", Kind: "struct",
			SearchKey: "mux.Router", Signature: "type Router struct",
			Detail: "Router registers routes to be matched and dispatches a handler.", Tags: []string{"struct"},
		},
		{
			Path: "mux.go", Range: at(20, 18, "ServeHTTP"), Language: "go", Name: "ServeHTTP", Kind: "method",
			SearchKey: "mux.Router.ServeHTTP", Signature: "func (r *Router) ServeHTTP(w http.ResponseWriter, req *http.Request)",
			Detail: "ServeHTTP dispatches the handler registered in the matched route.", Tags: []string{"method"},
		},
		{
			Path: "mux.go", Range: at(30, 5, "NewRouter"), Language: "go", Name: "NewRouter", Kind: "function",
			SearchKey: "mux.NewRouter", Signature: "func NewRouter() *Router", // the label's code fence removed
			Detail: "NewRouter returns a new router instance.", Tags: []string{"function"},
		},
		{
			Path: "mux.go", Range: at(40, 5, "Handle"), Language: "go", Name: "Handle", Kind: "function",
			SearchKey: "mux.Handle", Signature: "func Handle(path string)",
			Detail: "Handle registers a path.\n\nDeprecated: use Router.Handle.", Tags: []string{"function", "deprecated"},
		},
	}
	if diff := cmp.Diff(want, rec.DocEntries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if stats.DocExtensionInvalid != "" {
		t.Errorf("DocExtensionInvalid = %q, want the extension used", stats.DocExtensionInvalid)
	}
}

// TestDocEntriesExtensionInvalid: a documentationResult without its detail
// string invalidates the whole extension (even one no page reaches), and
// the entries come from standard LSIF: Router's definition tag, export
// moniker and hover.
func TestDocEntriesExtensionInvalid(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/docs_extension.lsif")
	orphanDetail := regexp.MustCompile(`(?m)^\{"id":104,.*\n`)
	if !orphanDetail.MatchString(dump) {
		t.Fatal("testdata/docs_extension.lsif has no line with id 104 (Orphan's detail edge)")
	}
	rec, stats := mustConvert(t, orphanDetail.ReplaceAllString(dump, ""), lsif.Opts{})
	want := []lsif.DocEntry{{
		Path: "mux.go", Range: rng(5, 5, 5, 11), Language: "go", Name: "Router", Kind: "struct",
		SearchKey: "mux.Router", Signature: "type Router struct{ routes []route }",
		Detail: "Router, as the hover tells it.", Tags: []string{"struct", "exported"},
	}}
	if diff := cmp.Diff(want, rec.DocEntries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	if !strings.Contains(stats.DocExtensionInvalid, `"Orphan"`) {
		t.Errorf("DocExtensionInvalid = %q, want it to name Orphan's documentationResult", stats.DocExtensionInvalid)
	}
}

// noMonikers is an LSIF dump from an indexer that emits no monikers: a
// class Widget with a method render in a.ts, used from b.ts, and a helper
// used only in a.ts. Visible outside their document are Widget and render
// (referenced from b.ts); their search keys come from the tags' full
// ranges, which nest render in Widget.
const noMonikers = `{"id":1,"type":"vertex","label":"metaData","version":"0.4.3","projectRoot":"file:///w"}
{"id":2,"type":"vertex","label":"document","uri":"file:///w/a.ts","languageId":"typescript"}
{"id":3,"type":"vertex","label":"document","uri":"file:///w/b.ts","languageId":"typescript"}
{"id":4,"type":"vertex","label":"range","start":{"line":1,"character":6},"end":{"line":1,"character":12},"tag":{"type":"definition","text":"Widget","kind":5,"fullRange":{"start":{"line":1,"character":0},"end":{"line":5,"character":1}}}}
{"id":5,"type":"vertex","label":"range","start":{"line":3,"character":2},"end":{"line":3,"character":8},"tag":{"type":"definition","text":"render","kind":6,"fullRange":{"start":{"line":3,"character":2},"end":{"line":3,"character":20}}}}
{"id":6,"type":"vertex","label":"range","start":{"line":7,"character":9},"end":{"line":7,"character":15},"tag":{"type":"definition","text":"helper","kind":12,"fullRange":{"start":{"line":7,"character":0},"end":{"line":7,"character":22}}}}
{"id":7,"type":"vertex","label":"range","start":{"line":8,"character":0},"end":{"line":8,"character":6},"tag":{"type":"reference","text":"helper"}}
{"id":8,"type":"vertex","label":"range","start":{"line":0,"character":4},"end":{"line":0,"character":10},"tag":{"type":"reference","text":"Widget"}}
{"id":9,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":6},"tag":{"type":"reference","text":"render"}}
{"id":10,"type":"edge","label":"contains","outV":2,"inVs":[4,5,6,7]}
{"id":11,"type":"edge","label":"contains","outV":3,"inVs":[8,9]}
{"id":12,"type":"vertex","label":"referenceResult"}
{"id":13,"type":"edge","label":"textDocument/references","outV":4,"inV":12}
{"id":14,"type":"edge","label":"item","outV":12,"inVs":[4],"document":2,"property":"definitions"}
{"id":15,"type":"edge","label":"item","outV":12,"inVs":[8],"document":3,"property":"references"}
{"id":16,"type":"vertex","label":"referenceResult"}
{"id":17,"type":"edge","label":"textDocument/references","outV":5,"inV":16}
{"id":18,"type":"edge","label":"item","outV":16,"inVs":[5],"document":2,"property":"definitions"}
{"id":19,"type":"edge","label":"item","outV":16,"inVs":[9],"document":3,"property":"references"}
{"id":20,"type":"vertex","label":"referenceResult"}
{"id":21,"type":"edge","label":"textDocument/references","outV":6,"inV":20}
{"id":22,"type":"edge","label":"item","outV":20,"inVs":[6],"document":2,"property":"definitions"}
{"id":23,"type":"edge","label":"item","outV":20,"inVs":[7],"document":2,"property":"references"}
`

func TestDocEntriesWithoutMonikers(t *testing.T) {
	t.Parallel()
	rec, _ := mustConvert(t, noMonikers, lsif.Opts{})
	want := []lsif.DocEntry{
		{Path: "a.ts", Range: rng(1, 6, 1, 12), Language: "typescript", Name: "Widget", Kind: "class", SearchKey: "Widget", Tags: []string{"class"}},
		{Path: "a.ts", Range: rng(3, 2, 3, 8), Language: "typescript", Name: "render", Kind: "method", SearchKey: "Widget.render", Tags: []string{"method"}},
	}
	if diff := cmp.Diff(want, rec.DocEntries); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
}

// TestDocEntriesExtensionMisshapen: an extension edge of the wrong shape
// costs the dump its extension, not its conversion.
func TestDocEntriesExtensionMisshapen(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/docs_extension.lsif")
	bad := strings.Replace(dump, `"outV":60,"inV":61,"kind":"label"`, `"outV":60,"inV":61,"kind":"title"`, 1)
	if bad == dump {
		t.Fatal("testdata/docs_extension.lsif has no label edge 60 -> 61")
	}
	rec, stats := mustConvert(t, bad, lsif.Opts{})
	if !strings.Contains(stats.DocExtensionInvalid, `kind is "title"`) {
		t.Errorf("DocExtensionInvalid = %q, want it to name the edge's kind", stats.DocExtensionInvalid)
	}
	if len(rec.DocEntries) != 1 || rec.DocEntries[0].Signature != "type Router struct{ routes []route }" {
		t.Errorf("entries %+v, want Router's from standard LSIF", rec.DocEntries)
	}
	if len(rec.Documents["mux.go"].Ranges) != 5 {
		t.Errorf("mux.go has %d ranges, want its 5 definitions", len(rec.Documents["mux.go"].Ranges))
	}
}

// TestDocEntriesDeprecated: a JSDoc @deprecated in an exported symbol's
// hover (as newer TypeScript renders it) tags the entry deprecated, and a
// document indexed twice gives each entry once.
func TestDocEntriesDeprecated(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/handwritten.lsif")
	deprecatedDump := strings.Replace(dump, `"Does foo."`, `"Does foo.\n\n*@deprecated* — use bar."`, 1)
	if deprecatedDump == dump {
		t.Fatal(`testdata/handwritten.lsif has no hover "Does foo."`)
	}
	// The same document vertex again, with a copy of foo's tagged range.
	twice := deprecatedDump + `{"id":100,"type":"vertex","label":"document","uri":"file:///src/app/a.ts","languageId":"typescript"}
{"id":101,"type":"vertex","label":"range","start":{"line":0,"character":9},"end":{"line":0,"character":12},"tag":{"type":"definition","text":"foo","kind":12}}
{"id":102,"type":"edge","label":"next","outV":101,"inV":5}
{"id":103,"type":"edge","label":"contains","outV":100,"inVs":[101]}
`
	rec, _ := mustConvert(t, twice, lsif.Opts{})
	if len(rec.DocEntries) != 1 {
		t.Fatalf("%d entries, want foo once: %+v", len(rec.DocEntries), rec.DocEntries)
	}
	e := rec.DocEntries[0]
	if diff := cmp.Diff([]string{"function", "deprecated", "exported"}, e.Tags); diff != "" {
		t.Errorf("foo's tags (-want +got):\n%s", diff)
	}
	if e.Detail != "Does foo.\n\n*@deprecated* — use bar." {
		t.Errorf("foo's detail %q", e.Detail)
	}
}
