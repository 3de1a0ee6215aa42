package codeintel_test

import (
	"testing"

	"github.com/sightline-dev/sightline/pipeline/batch/batchtest"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// TestKindSchemas pins each kind's schema to testdata/schemas (written
// before the kinds were declared with columns): a stored batch of a
// version must keep its fields.
func TestKindSchemas(t *testing.T) {
	t.Parallel()
	batchtest.CheckSchemas(t, codeintel.DocumentKind, codeintel.HoverKind, codeintel.ResultChunkKind, codeintel.MonikerResultKind, codeintel.PackageKind, codeintel.DiagnosticKind, codeintel.PackageRefKind)
}
