package lsif_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

func convert(t *testing.T, dump string, opts lsif.Opts) (*lsiftest.Recorder, lsif.Stats, error) {
	t.Helper()
	rec := lsiftest.NewRecorder()
	stats, err := lsif.Convert(context.Background(), strings.NewReader(dump), opts, rec)
	return rec, stats, err
}

func mustConvert(t *testing.T, dump string, opts lsif.Opts) (*lsiftest.Recorder, lsif.Stats) {
	t.Helper()
	rec, stats, err := convert(t, dump, opts)
	if err != nil {
		t.Fatalf("convert: %v", err)
	}
	return rec, stats
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func rng(sl, sc, el, ec int32) lsif.Range {
	return lsif.Range{StartLine: sl, StartCharacter: sc, EndLine: el, EndCharacter: ec}
}

// handwrittenWant is what testdata/handwritten.lsif (LSIF 0.4, numeric ids)
// converts to.
func handwrittenWant() *lsiftest.Recorder {
	appPkg := lsif.PackageInfo{Manager: "npm", Name: "app", Version: "2.0.0"}
	libPkg := lsif.PackageInfo{Manager: "npm", Name: "lib", Version: "1.0.0"}
	fooMonikers := []lsif.Moniker{
		{Kind: lsif.Export, Scheme: "npm", Identifier: "app::foo", Package: appPkg},
		{Kind: lsif.Export, Scheme: "tsc", Identifier: "a:foo"},
	}
	barMonikers := []lsif.Moniker{{Kind: lsif.Import, Scheme: "npm", Identifier: "lib::bar", Package: libPkg}}
	fooDef := []lsif.Location{loc("a.ts", 0, 9, 0, 12)}
	fooRefs := []lsif.Location{loc("a.ts", 0, 9, 0, 12), loc("a.ts", 2, 0, 2, 3)}
	barRefs := []lsif.Location{loc("a.ts", 3, 0, 3, 3)}
	return &lsiftest.Recorder{
		Hovers: map[int32]string{1: "```typescript\nfunction foo(): void\n```\n\n---\n\nDoes foo."},
		Results: map[int32]lsif.Result{
			1: {ID: 1, Kind: lsif.Definitions, Locations: fooDef},
			2: {ID: 2, Kind: lsif.References, Locations: fooRefs},
			3: {ID: 3, Kind: lsif.References, Locations: barRefs},
		},
		Documents: map[string]lsif.Document{"a.ts": {
			Path: "a.ts",
			Ranges: []lsif.DocumentRange{
				{Range: rng(0, 9, 0, 12), DefinitionResultID: 1, ReferenceResultID: 2, HoverID: 1, Monikers: fooMonikers},
				{Range: rng(2, 0, 2, 3), DefinitionResultID: 1, ReferenceResultID: 2, HoverID: 1, Monikers: fooMonikers},
				{Range: rng(3, 0, 3, 3), ReferenceResultID: 3, Monikers: barMonikers},
			},
			Diagnostics: []lsif.Diagnostic{{Severity: 1, Code: "2304", Message: "Cannot find name 'baz'.", Source: "ts", Range: rng(4, 0, 4, 3)}},
		}},
		Paths: []string{"a.ts"},
		MonikerRows: []lsif.MonikerResults{
			{Kind: lsif.Definitions, Scheme: "npm", Identifier: "app::foo", ResultIDs: []int32{1}},
			{Kind: lsif.References, Scheme: "npm", Identifier: "app::foo", ResultIDs: []int32{2}},
			{Kind: lsif.References, Scheme: "npm", Identifier: "lib::bar", ResultIDs: []int32{3}},
			{Kind: lsif.Definitions, Scheme: "tsc", Identifier: "a:foo", ResultIDs: []int32{1}},
			{Kind: lsif.References, Scheme: "tsc", Identifier: "a:foo", ResultIDs: []int32{2}},
		},
		Packages:    []lsif.Package{{Scheme: "npm", PackageInfo: appPkg}},
		PackageRefs: []lsif.PackageRef{{Package: lsif.Package{Scheme: "npm", PackageInfo: libPkg}, Identifiers: []string{"lib::bar"}}},
		// foo's hover comes before its export moniker (as lsif-go orders
		// them): the entry still has it. The key's prefix is the npm
		// package of the app::foo moniker.
		DocEntries: []lsif.DocEntry{{
			Path: "a.ts", Range: rng(0, 9, 0, 12), Language: "typescript", Name: "foo", Kind: "function",
			SearchKey: "app.foo", Signature: "function foo(): void", Detail: "Does foo.",
			Tags: []string{"function", "exported"},
		}},
	}
}

func TestHandwritten(t *testing.T) {
	t.Parallel()
	rec, stats := mustConvert(t, readFile(t, "testdata/handwritten.lsif"), lsif.Opts{})
	if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	fooDef := []lsif.Location{loc("a.ts", 0, 9, 0, 12)}
	fooRefs := []lsif.Location{loc("a.ts", 0, 9, 0, 12), loc("a.ts", 2, 0, 2, 3)}
	wantLocs := []lsiftest.MonikerLocations{
		{Kind: lsif.Definitions, Scheme: "npm", Identifier: "app::foo", Locations: fooDef},
		{Kind: lsif.References, Scheme: "npm", Identifier: "app::foo", Locations: fooRefs},
		{Kind: lsif.References, Scheme: "npm", Identifier: "lib::bar", Locations: []lsif.Location{loc("a.ts", 3, 0, 3, 3)}},
		{Kind: lsif.Definitions, Scheme: "tsc", Identifier: "a:foo", Locations: fooDef},
		{Kind: lsif.References, Scheme: "tsc", Identifier: "a:foo", Locations: fooRefs},
	}
	if diff := cmp.Diff(wantLocs, rec.Monikers()); diff != "" {
		t.Errorf("moniker locations through their results (-want +got):\n%s", diff)
	}
	want := lsif.Stats{
		Bytes: stats.Bytes, StateBytes: stats.StateBytes, Lines: 35, Vertices: 17, Edges: 18, LSIFVersion: "0.4.3", ToolName: "handwritten", ToolVersion: "1.0",
		ProjectRoot: "file:///src/app", Documents: 1, Ranges: 3, ResultSets: 2, DefinitionResults: 1,
		ReferenceResults: 2, Hovers: 1, Monikers: 3, Diagnostics: 1,
		OutDocuments: 1, OutRanges: 3, OutResults: 3, OutLocations: 4, OutMonikerResults: 5,
		OutPackages: 1, OutPackageRefs: 1, OutDocEntries: 1,
	}
	if diff := cmp.Diff(want, stats); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
}

var idPattern = regexp.MustCompile(`"(id|outV|inV|document|shard)":(\d+)|"inVs":\[([\d,]+)\]`)

// withStringIDs rewrites every id of a dump as a string, as lsif-tsc
// --id uuid does.
func withStringIDs(dump string) string {
	return idPattern.ReplaceAllStringFunc(dump, func(m string) string {
		sub := idPattern.FindStringSubmatch(m)
		if sub[1] != "" {
			return fmt.Sprintf(`"%s":"v-%s"`, sub[1], sub[2])
		}
		ids := strings.Split(sub[3], ",")
		for i, id := range ids {
			ids[i] = `"v-` + id + `"`
		}
		return `"inVs":[` + strings.Join(ids, ",") + `]`
	})
}

func TestIDForms(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/handwritten.lsif")
	tests := []struct {
		name string
		dump string
	}{
		{"string ids", withStringIDs(dump)},
		// A string of digits is the same id as the number.
		{"numeric strings", strings.ReplaceAll(dump, `"outV":5,`, `"outV":"5",`)},
		// 1:1 edges written with inVs, 1:n edges with inV.
		{"inVs and inV swapped", strings.NewReplacer(
			`"label":"next","outV":3,"inV":5`, `"label":"next","outV":3,"inVs":[5]`,
			`"item","outV":8,"inVs":[3]`, `"item","outV":8,"inV":3`,
		).Replace(dump)},
		// LSIF 0.5 names the item edge's document "shard".
		{"shard", strings.ReplaceAll(dump, `"document":2`, `"shard":2`)},
		// Keys in another order, escapes, spaces, CRLF and blank lines.
		{"layout", strings.NewReplacer(
			`{"id":3,"type":"vertex","label":"range",`, `{ "label" : "range", "type":"vertex", "\u0069d" : 3 ,`,
			"\n", "\r\n\n",
		).Replace(dump)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.dump == dump {
				t.Fatal("the rewrite changed nothing")
			}
			rec, _ := mustConvert(t, tt.dump, lsif.Opts{})
			if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

// lines joins dump lines.
func lines(ls ...string) string { return strings.Join(ls, "\n") + "\n" }

const meta = `{"id":1,"type":"vertex","label":"metaData","version":"0.4.3","projectRoot":"file:///src/app"}`

func TestDuplicateDocumentsMerged(t *testing.T) {
	t.Parallel()
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":4,"type":"vertex","label":"hoverResult","result":{"contents":"one"}}`,
		`{"id":5,"type":"edge","label":"textDocument/hover","outV":3,"inV":4}`,
		`{"id":6,"type":"edge","label":"contains","outV":2,"inVs":[3]}`,
		// The same file again, with one range repeated and one new.
		`{"id":7,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":8,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":9,"type":"edge","label":"textDocument/hover","outV":8,"inV":4}`,
		`{"id":10,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":11,"type":"edge","label":"textDocument/hover","outV":10,"inV":4}`,
		`{"id":12,"type":"edge","label":"contains","outV":7,"inVs":[8,10]}`,
		`{"id":13,"type":"vertex","label":"definitionResult"}`,
		`{"id":14,"type":"edge","label":"textDocument/definition","outV":10,"inV":13}`,
		`{"id":15,"type":"edge","label":"item","outV":13,"inVs":[3,8],"document":7}`,
	)
	rec, stats := mustConvert(t, dump, lsif.Opts{})
	if stats.Documents != 1 || stats.DuplicateDocuments != 1 {
		t.Errorf("Documents %d, DuplicateDocuments %d: want 1 and 1", stats.Documents, stats.DuplicateDocuments)
	}
	want := []lsif.DocumentRange{
		{Range: rng(0, 0, 0, 1), DefinitionResultID: 1, HoverID: 1},
		{Range: rng(1, 0, 1, 1), HoverID: 1},
	}
	if diff := cmp.Diff(want, rec.Documents["a.ts"].Ranges); diff != "" {
		t.Errorf("ranges (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]lsif.Location{loc("a.ts", 1, 0, 1, 1)}, rec.Results[1].Locations); diff != "" {
		t.Errorf("locations of the two copies of one range (-want +got):\n%s", diff)
	}
}

func TestNextChains(t *testing.T) {
	t.Parallel()
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":3}}`,
		`{"id":4,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":3}}`,
		`{"id":5,"type":"edge","label":"contains","outV":2,"inVs":[3,4]}`,
		`{"id":6,"type":"vertex","label":"resultSet"}`,
		`{"id":7,"type":"vertex","label":"resultSet"}`,
		`{"id":8,"type":"edge","label":"next","outV":3,"inV":6}`,
		`{"id":9,"type":"edge","label":"next","outV":4,"inV":6}`,
		`{"id":10,"type":"edge","label":"next","outV":6,"inV":7}`,
		// Data at every level: the nearest wins.
		`{"id":11,"type":"vertex","label":"hoverResult","result":{"contents":"near"}}`,
		`{"id":12,"type":"vertex","label":"hoverResult","result":{"contents":"far"}}`,
		`{"id":13,"type":"edge","label":"textDocument/hover","outV":6,"inV":11}`,
		`{"id":14,"type":"edge","label":"textDocument/hover","outV":7,"inV":12}`,
		`{"id":15,"type":"vertex","label":"definitionResult"}`,
		`{"id":16,"type":"edge","label":"textDocument/definition","outV":7,"inV":15}`,
		`{"id":17,"type":"edge","label":"item","outV":15,"inVs":[3],"document":2}`,
		`{"id":18,"type":"vertex","label":"hoverResult","result":{"contents":"own"}}`,
		`{"id":19,"type":"edge","label":"textDocument/hover","outV":4,"inV":18}`,
		// A cycle must not hang.
		`{"id":20,"type":"edge","label":"next","outV":7,"inV":6}`,
	)
	rec, _ := mustConvert(t, dump, lsif.Opts{})
	if got := rec.HoverAt("a.ts", 0, 1); got != "near" {
		t.Errorf("hover through the chain = %q, want near", got)
	}
	if got := rec.HoverAt("a.ts", 1, 1); got != "own" {
		t.Errorf("hover on the range itself = %q, want own", got)
	}
	for _, line := range []int32{0, 1} {
		if diff := cmp.Diff([]lsif.Location{loc("a.ts", 0, 0, 0, 3)}, rec.Definitions("a.ts", line, 1)); diff != "" {
			t.Errorf("line %d: definition two links down (-want +got):\n%s", line, diff)
		}
	}
}

func TestLinkedReferenceResults(t *testing.T) {
	t.Parallel()
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":4,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":5,"type":"vertex","label":"range","start":{"line":2,"character":0},"end":{"line":2,"character":1}}`,
		`{"id":6,"type":"edge","label":"contains","outV":2,"inVs":[3,4,5]}`,
		`{"id":7,"type":"vertex","label":"referenceResult"}`,
		`{"id":8,"type":"vertex","label":"referenceResult"}`,
		`{"id":9,"type":"vertex","label":"referenceResult"}`,
		`{"id":10,"type":"edge","label":"textDocument/references","outV":3,"inV":7}`,
		`{"id":11,"type":"edge","label":"textDocument/references","outV":4,"inV":8}`,
		`{"id":12,"type":"edge","label":"textDocument/references","outV":5,"inV":9}`,
		`{"id":13,"type":"edge","label":"item","outV":7,"inVs":[3],"document":2,"property":"references"}`,
		`{"id":14,"type":"edge","label":"item","outV":8,"inVs":[4],"document":2,"property":"references"}`,
		`{"id":15,"type":"edge","label":"item","outV":9,"inVs":[5],"document":2,"property":"references"}`,
		// 9 -> 8 -> 7: a result includes what it links to, transitively,
		// and nothing of what links to it.
		`{"id":16,"type":"edge","label":"item","outV":9,"inVs":[8],"document":2,"property":"referenceResults"}`,
		`{"id":17,"type":"edge","label":"item","outV":8,"inVs":[7],"document":2}`,
		// As lsif-tsc links a module it could not resolve to each name
		// imported from it: 18 -> 7, 9. Neither gains the other's
		// locations through 18, and a cycle ends.
		`{"id":18,"type":"vertex","label":"referenceResult"}`,
		`{"id":19,"type":"edge","label":"item","outV":18,"inVs":[7,9],"document":2,"property":"referenceResults"}`,
		`{"id":20,"type":"edge","label":"item","outV":7,"inVs":[7],"document":2,"property":"referenceResults"}`,
	)
	rec, stats := mustConvert(t, dump, lsif.Opts{})
	all := []lsif.Location{loc("a.ts", 0, 0, 0, 1), loc("a.ts", 1, 0, 1, 1), loc("a.ts", 2, 0, 2, 1)}
	for line := range int32(3) {
		if diff := cmp.Diff(all[:line+1], rec.References("a.ts", line, 0)); diff != "" {
			t.Errorf("line %d: references (-want +got):\n%s", line, diff)
		}
	}
	if len(rec.Results) != 4 || stats.LinkedReferences != 5 {
		t.Errorf("%d results, %d links: want 4 results and 5 links", len(rec.Results), stats.LinkedReferences)
	}
}

func TestMonikerUnion(t *testing.T) {
	t.Parallel()
	pkg := `{"id":20,"type":"vertex","label":"packageInformation","name":"app","manager":"npm","version":"2.0.0"}`
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":4,"type":"edge","label":"contains","outV":2,"inVs":[3]}`,
		`{"id":5,"type":"vertex","label":"resultSet"}`,
		`{"id":6,"type":"edge","label":"next","outV":3,"inV":5}`,
		`{"id":7,"type":"vertex","label":"moniker","scheme":"tsc","identifier":"a:x","kind":"export"}`,
		`{"id":8,"type":"vertex","label":"moniker","scheme":"internal","identifier":"x#1"}`, // no kind: local
		`{"id":9,"type":"vertex","label":"moniker","scheme":"npm","identifier":"app::x","kind":"export"}`,
		`{"id":10,"type":"vertex","label":"moniker","scheme":"other","identifier":"x","kind":"export"}`,
		`{"id":11,"type":"edge","label":"moniker","outV":5,"inV":7}`,
		`{"id":12,"type":"edge","label":"nextMoniker","outV":7,"inV":9}`,
		// LSIF 0.5 attach, pointing the other way.
		`{"id":14,"type":"edge","label":"attach","outV":10,"inV":9}`,
		pkg,
		`{"id":21,"type":"edge","label":"packageInformation","outV":9,"inV":20}`,
		// Local and document-unique monikers link nothing: 7 -> 8 <- 16
		// and 7 -> 17 <- 16 do not make 16 (another symbol, on another
		// range, as lsif-tsc attaches many to one local "none") a moniker
		// of this range, nor this range's monikers 16's.
		`{"id":13,"type":"edge","label":"nextMoniker","outV":7,"inV":8}`,
		`{"id":15,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":22,"type":"edge","label":"contains","outV":2,"inVs":[15]}`,
		`{"id":16,"type":"vertex","label":"moniker","scheme":"tsc","identifier":"a:y","kind":"export"}`,
		`{"id":17,"type":"vertex","label":"moniker","scheme":"tsc","identifier":"y","kind":"export","unique":"document"}`,
		`{"id":18,"type":"edge","label":"moniker","outV":15,"inV":16}`,
		`{"id":19,"type":"edge","label":"attach","outV":16,"inV":8}`,
		`{"id":23,"type":"edge","label":"attach","outV":7,"inV":17}`,
		`{"id":24,"type":"edge","label":"attach","outV":16,"inV":17}`,
	)
	rec, stats := mustConvert(t, dump, lsif.Opts{})
	if stats.LocalMonikerLinks != 4 {
		t.Errorf("%d links to local monikers, want 4", stats.LocalMonikerLinks)
	}
	other, _ := rec.RangeAt("a.ts", 1, 0)
	if diff := cmp.Diff([]lsif.Moniker{{Kind: lsif.Export, Scheme: "tsc", Identifier: "a:y"}}, other.Monikers); diff != "" {
		t.Errorf("monikers of the other range (-want +got):\n%s", diff)
	}
	r, _ := rec.RangeAt("a.ts", 0, 0)
	want := []lsif.Moniker{
		{Kind: lsif.Export, Scheme: "npm", Identifier: "app::x", Package: lsif.PackageInfo{Manager: "npm", Name: "app", Version: "2.0.0"}},
		{Kind: lsif.Export, Scheme: "other", Identifier: "x"},
		{Kind: lsif.Export, Scheme: "tsc", Identifier: "a:x"},
	}
	if diff := cmp.Diff(want, r.Monikers); diff != "" {
		t.Errorf("monikers (-want +got):\n%s", diff)
	}
}

func TestHoverForms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		result string
		want   string
	}{
		{`{"contents":"  plain  "}`, "plain"},
		{`{"contents":{"language":"go","value":"func F()"}}`, "```go\nfunc F()\n```"},
		{`{"contents":{"kind":"markdown","value":"**bold**"}}`, "**bold**"},
		{`{"contents":{"kind":"plaintext","value":"text"}}`, "text"},
		{`{"contents":[{"language":"go","value":"var x int"},"","doc \u00e9\n"]}`, "```go\nvar x int\n```\n\n---\n\ndoc é"},
		{`{"contents":[]}`, ""},
		{`{}`, ""},
	}
	for _, tt := range tests {
		dump := lines(meta,
			`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
			`{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
			`{"id":4,"type":"vertex","label":"hoverResult","result":`+tt.result+`}`,
		)
		rec, _ := mustConvert(t, dump, lsif.Opts{})
		if got := rec.Hovers[1]; got != tt.want {
			t.Errorf("%s: hover %q, want %q", tt.result, got, tt.want)
		}
	}
}

func TestMonikerLocationsOfOwnResults(t *testing.T) {
	t.Parallel()
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":4,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":5,"type":"edge","label":"contains","outV":2,"inVs":[3,4]}`,
		`{"id":6,"type":"vertex","label":"resultSet"}`,
		`{"id":7,"type":"edge","label":"next","outV":3,"inV":6}`,
		`{"id":8,"type":"edge","label":"next","outV":4,"inV":6}`,
		`{"id":9,"type":"vertex","label":"moniker","scheme":"s","identifier":"m","kind":"export"}`,
		`{"id":10,"type":"edge","label":"moniker","outV":6,"inV":9}`,
		`{"id":11,"type":"vertex","label":"definitionResult"}`,
		`{"id":12,"type":"edge","label":"textDocument/definition","outV":6,"inV":11}`,
		`{"id":13,"type":"edge","label":"item","outV":11,"inVs":[4],"document":2}`,
		// Range 3 overrides the set's definition with its own.
		`{"id":14,"type":"vertex","label":"definitionResult"}`,
		`{"id":15,"type":"edge","label":"textDocument/definition","outV":3,"inV":14}`,
		`{"id":16,"type":"edge","label":"item","outV":14,"inVs":[3],"document":2}`,
	)
	rec, _ := mustConvert(t, dump, lsif.Opts{})
	want := []lsif.Location{loc("a.ts", 0, 0, 0, 1), loc("a.ts", 1, 0, 1, 1)}
	if diff := cmp.Diff(want, rec.Locations(lsif.Definitions, "s", "m")); diff != "" {
		t.Errorf("moniker definitions (-want +got):\n%s", diff)
	}
}
