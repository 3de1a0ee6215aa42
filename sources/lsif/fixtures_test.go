package lsif_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

// The fixtures are real lsif-tsc 0.5 dumps of testdata/shapes (a library
// published as npm package "shapes") and testdata/app (which imports it by
// name); testdata/README.md says how to regenerate them.

// notVendored stands in for git at the upload's commit: node_modules is
// not committed.
func notVendored(path string) bool { return !strings.Contains(path, "node_modules/") }

func convertFixture(t *testing.T, name string) (*lsiftest.Recorder, lsif.Stats) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := lsiftest.NewRecorder()
	stats, err := lsif.Convert(context.Background(), f, lsif.Opts{Exists: notVendored}, rec)
	if err != nil {
		t.Fatalf("convert %s: %v", name, err)
	}
	return rec, stats
}

func loc(path string, sl, sc, el, ec int32) lsif.Location {
	return lsif.Location{Path: path, Range: lsif.Range{StartLine: sl, StartCharacter: sc, EndLine: el, EndCharacter: ec}}
}

var shapesPkg = lsif.PackageInfo{Manager: "npm", Name: "shapes", Version: "1.2.3"}

func TestShapesFixture(t *testing.T) {
	t.Parallel()
	rec, stats := convertFixture(t, "shapes.lsif.gz")

	if stats.LSIFVersion != "0.5.3" || stats.ProjectRoot != "file:///tmp/sightline-lsif-fixtures/shapes" {
		t.Errorf("version %q, root %q: want 0.5.3 and the group's rootUri", stats.LSIFVersion, stats.ProjectRoot)
	}
	// TypeScript's lib.*.d.ts files lie outside the project root.
	if diff := cmp.Diff([]string{"src/circle.ts", "src/index.ts", "src/measure.ts", "src/shape.ts"}, rec.Paths); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	if stats.OutsideRoot != 5 {
		t.Errorf("OutsideRoot = %d, want 5", stats.OutsideRoot)
	}

	tests := []struct {
		name       string
		path       string
		line, char int32
		defs       []lsif.Location
		refs       []lsif.Location
		hover      string
	}{{
		name: "call in the same file",
		path: "src/measure.ts", line: 16, char: 31, // area(s) in describe
		defs: []lsif.Location{loc("src/measure.ts", 6, 16, 6, 20)},
		refs: []lsif.Location{
			loc("src/index.ts", 2, 9, 2, 13),
			loc("src/measure.ts", 6, 16, 6, 20),
			loc("src/measure.ts", 16, 30, 16, 34),
		},
		hover: "```typescript\nfunction area(...shapes: Shape[]): number\n```\n\n---\n\nReturns the total area of the given shapes.",
	}, {
		name: "imported interface",
		path: "src/circle.ts", line: 5, char: 33, // implements Shape
		defs: []lsif.Location{loc("src/shape.ts", 11, 17, 11, 22)},
		refs: []lsif.Location{
			loc("src/circle.ts", 0, 16, 0, 21),
			loc("src/circle.ts", 5, 31, 5, 36),
			loc("src/index.ts", 0, 16, 0, 21),
			loc("src/measure.ts", 0, 9, 0, 14),
			loc("src/measure.ts", 6, 32, 6, 37),
			loc("src/measure.ts", 15, 28, 15, 33),
			loc("src/shape.ts", 11, 17, 11, 22),
		},
		hover: "```typescript\n(alias) interface Shape\nimport Shape\n```\n\n---\n\nAnything that has an area.",
	}, {
		name: "class with JSDoc",
		path: "src/circle.ts", line: 5, char: 14,
		defs:  []lsif.Location{loc("src/circle.ts", 5, 13, 5, 19)},
		refs:  []lsif.Location{loc("src/circle.ts", 5, 13, 5, 19), loc("src/index.ts", 1, 9, 1, 15)},
		hover: "```typescript\nclass Circle\n```\n\n---\n\nA circle given by its centre and radius.",
	}, {
		name: "interface method: references linked to the implementation",
		path: "src/measure.ts", line: 9, char: 16, // s.area()
		defs: []lsif.Location{loc("src/shape.ts", 15, 2, 15, 6)},
		refs: []lsif.Location{
			loc("src/circle.ts", 10, 2, 10, 6),
			loc("src/measure.ts", 9, 15, 9, 19),
			loc("src/shape.ts", 15, 2, 15, 6),
		},
		hover: "```typescript\n(method) Shape.area(): number\n```\n\n---\n\nArea in square units.",
	}, {
		name: "definition outside the root is pruned",
		path: "src/measure.ts", line: 16, char: 40, // toFixed, in lib.es5.d.ts
		refs:  []lsif.Location{loc("src/measure.ts", 16, 38, 16, 45)},
		hover: "```typescript\n(method) Number.toFixed(fractionDigits?: number | undefined): string\n```\n\n---\n\nReturns a string representing a number in fixed-point notation.",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.defs, rec.Definitions(tt.path, tt.line, tt.char)); diff != "" {
				t.Errorf("definitions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.refs, rec.References(tt.path, tt.line, tt.char)); diff != "" {
				t.Errorf("references (-want +got):\n%s", diff)
			}
			if got := rec.HoverAt(tt.path, tt.line, tt.char); got != tt.hover {
				t.Errorf("hover = %q, want %q", got, tt.hover)
			}
		})
	}

	// Export monikers: lsif-tsc's tsc moniker and, attached to it, the npm
	// moniker with the package's information.
	r, _ := rec.RangeAt("src/circle.ts", 5, 14)
	wantMonikers := []lsif.Moniker{
		{Kind: lsif.Export, Scheme: "npm", Identifier: "shapes:lib/circle:Circle", Package: shapesPkg},
		{Kind: lsif.Export, Scheme: "tsc", Identifier: "lib/circle:Circle"},
	}
	if diff := cmp.Diff(wantMonikers, r.Monikers); diff != "" {
		t.Errorf("monikers of Circle (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]lsif.Location{loc("src/circle.ts", 5, 13, 5, 19)},
		rec.Locations(lsif.Definitions, "npm", "shapes:lib/circle:Circle")); diff != "" {
		t.Errorf("moniker definitions of Circle (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]lsif.Package{{Scheme: "npm", PackageInfo: shapesPkg}}, rec.Packages); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if len(rec.PackageRefs) != 0 {
		t.Errorf("package refs = %v, want none", rec.PackageRefs)
	}
}

func TestAppFixture(t *testing.T) {
	t.Parallel()
	rec, stats := convertFixture(t, "app.lsif.gz")

	// node_modules/shapes/lib/*.d.ts are in the dump but not in git.
	if diff := cmp.Diff([]string{"src/main.ts", "src/text.ts"}, rec.Paths); diff != "" {
		t.Errorf("documents (-want +got):\n%s", diff)
	}
	if stats.Pruned != 3 {
		t.Errorf("Pruned = %d, want 3", stats.Pruned)
	}

	// Within the upload, across files.
	if diff := cmp.Diff([]lsif.Location{loc("src/text.ts", 1, 16, 1, 21)}, rec.Definitions("src/main.ts", 8, 10)); diff != "" {
		t.Errorf("definitions of lines (-want +got):\n%s", diff)
	}
	wantRefs := []lsif.Location{loc("src/main.ts", 1, 9, 1, 14), loc("src/main.ts", 8, 9, 8, 14), loc("src/text.ts", 1, 16, 1, 21)}
	if diff := cmp.Diff(wantRefs, rec.References("src/main.ts", 8, 10)); diff != "" {
		t.Errorf("references of lines (-want +got):\n%s", diff)
	}

	// An imported class: defined in node_modules (pruned), so no local
	// definition, but import monikers that lead to the library's dump.
	if got := rec.Definitions("src/main.ts", 3, 18); got != nil {
		t.Errorf("definitions of Circle = %v, want none in this upload", got)
	}
	if got, want := rec.HoverAt("src/main.ts", 3, 18), "A circle given by its centre and radius."; !strings.HasSuffix(got, want) {
		t.Errorf("hover of Circle = %q, want it to end with %q", got, want)
	}
	r, _ := rec.RangeAt("src/main.ts", 3, 18)
	// lsif-tsc emits the imported package's information before setting its
	// version: import monikers carry no version.
	noVersion := lsif.PackageInfo{Manager: "npm", Name: "shapes"}
	wantMonikers := []lsif.Moniker{
		{Kind: lsif.Import, Scheme: "npm", Identifier: "shapes:lib/circle:Circle", Package: noVersion},
		{Kind: lsif.Import, Scheme: "tsc", Identifier: "node_modules/shapes/lib/circle:Circle"},
	}
	if diff := cmp.Diff(wantMonikers, r.Monikers); diff != "" {
		t.Errorf("monikers of Circle (-want +got):\n%s", diff)
	}
	wantCircleRefs := []lsif.Location{loc("src/main.ts", 0, 9, 0, 15), loc("src/main.ts", 3, 17, 3, 23), loc("src/main.ts", 4, 16, 4, 22)}
	if diff := cmp.Diff(wantCircleRefs, rec.Locations(lsif.References, "npm", "shapes:lib/circle:Circle")); diff != "" {
		t.Errorf("moniker references of Circle (-want +got):\n%s", diff)
	}
	if len(rec.Packages) != 0 {
		t.Errorf("packages = %v, want none", rec.Packages)
	}
	wantRefsPkg := []lsif.PackageRef{{
		Package: lsif.Package{Scheme: "npm", PackageInfo: noVersion},
		Identifiers: []string{
			"shapes::", "shapes:lib/circle:", "shapes:lib/circle:Circle",
			"shapes:lib/measure:", "shapes:lib/measure:area", "shapes:lib/measure:describe",
		},
	}}
	if diff := cmp.Diff(wantRefsPkg, rec.PackageRefs); diff != "" {
		t.Errorf("package refs (-want +got):\n%s", diff)
	}
}

// TestFixturesLinkedByMonikers follows a use in the app to its definition
// in the library through the moniker tables, as cross-repository code
// navigation does.
func TestFixturesLinkedByMonikers(t *testing.T) {
	t.Parallel()
	app, _ := convertFixture(t, "app.lsif.gz")
	lib, _ := convertFixture(t, "shapes.lsif.gz")
	for _, use := range []struct {
		line, char int32
		want       lsif.Location
	}{
		{3, 18, loc("src/circle.ts", 5, 13, 5, 19)},    // Circle
		{8, 16, loc("src/measure.ts", 15, 16, 15, 24)}, // describe
		{8, 54, loc("src/measure.ts", 6, 16, 6, 20)},   // area
	} {
		r, ok := app.RangeAt("src/main.ts", use.line, use.char)
		if !ok {
			t.Fatalf("no range at %d:%d", use.line, use.char)
		}
		var got []lsif.Location
		for _, m := range r.Monikers {
			if m.Kind == lsif.Import && m.Package.Name == "shapes" {
				got = append(got, lib.Locations(lsif.Definitions, m.Scheme, m.Identifier)...)
			}
		}
		if diff := cmp.Diff([]lsif.Location{use.want}, got); diff != "" {
			t.Errorf("%d:%d: remote definition (-want +got):\n%s", use.line, use.char, diff)
		}
	}
}
