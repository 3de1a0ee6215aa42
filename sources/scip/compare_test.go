package scip_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/sources/lsif"
	"github.com/sightline-dev/sightline/sources/lsif/lsiftest"
)

func convertLSIF(t *testing.T, name string) *lsiftest.Recorder {
	t.Helper()
	f, err := os.Open("../lsif/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rec := lsiftest.NewRecorder()
	notVendored := func(p string) bool { return !strings.Contains(p, "node_modules/") }
	if _, err := lsif.Convert(context.Background(), f, lsif.Opts{Exists: notVendored}, rec); err != nil {
		t.Fatalf("convert %s: %v", name, err)
	}
	return rec
}

// TestSameSourcesAsLSIF converts the same TypeScript sources indexed by
// lsif-tsc 0.5.6 (../lsif/testdata/*.lsif.gz) and by scip-typescript 0.4.0
// (testdata/*.scip), asks both for the definition at the start of every
// range the SCIP index has, and requires the same answer wherever both
// indexers resolve the symbol. Where only one does, the difference must be
// one of these classes:
//
//   - constructor: scip-typescript defines a class's constructor symbol
//     (Circle#`<constructor>`().) at the constructor keyword; lsif-tsc has
//     no range there.
//   - object literal property: in new Circle({ x: 0, y: 0 }, 1) lsif-tsc
//     makes each property of the literal a definition of its own, while
//     scip-typescript resolves it to the interface property it fills
//     (shapes' Point#x), defined in another package: no definition in this
//     index, an import moniker instead.
//
// Symbols neither resolves inside the index (imports from shapes, whose
// sources lsif-tsc saw under node_modules, pruned, and scip-typescript as
// an external package; TypeScript's lib.*.d.ts) are not compared.
func TestSameSourcesAsLSIF(t *testing.T) {
	t.Parallel()
	for _, pair := range [][2]string{{"shapes.scip", "shapes.lsif.gz"}, {"app.scip", "app.lsif.gz"}} {
		s, _ := convertFile(t, pair[0], lsif.Opts{})
		l := convertLSIF(t, pair[1])
		agreed, classes := 0, map[string]int{}
		for _, p := range s.Paths {
			for _, r := range s.Documents[p].Ranges {
				if r.StartLine == r.EndLine && r.StartCharacter == r.EndCharacter {
					continue // a module's definition: an empty range at 0:0 nobody can point at
				}
				sd := s.Definitions(p, r.StartLine, r.StartCharacter)
				ld := l.Definitions(p, r.StartLine, r.StartCharacter)
				self := []lsif.Location{{Path: p, Range: r.Range}}
				switch {
				case len(sd) > 0 && len(ld) > 0:
					if diff := cmp.Diff(ld, sd); diff != "" {
						t.Errorf("%s %s:%d:%d: definitions differ (-lsif-tsc +scip-typescript):\n%s", pair[0], p, r.StartLine, r.StartCharacter, diff)
					}
					agreed++
				case len(sd) == 0 && len(ld) == 0:
				case len(ld) == 0 && hasMoniker(r, "`<constructor>`()."):
					classes["constructor"]++
				case len(sd) == 0 && cmp.Equal(ld, self) && importMoniker(r):
					classes["object literal property"]++
				default:
					t.Errorf("%s %s:%d:%d: unexplained difference: scip-typescript %v, lsif-tsc %v", pair[0], p, r.StartLine, r.StartCharacter, sd, ld)
				}
			}
		}
		t.Logf("%s: %d positions agree; explained differences %v", pair[0], agreed, classes)
		if agreed < 10 {
			t.Errorf("%s: only %d positions resolved by both indexers: the comparison checks too little", pair[0], agreed)
		}
	}
}

func hasMoniker(r lsif.DocumentRange, suffix string) bool {
	for _, m := range r.Monikers {
		if strings.HasSuffix(m.Identifier, suffix) {
			return true
		}
	}
	return false
}

func importMoniker(r lsif.DocumentRange) bool {
	return len(r.Monikers) > 0 && r.Monikers[0].Kind == lsif.Import
}
