package lsif_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
)

// TestDocEntriesAgainstDump checks the entries of the real lsif-tsc dumps
// against an independent reading of each dump (docs_oracle_test.go): one
// entry per exported definition of the project, with the tag's name, the
// hover's signature and documentation, and a search key ending in the
// export moniker's qualified name.
func TestDocEntriesAgainstDump(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"shapes.lsif.gz", "app.lsif.gz", "apidocs.lsif.gz"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec, stats := convertFixture(t, name)
			want := readDumpDocs(t, "testdata/"+name)
			if len(want) == 0 {
				t.Fatalf("the oracle found no exported definitions in %s", name)
			}
			var got []dumpDoc
			for _, e := range rec.DocEntries {
				if !strings.HasSuffix("."+e.SearchKey, "."+qualifiedOf(want, e)) {
					t.Errorf("%s:%d %s: search key %q does not end with the moniker's %q", e.Path, e.Range.StartLine, e.Name, e.SearchKey, qualifiedOf(want, e))
				}
				got = append(got, dumpDoc{Path: e.Path, Line: int(e.Range.StartLine), Name: e.Name, Signature: e.Signature, Detail: e.Detail})
			}
			for i := range want {
				want[i].Qualified = ""
			}
			sortDumpDocs(want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("entries (-dump +converted):\n%s", diff)
			}
			if stats.OutDocEntries != len(rec.DocEntries) {
				t.Errorf("Stats.OutDocEntries = %d, want %d", stats.OutDocEntries, len(rec.DocEntries))
			}
		})
	}
}

func qualifiedOf(docs []dumpDoc, e lsif.DocEntry) string {
	for _, d := range docs {
		if d.Path == e.Path && d.Line == int(e.Range.StartLine) && d.Name == e.Name {
			return d.Qualified
		}
	}
	return "(not in the dump)"
}

func sortDumpDocs(docs []dumpDoc) {
	slices.SortStableFunc(docs, func(a, b dumpDoc) int {
		if a.Path != b.Path {
			return strings.Compare(a.Path, b.Path)
		}
		return a.Line - b.Line
	})
}

// TestDocEntriesApidocsProject pins, by hand from testdata/apidocs/src, the
// kinds, search keys and tags of every entry, and that the declarations the
// project does not export (a function, a class and its method, a function
// in a namespace) have none.
func TestDocEntriesApidocsProject(t *testing.T) {
	t.Parallel()
	rec, _ := convertFixture(t, "apidocs.lsif.gz")
	var got []string
	for _, e := range rec.DocEntries {
		got = append(got, fmt.Sprintf("%s:%d %s %s %s %v", e.Path, e.Range.StartLine+1, e.Language, e.Kind, e.SearchKey, e.Tags))
	}
	// lsif-tsc 0.5.6 leaves JSDoc tags out of its hovers, so Stack.pop's
	// @deprecated does not reach the dump.
	want := []string{
		"src/geo.ts:4 typescript namespace geo.geo [namespace exported]",
		"src/geo.ts:6 typescript function geo.geo.dist [function exported]",
		"src/geo.ts:17 typescript class geo.Stack [class exported]",
		"src/geo.ts:18 typescript property geo.Stack.items [property exported]",
		"src/geo.ts:20 typescript method geo.Stack.push [method exported]",
		"src/geo.ts:27 typescript method geo.Stack.pop [method exported]",
		"src/geo.ts:33 typescript interface geo.Options [interface exported]",
		"src/geo.ts:35 typescript property geo.Options.count [property exported]",
		"src/geo.ts:38 typescript constant geo.LIMIT [constant exported]",
		"src/geo.ts:40 typescript enum geo.Color [enum exported]",
		"src/geo.ts:40 typescript enumMember geo.Color.Red [enumMember exported]",
		"src/geo.ts:40 typescript enumMember geo.Color.Green [enumMember exported]",
		"src/geo.ts:42 typescript type geo.Pair [type exported]",
		"src/geo.ts:48 typescript function geo.run [function exported]",
		"src/geo.ts:62 typescript function geo.useHidden [function exported]",
		"src/main.ts:4 typescript function main.distances [function exported]",
		"src/script.ts:2 typescript function globalHelper [function exported]",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("entries (-want +got):\n%s", diff)
	}
	push := rec.DocEntries[4]
	if push.Signature != "(method) Stack<T>.push(item: T): void" || push.Detail != "Pushes an item." {
		t.Errorf("Stack.push: signature %q, detail %q", push.Signature, push.Detail)
	}
	stack := rec.DocEntries[2]
	if stack.Detail != "A stack of items.\n\nItems come out in reverse order." {
		t.Errorf("Stack: detail %q, want both paragraphs of its JSDoc", stack.Detail)
	}
}
