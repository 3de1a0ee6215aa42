package codeintel_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/codeintel"
)

// TestKindSchemas pins each kind's schema, metadata included, as written
// before the kinds were declared with columns: a stored batch of a version
// must keep its fields. A changed schema needs a new version, and this
// test changed with it.
func TestKindSchemas(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind batch.Kind
		want string
	}{
		{codeintel.RangeKind, `schema:
  fields: 10
    - upload_id: type=int64
    - path: type=utf8
    - start_line: type=int32
    - start_character: type=int32
    - end_line: type=int32
    - end_character: type=int32
    - definition_result: type=int32
    - reference_result: type=int32
    - hover_id: type=int32
    - monikers: type=list<item: utf8, nullable>
  metadata: ["sightline.kind": "lsif-range", "sightline.version": "1"]`},
		{codeintel.HoverKind, `schema:
  fields: 3
    - upload_id: type=int64
    - hover_id: type=int32
    - text: type=utf8
  metadata: ["sightline.kind": "lsif-hover", "sightline.version": "1"]`},
		{codeintel.ResultLocationKind, `schema:
  fields: 8
    - upload_id: type=int64
    - result_id: type=int32
    - kind: type=utf8
    - path: type=utf8
    - start_line: type=int32
    - start_character: type=int32
    - end_line: type=int32
    - end_character: type=int32
  metadata: ["sightline.kind": "lsif-result-location", "sightline.version": "1"]`},
		{codeintel.MonikerLocationKind, `schema:
  fields: 9
    - upload_id: type=int64
    - kind: type=utf8
    - scheme: type=utf8
    - identifier: type=utf8
    - path: type=utf8
    - start_line: type=int32
    - start_character: type=int32
    - end_line: type=int32
    - end_character: type=int32
  metadata: ["sightline.kind": "lsif-moniker-location", "sightline.version": "1"]`},
		{codeintel.PackageKind, `schema:
  fields: 5
    - upload_id: type=int64
    - scheme: type=utf8
    - manager: type=utf8
    - name: type=utf8
    - version: type=utf8
  metadata: ["sightline.kind": "lsif-package", "sightline.version": "1"]`},
		{codeintel.DiagnosticKind, `schema:
  fields: 10
    - upload_id: type=int64
    - path: type=utf8
    - severity: type=int32
    - code: type=utf8
    - message: type=utf8
    - source: type=utf8
    - start_line: type=int32
    - start_character: type=int32
    - end_line: type=int32
    - end_character: type=int32
  metadata: ["sightline.kind": "lsif-diagnostic", "sightline.version": "1"]`},
		{codeintel.PackageRefKind, `schema:
  fields: 6
    - upload_id: type=int64
    - scheme: type=utf8
    - manager: type=utf8
    - name: type=utf8
    - version: type=utf8
    - identifiers: type=list<item: utf8, nullable>
  metadata: ["sightline.kind": "lsif-package-ref", "sightline.version": "1"]`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.kind.Schema().String()); diff != "" {
			t.Errorf("kind %s: schema (-want +got):\n%s", tt.kind, diff)
		}
	}
}
