package lsif_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
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
		Monikers: []lsif.MonikerLocations{
			{Kind: lsif.Definitions, Scheme: "npm", Identifier: "app::foo", Locations: fooDef},
			{Kind: lsif.References, Scheme: "npm", Identifier: "app::foo", Locations: fooRefs},
			{Kind: lsif.References, Scheme: "npm", Identifier: "lib::bar", Locations: barRefs},
			{Kind: lsif.Definitions, Scheme: "tsc", Identifier: "a:foo", Locations: fooDef},
			{Kind: lsif.References, Scheme: "tsc", Identifier: "a:foo", Locations: fooRefs},
		},
		Packages:    []lsif.Package{{Scheme: "npm", PackageInfo: appPkg}},
		PackageRefs: []lsif.PackageRef{{Package: lsif.Package{Scheme: "npm", PackageInfo: libPkg}, Identifiers: []string{"lib::bar"}}},
	}
}

func TestHandwritten(t *testing.T) {
	t.Parallel()
	rec, stats := mustConvert(t, readFile(t, "testdata/handwritten.lsif"), lsif.Opts{})
	if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
	want := lsif.Stats{
		Bytes: stats.Bytes, StateBytes: stats.StateBytes, Lines: 35, Vertices: 17, Edges: 18, LSIFVersion: "0.4.3", ToolName: "handwritten", ToolVersion: "1.0",
		ProjectRoot: "file:///src/app", Documents: 1, Ranges: 3, ResultSets: 2, DefinitionResults: 1,
		ReferenceResults: 2, Hovers: 1, Monikers: 3, Diagnostics: 1,
		OutDocuments: 1, OutRanges: 3, OutResults: 3, OutLocations: 4, OutMonikerLocations: 5,
		OutPackages: 1, OutPackageRefs: 1,
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
		// 9 -> 8 -> 7: one set, whichever way the links point.
		`{"id":16,"type":"edge","label":"item","outV":9,"inVs":[8],"document":2,"property":"referenceResults"}`,
		`{"id":17,"type":"edge","label":"item","outV":8,"inVs":[7],"document":2}`,
	)
	rec, stats := mustConvert(t, dump, lsif.Opts{})
	want := []lsif.Location{loc("a.ts", 0, 0, 0, 1), loc("a.ts", 1, 0, 1, 1), loc("a.ts", 2, 0, 2, 1)}
	for line := range int32(3) {
		if diff := cmp.Diff(want, rec.References("a.ts", line, 0)); diff != "" {
			t.Errorf("line %d: references (-want +got):\n%s", line, diff)
		}
	}
	if len(rec.Results) != 1 || stats.LinkedReferences != 2 {
		t.Errorf("%d results, %d links: want one result and 2 links", len(rec.Results), stats.LinkedReferences)
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
		// export -> local -> export: the local one links but is not output.
		`{"id":12,"type":"edge","label":"nextMoniker","outV":7,"inV":8}`,
		`{"id":13,"type":"edge","label":"nextMoniker","outV":8,"inV":9}`,
		// LSIF 0.5 attach, pointing the other way.
		`{"id":14,"type":"edge","label":"attach","outV":10,"inV":9}`,
		pkg,
		`{"id":21,"type":"edge","label":"packageInformation","outV":9,"inV":20}`,
	)
	rec, _ := mustConvert(t, dump, lsif.Opts{})
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

func TestProjectRoot(t *testing.T) {
	t.Parallel()
	doc := func(uri string) string {
		return fmt.Sprintf(`{"id":10,"type":"vertex","label":"document","uri":%q}`, uri) + "\n" +
			`{"id":11,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}` + "\n" +
			`{"id":12,"type":"vertex","label":"hoverResult","result":{"contents":"h"}}` + "\n" +
			`{"id":13,"type":"edge","label":"textDocument/hover","outV":11,"inV":12}` + "\n" +
			`{"id":14,"type":"edge","label":"contains","outV":10,"inVs":[11]}` + "\n"
	}
	group := `{"id":2,"type":"vertex","label":"group","uri":"file:///g","conflictResolution":"takeDB","name":"g","rootUri":"file:///g"}` + "\n"
	tests := []struct {
		name     string
		dump     string
		opts     lsif.Opts
		wantRoot string
		wantPath string // "" when dropped
	}{
		{"metaData projectRoot", lines(meta) + doc("file:///src/app/lib/a.ts"), lsif.Opts{}, "file:///src/app", "lib/a.ts"},
		{"metaData wins over group", lines(meta) + group + doc("file:///src/app/a.ts"), lsif.Opts{}, "file:///src/app", "a.ts"},
		{"LSIF 0.5 group rootUri", lines(`{"id":1,"type":"vertex","label":"metaData","version":"0.5.3"}`) + group + doc("file:///g/a.ts"), lsif.Opts{}, "file:///g", "a.ts"},
		{"caller's root wins", lines(meta) + doc("file:///elsewhere/a.ts"), lsif.Opts{ProjectRoot: "file:///elsewhere/"}, "file:///elsewhere/", "a.ts"},
		{"percent-encoded", lines(meta) + doc("file:///src/app/my%20dir/a.ts"), lsif.Opts{}, "file:///src/app", "my dir/a.ts"},
		{"upload root is the project root", lines(meta) + doc("file:///src/app/a.ts"), lsif.Opts{Root: "app"}, "file:///src/app", "app/a.ts"},
		{"project root is the repository", lines(meta) + doc("file:///src/app/web/a.ts"), lsif.Opts{Root: "web/"}, "file:///src/app", "web/a.ts"},
		{"outside the upload root", lines(meta) + doc("file:///src/app/api/a.ts"), lsif.Opts{Root: "web"}, "file:///src/app", ""},
		{"outside the project root", lines(meta) + doc("file:///src/other/a.ts"), lsif.Opts{}, "file:///src/app", ""},
		{"escaping with ..", lines(meta) + doc("file:///src/app/../secret/a.ts"), lsif.Opts{}, "file:///src/app", ""},
		{"a sibling with the root as prefix", lines(meta) + doc("file:///src/application/a.ts"), lsif.Opts{}, "file:///src/app", ""},
		{"another scheme", lines(meta) + doc("untitled:///src/app/a.ts"), lsif.Opts{}, "file:///src/app", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec, stats := mustConvert(t, tt.dump, tt.opts)
			if stats.ProjectRoot != tt.wantRoot {
				t.Errorf("ProjectRoot = %q, want %q", stats.ProjectRoot, tt.wantRoot)
			}
			var want []string
			if tt.wantPath != "" {
				want = []string{tt.wantPath}
			} else if stats.OutsideRoot != 1 {
				t.Errorf("OutsideRoot = %d, want 1", stats.OutsideRoot)
			}
			if diff := cmp.Diff(want, rec.Paths); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNoProjectRoot(t *testing.T) {
	t.Parallel()
	_, _, err := convert(t, lines(`{"id":1,"type":"vertex","label":"metaData","version":"0.5.3"}`), lsif.Opts{})
	if !errors.Is(err, lsif.ErrMalformed) || !strings.Contains(err.Error(), "no project root") {
		t.Errorf("err = %v, want a malformed dump with no project root", err)
	}
	if _, _, err := convert(t, lines(meta), lsif.Opts{Root: "../x"}); err == nil || !strings.Contains(err.Error(), "outside the repository") {
		t.Errorf("root ../x: err = %v, want outside the repository", err)
	}
}

func TestPrune(t *testing.T) {
	t.Parallel()
	dump := lines(meta,
		`{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`,
		`{"id":3,"type":"vertex","label":"document","uri":"file:///src/app/gen/b.ts"}`,
		`{"id":4,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":5,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`,
		`{"id":6,"type":"vertex","label":"range","start":{"line":1,"character":0},"end":{"line":1,"character":1}}`,
		`{"id":7,"type":"edge","label":"contains","outV":2,"inVs":[4,6]}`,
		`{"id":8,"type":"edge","label":"contains","outV":3,"inVs":[5]}`,
		// a.ts uses what gen/b.ts defines, and refers to it from both.
		`{"id":9,"type":"vertex","label":"resultSet"}`,
		`{"id":10,"type":"edge","label":"next","outV":4,"inV":9}`,
		`{"id":11,"type":"edge","label":"next","outV":5,"inV":9}`,
		`{"id":12,"type":"vertex","label":"definitionResult"}`,
		`{"id":13,"type":"edge","label":"textDocument/definition","outV":9,"inV":12}`,
		`{"id":14,"type":"edge","label":"item","outV":12,"inVs":[5],"document":3}`,
		`{"id":15,"type":"vertex","label":"referenceResult"}`,
		`{"id":16,"type":"edge","label":"textDocument/references","outV":9,"inV":15}`,
		`{"id":17,"type":"edge","label":"item","outV":15,"inVs":[4],"document":2}`,
		`{"id":18,"type":"edge","label":"item","outV":15,"inVs":[5],"document":3}`,
		// A range with nothing but a pruned definition carries no data.
		`{"id":19,"type":"edge","label":"textDocument/definition","outV":6,"inV":12}`,
	)
	var asked []string
	exists := func(p string) bool { asked = append(asked, p); return !strings.HasPrefix(p, "gen/") }
	rec, stats := mustConvert(t, dump, lsif.Opts{Exists: exists})
	if diff := cmp.Diff([]string{"a.ts", "gen/b.ts"}, asked); diff != "" {
		t.Errorf("Exists calls (-want +got):\n%s", diff)
	}
	if stats.Pruned != 1 {
		t.Errorf("Pruned = %d, want 1", stats.Pruned)
	}
	want := []lsif.DocumentRange{{Range: rng(0, 0, 0, 1), ReferenceResultID: 2}}
	if diff := cmp.Diff(want, rec.Documents["a.ts"].Ranges); diff != "" {
		t.Errorf("ranges (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[int32]lsif.Result{2: {ID: 2, Kind: lsif.References, Locations: []lsif.Location{loc("a.ts", 0, 0, 0, 1)}}}, rec.Results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
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

func TestIgnored(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/handwritten.lsif") + lines(
		`{"id":100,"type":"vertex","label":"$event","kind":"begin","scope":"document","data":2}`,
		`{"id":101,"type":"vertex","label":"project","kind":"typescript"}`,
		`{"id":102,"type":"edge","label":"contains","outV":101,"inVs":[2]}`,
		`{"id":103,"type":"vertex","label":"sourcegraph:documentationResult","result":{"identifier":"x"}}`,
		`{"id":104,"type":"edge","label":"item","outV":103,"inVs":[2]}`,
		`{"id":105,"type":"vertex","label":"someFutureVertex","payload":[1,{"a":null}]}`,
		`{"id":106,"type":"edge","label":"someFutureEdge","outV":999,"inV":998}`,
		`{"id":107,"type":"edge","label":"belongsTo","outV":101,"inV":105}`,
		`{"id":108,"type":"vertex","label":"diagnosticResult","result":[]}`,
		`{"id":109,"type":"edge","label":"textDocument/diagnostic","outV":101,"inV":108}`,
	)
	rec, _ := mustConvert(t, dump, lsif.Opts{})
	if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	doc := `{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts"}`
	rangeV := `{"id":3,"type":"vertex","label":"range","start":{"line":0,"character":0},"end":{"line":0,"character":1}}`
	tests := []struct {
		name string
		last string // line 4, after meta, doc and range
		want string
	}{
		{"truncated line", `{"id":4,"type":"vertex","label":"resu`, "line 4: invalid JSON: unterminated string at column 33"},
		{"not an object", `[1,2]`, "line 4: invalid JSON: unexpected '[', want '{' starting an element at column 1"},
		{"trailing garbage", `{"id":4,"type":"vertex","label":"resultSet"} x`, "line 4: invalid JSON: unexpected 'x' after the element (one element per line) at column 46"},
		{"bad escape", `{"id":4,"type":"vertex","label":"a\qb"}`, `line 4: invalid JSON: invalid escape 'q' in string at column 35`},
		{"bad type", `{"id":4,"type":"vortex","label":"range"}`, `line 4: element "type" is "vortex", want "vertex" or "edge"`},
		{"no label", `{"id":4,"type":"vertex"}`, `line 4: element has no "label"`},
		{"float id", `{"id":4.5,"type":"vertex","label":"resultSet"}`, "line 4: resultSet vertex: id 4.5 is not an integer or a string"},
		{"duplicate id", `{"id":3,"type":"vertex","label":"resultSet"}`, "line 4: duplicate vertex id 3 (already a range)"},
		{"range without end", `{"id":4,"type":"vertex","label":"range","start":{"line":0,"character":0}}`, "line 4: range end: want an object {line, character}, got "},
		{"negative position", `{"id":4,"type":"vertex","label":"range","start":{"line":-1,"character":0},"end":{"line":0,"character":0}}`, "line 4: range start: line -1 is not a non-negative integer"},
		{"unknown vertex", `{"id":4,"type":"edge","label":"contains","outV":2,"inVs":[3,77]}`, "line 4: contains edge: inVs element 77 names no vertex before it (an edge must come after the vertices it joins)"},
		{"wrong kind", `{"id":4,"type":"edge","label":"next","outV":3,"inV":2}`, "line 4: next edge: inV 2 is a document, want a resultSet"},
		{"no outV", `{"id":4,"type":"edge","label":"next","inV":3}`, `line 4: next edge has no "outV"`},
		{"no inV", `{"id":4,"type":"edge","label":"next","outV":3}`, `line 4: next edge has neither "inV" nor "inVs"`},
		{"contains a document", `{"id":4,"type":"edge","label":"contains","outV":2,"inVs":[2]}`, "line 4: contains edge: inV 2 is a document, want a range"},
		{"document without uri", `{"id":4,"type":"vertex","label":"document"}`, `line 4: document vertex has no "uri"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, stats, err := convert(t, lines(meta, doc, rangeV, tt.last, rangeV), lsif.Opts{})
			if err == nil {
				t.Fatal("no error")
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("err = %q, want it to start with %q", err, tt.want)
			}
			var le *lsif.LineError
			if !errors.Is(err, lsif.ErrMalformed) || !errors.As(err, &le) || le.Line != 4 {
				t.Errorf("err = %#v, want a *LineError for line 4 wrapping ErrMalformed", err)
			}
			if stats.Lines != 4 {
				t.Errorf("Lines = %d, want 4 (stop at the bad line)", stats.Lines)
			}
		})
	}
}

func TestLineTooLong(t *testing.T) {
	t.Parallel()
	long := `{"id":2,"type":"vertex","label":"document","uri":"file:///src/app/a.ts","contents":"` + strings.Repeat("A", 3<<20) + `"}`
	_, _, err := convert(t, lines(meta, long), lsif.Opts{MaxLineSize: 2 << 20})
	if err == nil || !strings.Contains(err.Error(), "line 2: line longer than 2097152 bytes") {
		t.Errorf("err = %v, want line 2 too long", err)
	}
	// The default accepts it (and a line longer than the read buffer). A
	// document without ranges is still delivered: it was indexed.
	rec, _ := mustConvert(t, lines(meta, long, `{"id":3,"type":"vertex","label":"resultSet"}`), lsif.Opts{})
	if diff := cmp.Diff([]string{"a.ts"}, rec.Paths); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func gzipMembers(t *testing.T, data string, parts int) []byte {
	t.Helper()
	var buf bytes.Buffer
	size := len(data)/parts + 1
	for off := 0; off < len(data); off += size {
		zw := gzip.NewWriter(&buf)
		if _, err := zw.Write([]byte(data[off:min(off+size, len(data))])); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return buf.Bytes()
}

func TestGzip(t *testing.T) {
	t.Parallel()
	dump := readFile(t, "testdata/handwritten.lsif")
	gz := gzipMembers(t, dump, 5) // members split mid-line, as upload chunks are

	rec := lsiftest.NewRecorder()
	if _, err := lsif.Convert(context.Background(), bytes.NewReader(gz), lsif.Opts{}, rec); err != nil {
		t.Fatalf("concatenated members: %v", err)
	}
	if diff := cmp.Diff(handwrittenWant(), rec); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}

	for _, cut := range []int{len(gz) - 4, len(gz) / 2, 12} {
		_, err := lsif.Convert(context.Background(), bytes.NewReader(gz[:cut]), lsif.Opts{}, lsiftest.NewRecorder())
		if !errors.Is(err, lsif.ErrMalformed) || !strings.Contains(err.Error(), "gzip stream truncated") {
			t.Errorf("cut at %d of %d: err = %v, want a truncated gzip stream", cut, len(gz), err)
		}
	}
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)/3] ^= 0xff
	if _, err := lsif.Convert(context.Background(), bytes.NewReader(corrupt), lsif.Opts{}, lsiftest.NewRecorder()); !errors.Is(err, lsif.ErrMalformed) {
		t.Errorf("corrupt: err = %v, want ErrMalformed", err)
	}
}

type failingSink struct {
	*lsiftest.Recorder
	err error
}

func (s failingSink) Document(lsif.Document) error { return s.err }

func TestSinkError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := lsif.Convert(context.Background(), strings.NewReader(readFile(t, "testdata/handwritten.lsif")), lsif.Opts{}, failingSink{lsiftest.NewRecorder(), boom})
	if !errors.Is(err, boom) || errors.Is(err, lsif.ErrMalformed) || err.Error() != "document a.ts: boom" {
		t.Errorf("err = %v, want the sink's error, not a malformed dump", err)
	}
}

func TestCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dump := lines(meta) + strings.Repeat(`{"id":2,"type":"edge","label":"unknown"}`+"\n", 10000)
	if _, err := lsif.Convert(ctx, strings.NewReader(dump), lsif.Opts{}, lsiftest.NewRecorder()); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
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
