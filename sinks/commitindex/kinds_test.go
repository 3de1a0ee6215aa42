package commitindex_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sightline-dev/sightline/pipeline/batch"
	"github.com/sightline-dev/sightline/sinks/commitindex"
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
		{commitindex.CommitsKind, `schema:
  fields: 4
    - repo_id: type=int64
    - position: type=int32
    - commit_oid: type=utf8
    - committed_at: type=timestamp[s, tz=UTC]
  metadata: ["sightline.kind": "repo-commits", "sightline.version": "1"]`},
		{commitindex.HeadsKind, `schema:
  fields: 4
    - repo_id: type=int64
    - head: type=utf8, nullable
    - count: type=int32
    - rewrite_from: type=int32
  metadata: ["sightline.kind": "commit-index-heads", "sightline.version": "1"]`},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.kind.Schema().String()); diff != "" {
			t.Errorf("kind %s: schema (-want +got):\n%s", tt.kind, diff)
		}
	}
}
