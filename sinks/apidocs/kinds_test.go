package apidocs_test

import (
	"testing"

	"github.com/sightline-dev/sightline/pipeline/batch/batchtest"
	"github.com/sightline-dev/sightline/sinks/apidocs"
)

// TestKindSchemas pins the entry kind's schema to testdata/schemas.
func TestKindSchemas(t *testing.T) {
	t.Parallel()
	batchtest.CheckSchemas(t, apidocs.EntryKind)
}
