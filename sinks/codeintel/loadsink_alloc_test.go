package codeintel_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/pipeline/bucket/filebucket"
	"github.com/sightline-dev/sightline/sinks/codeintel"
	"github.com/sightline-dev/sightline/sources/lsif"
)

// TestBatchSinkRangesAllocateNothing checks that a document's ranges,
// monikers included, are appended without an allocation per range: the
// moniker strings are built in a reused buffer (a SCIP index has millions
// of ranges, a third with a moniker).
func TestBatchSinkRangesAllocateNothing(t *testing.T) {
	b, err := filebucket.Open(&url.URL{Scheme: "file", Path: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	sink, err := codeintel.NewBatchSink(t.Context(), batch.NewRun(b, "process-uploads", "r1"), 1)
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Abort(fmt.Errorf("test over"))
	doc := lsif.Document{Path: "src/a.ts"}
	for i := range 64 {
		m := lsif.Moniker{Kind: lsif.Export, Scheme: "scip-typescript", Identifier: fmt.Sprintf("scip-typescript npm pkg 1.0.0 src/`a.ts`/Sym%d#", i%8)}
		doc.Ranges = append(doc.Ranges, lsif.DocumentRange{Range: lsif.Range{StartLine: int32(i), EndCharacter: 4},
			DefinitionResultID: 1, ReferenceResultID: 2, Monikers: []lsif.Moniker{m}})
	}
	if err := sink.Document(doc); err != nil { // builders grow to their size
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if err := sink.Document(doc); err != nil {
			t.Fatal(err)
		}
	})
	if perRange := allocs / float64(len(doc.Ranges)); perRange > 0.1 {
		t.Errorf("a range with a moniker costs %.2f allocations (%.0f for %d ranges), want none", perRange, allocs, len(doc.Ranges))
	}
}
