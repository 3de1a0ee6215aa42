package scip_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
	"github.com/sightline-dev/sightline/sources/scip"
)

// The fixtures are real scip-typescript 0.4.0 indexes of the TypeScript
// projects the lsif-tsc fixtures are made of (../lsif/testdata/shapes, a
// library published as npm package "shapes" 1.2.3, and app, which imports
// it by name); testdata/README.md says how to regenerate them.

func convertFile(t *testing.T, name string, opts lsif.Opts) (*lsiftest.Recorder, lsif.Stats) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return convert(t, b, opts)
}

const shapesPrefix = "scip-typescript npm shapes 1.2.3 "

func TestShapesIndex(t *testing.T) {
	t.Parallel()
	rec, stats := convertFile(t, "shapes.scip", lsif.Opts{})
	if stats.ToolName != "scip-typescript" || stats.ToolVersion != "0.4.0" {
		t.Errorf("tool %q %q", stats.ToolName, stats.ToolVersion)
	}
	if diff := cmp.Diff([]string{"src/circle.ts", "src/index.ts", "src/measure.ts", "src/shape.ts"}, rec.Paths); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	// export class Circle implements Shape (circle.ts line 5): used in index.ts.
	circleDef := []lsif.Location{loc("src/circle.ts", 5, 13, 5, 19)}
	if diff := cmp.Diff(circleDef, rec.Definitions("src/index.ts", 1, 10)); diff != "" {
		t.Errorf("definition of Circle from index.ts (-want +got):\n%s", diff)
	}
	if got := rec.HoverAt("src/index.ts", 1, 10); !strings.Contains(got, "class Circle") || !strings.Contains(got, "A circle given by its centre and radius.") {
		t.Errorf("hover of Circle = %q", got)
	}
	// Circle.name implements Shape.name: scip-typescript relates them, so
	// Shape.name's references include Circle's declaration.
	refs := rec.References("src/shape.ts", 13, 12)
	if !slices.Contains(refs, loc("src/circle.ts", 6, 11, 6, 15)) || !slices.Contains(refs, loc("src/measure.ts", 16, 14, 16, 18)) {
		t.Errorf("references of Shape.name = %v, want Circle.name's declaration and the use in measure.ts", refs)
	}
	// total, a local of area() in measure.ts: no moniker, and its
	// references stay in its document.
	dr, ok := rec.RangeAt("src/measure.ts", 7, 7)
	if !ok || len(dr.Monikers) != 0 || dr.DefinitionResultID == 0 {
		t.Errorf("range of total = %+v, want a local definition without monikers", dr)
	}
	want := []lsif.Package{{Scheme: "scip-typescript", PackageInfo: lsif.PackageInfo{Manager: "npm", Name: "shapes", Version: "1.2.3"}}}
	if diff := cmp.Diff(want, rec.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if got := rec.Locations(lsif.Definitions, "scip-typescript", shapesPrefix+"src/`circle.ts`/Circle#"); !cmp.Equal(circleDef, got) {
		t.Errorf("moniker definitions of Circle = %v, want %v", got, circleDef)
	}
}

// TestAppImportsShapes: app's uses of shapes carry import monikers whose
// identifiers are the ones shapes' index exports, and a package reference
// to shapes 1.2.3 listing them: what links the two uploads.
func TestAppImportsShapes(t *testing.T) {
	t.Parallel()
	rec, _ := convertFile(t, "app.scip", lsif.Opts{})
	dr, ok := rec.RangeAt("src/main.ts", 0, 10) // import { Circle, ...
	circle := shapesPrefix + "src/`circle.ts`/Circle#"
	want := []lsif.Moniker{{Kind: lsif.Import, Scheme: "scip-typescript", Identifier: circle,
		Package: lsif.PackageInfo{Manager: "npm", Name: "shapes", Version: "1.2.3"}}}
	if !ok || dr.DefinitionResultID != 0 || !cmp.Equal(want, dr.Monikers) {
		t.Errorf("range of imported Circle = %+v, want no local definition and moniker %v", dr, want)
	}
	var ids []string
	for _, p := range rec.PackageRefs {
		if p.Name == "shapes" {
			ids = p.Identifiers
		}
	}
	if !slices.Contains(ids, circle) {
		t.Errorf("package reference to shapes lists %v, want %q among them", ids, circle)
	}
	shapes, _ := convertFile(t, "shapes.scip", lsif.Opts{})
	if got := shapes.Locations(lsif.Definitions, "scip-typescript", circle); len(got) != 1 {
		t.Errorf("shapes' index defines %q at %v, want one location", circle, got)
	}
}

func TestGzippedIndex(t *testing.T) {
	t.Parallel()
	plain, err := os.ReadFile("testdata/shapes.scip")
	if err != nil {
		t.Fatal(err)
	}
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write(plain)
	_ = zw.Close()
	want, _ := convert(t, plain, lsif.Opts{})
	got := lsiftest.NewRecorder()
	if _, err := scip.Convert(context.Background(), &gz, lsif.Opts{}, got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Text(), got.Text()); diff != "" {
		t.Errorf("gzipped index converts differently (-plain +gzipped):\n%s", diff)
	}
}

// TestShapesDocEntries: the API docs entries of the documented symbols
// shapes defines, with the signature scip-typescript puts first in the
// documentation; parameters and files have none.
func TestShapesDocEntries(t *testing.T) {
	t.Parallel()
	rec, _ := convertFile(t, "shapes.scip", lsif.Opts{})
	byKey := map[string]lsif.DocEntry{}
	for _, e := range rec.DocEntries {
		byKey[e.SearchKey] = e
	}
	want := []lsif.DocEntry{
		{Path: "src/circle.ts", Range: loc("", 5, 13, 5, 19).Range, Language: "typescript", Name: "Circle", Kind: "class",
			SearchKey: "shapes.Circle", Signature: "class Circle", Detail: "A circle given by its centre and radius.", Tags: []string{"class", "exported"}},
		{Path: "src/circle.ts", Range: loc("", 10, 2, 10, 6).Range, Language: "typescript", Name: "area", Kind: "method",
			SearchKey: "shapes.Circle.area", Signature: "(method) area(): number", Detail: "Area in square units.", Tags: []string{"method", "exported"}},
		{Path: "src/circle.ts", Range: loc("", 8, 2, 8, 13).Range, Language: "typescript", Name: "constructor", Kind: "constructor",
			SearchKey: "shapes.Circle.constructor", Signature: "constructor(center: Point, radius: number): Circle",
			Detail: "A circle given by its centre and radius.", Tags: []string{"constructor", "exported"}},
		{Path: "src/measure.ts", Range: loc("", 6, 16, 6, 20).Range, Language: "typescript", Name: "area", Kind: "function",
			SearchKey: "shapes.area", Signature: "function area(...shapes: Shape[]): number", Detail: "Returns the total area of the given shapes.",
			Tags: []string{"function", "exported"}},
	}
	for _, w := range want {
		if diff := cmp.Diff(w, byKey[w.SearchKey]); diff != "" {
			t.Errorf("entry %s (-want +got):\n%s", w.SearchKey, diff)
		}
	}
	for _, e := range rec.DocEntries {
		if strings.Contains(e.SearchKey, "shapes.area.") || e.Name == "" || e.Kind == "module" {
			t.Errorf("unexpected entry %+v (a parameter or a file)", e)
		}
	}
	if len(rec.DocEntries) != 12 {
		t.Errorf("%d entries, want 12 (the documented interfaces, classes, members and functions)", len(rec.DocEntries))
	}
}
