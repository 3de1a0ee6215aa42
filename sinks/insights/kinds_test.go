package insights_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/insights"
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
		{insights.PointsKind, `schema:
  fields: 7
    - series_id: type=int64
    - repo_id: type=int64
    - time: type=timestamp[s, tz=UTC]
    - capture: type=utf8, nullable
    - value: type=int64
    - commit_oid: type=utf8
    - skipped: type=utf8, nullable
  metadata: ["sightline.kind": "series-points", "sightline.version": "1"]`},
		{insights.SnapshotPointsKind, `schema:
  fields: 7
    - series_id: type=int64
    - repo_id: type=int64
    - time: type=timestamp[s, tz=UTC]
    - capture: type=utf8, nullable
    - value: type=int64
    - commit_oid: type=utf8
    - skipped: type=utf8, nullable
  metadata: ["sightline.kind": "snapshot-points", "sightline.version": "1"]`},
		{insights.IncompleteKind, `schema:
  fields: 5
    - series_id: type=int64
    - repo_id: type=int64, nullable
    - time: type=timestamp[s, tz=UTC]
    - reason: type=utf8
    - detail: type=utf8
  metadata: ["sightline.kind": "incomplete-points", "sightline.version": "1"]`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.kind.Schema().String()); diff != "" {
			t.Errorf("kind %s: schema (-want +got):\n%s", tt.kind, diff)
		}
	}
}
